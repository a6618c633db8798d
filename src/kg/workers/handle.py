"""One worker process as the server sees it, and errors as they cross from a worker."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from kg import errors
from kg.errors import KgError, StoreError


@dataclass(eq=False)
class WorkerHandle:
    """One worker process as the server sees it."""

    pid: int
    conn: Connection
    version: int
    pidfd: int | None = None
    niced: bool = False
    dead: bool = False
    #: Writes this worker replayed on its own copy to follow the store (see the pool).
    replayed: int = 0
    started: float = field(default_factory=time.monotonic)

    def signal(self, sig: signal.Signals) -> None:
        if self.dead:
            return
        with contextlib.suppress(ProcessLookupError, OSError):
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, sig)
            else:  # pragma: no cover - kernels without pidfd
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.dead = True
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self.pidfd)
            self.pidfd = None

    def renice(self, niceness: int) -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.pid, niceness)
        self.niced = True

    def looks_alive(self) -> bool:
        """An idle worker has nothing to say: readable means it died (end of file)."""
        if self.dead or self.conn.closed:
            return False
        try:
            return not self.conn.poll(0)
        except OSError:
            return False


Spawner = Callable[[], WorkerHandle]


def encode_error(exc: KgError) -> tuple[str, str, dict[str, Any]]:
    """An error as it crosses from a worker to the server."""
    return (type(exc).__name__, exc.message, exc.details)


def decode_error(payload: tuple[str, str, dict[str, Any]]) -> KgError:
    name, message, details = payload
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, KgError)) or name == "ValidationFailed":
        cls = StoreError
    return cls(message, **details)
