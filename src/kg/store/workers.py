"""Query executors: where a query runs, and how its deadline is enforced.

``ForkPool`` keeps worker processes forked from the server after the store is loaded. A fork
shares the store's memory copy-on-write, so a worker reads at in-memory speed without a copy,
and each worker sees the store as it was when it was forked: a write bumps the pool's
generation and idle workers are replaced by fresh forks, so a read sees the state before or
after a write, never between. A query past its deadline is stopped by killing its worker (the
only way to stop a running Oxigraph evaluation); its replacement is forked at once. Each worker
also has an address-space limit, so a query that would exhaust memory fails alone.

``InlineExecutor`` evaluates in the calling thread (Oxigraph releases the GIL, so other
requests still progress); its deadline is only checked between rows, so it suits tests and
small deployments, not hostile traffic.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import resource
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from pyoxigraph import Store

from kg import errors
from kg.errors import KgError, QueryTimeout, StoreError
from kg.sparql.evaluate import QueryRequest, QueryResponse, evaluate

log = logging.getLogger(__name__)


class Executor(Protocol):
    def execute(self, request: QueryRequest) -> QueryResponse: ...
    def invalidate(self) -> None: ...
    def close(self) -> None: ...


class InlineExecutor:
    """Evaluate in the calling thread."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def execute(self, request: QueryRequest) -> QueryResponse:
        return evaluate(self._store, request)

    def invalidate(self) -> None:
        return None

    def close(self) -> None:
        return None


def _error_payload(exc: KgError) -> tuple[str, str, dict[str, Any]]:
    return (type(exc).__name__, exc.message, exc.details)


def _rebuild_error(name: str, message: str, details: dict[str, Any]) -> KgError:
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, KgError)):
        cls = StoreError
    return cls(message, **details)


def _worker_main(
    conn: multiprocessing.connection.Connection,
    store: Store,
    memory_limit: int,
) -> None:
    """The loop of one worker process: receive a request, answer it, repeat."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if memory_limit > 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if request is None:
            os._exit(0)
        try:
            conn.send(("ok", evaluate(store, request)))
        except KgError as exc:
            conn.send(("error", _error_payload(exc)))
        except MemoryError:
            conn.send(
                (
                    "error",
                    (
                        "StoreError",
                        "the query needed more memory than a query "
                        "worker may use (query_memory_mb) and was stopped",
                        {},
                    ),
                )
            )
        except Exception as exc:
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    generation: int

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


class ForkPool:
    """A pool of forked query workers with hard deadlines."""

    def __init__(
        self,
        store: Store,
        *,
        size: int,
        memory_mb: int,
        fork_lock: threading.Lock,
    ) -> None:
        self._store = store
        self._size = size
        self._memory_mb = memory_mb
        self._fork_lock = fork_lock
        self._ctx = multiprocessing.get_context("fork")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._generation = 0
        self._closed = False
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._fork_lock:
            vm = _vm_size()
            limit = vm + self._memory_mb * 1024 * 1024 if vm else 0
            parent, child = self._ctx.Pipe(duplex=True)
            process = self._ctx.Process(
                target=_worker_main,
                args=(child, self._store, limit),
                daemon=True,
                name="kg-query-worker",
            )
            process.start()
            child.close()
            return _Worker(process, parent, self._generation)

    def invalidate(self) -> None:
        """The store changed: workers forked before now are replaced before their next query."""
        self._generation += 1

    def _acquire(self, timeout: float) -> _Worker:
        try:
            worker = self._idle.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            raise QueryTimeout(
                f"all {self._size} query workers stayed busy for {timeout:.1f}s; try again later"
            ) from None
        if worker.generation != self._generation or not worker.process.is_alive():
            worker.kill()
            worker = self._spawn()
        return worker

    def execute(self, request: QueryRequest) -> QueryResponse:
        if self._closed:
            raise StoreError("the query pool is closed")
        deadline = time.monotonic() + request.timeout
        worker = self._acquire(request.timeout)
        healthy = False
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.0)):
                raise QueryTimeout(
                    f"the query did not finish within {request.timeout:g}s and was stopped",
                    timeout_s=request.timeout,
                )
            status, payload = worker.conn.recv()
            healthy = status != "crash"
        except (EOFError, OSError, BrokenPipeError):
            raise StoreError(
                "the query worker died while evaluating this query (it may have exceeded its "
                "memory limit)"
            ) from None
        finally:
            if healthy and not self._closed:
                self._idle.put(worker)
            else:
                worker.kill()
                if not self._closed:
                    self._idle.put(self._spawn())
        if status == "ok":
            assert isinstance(payload, QueryResponse)
            return payload
        if status == "error":
            raise _rebuild_error(*payload)
        log.error("query worker crashed: %s", payload)
        raise StoreError("the query worker failed unexpectedly; see the server log")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
