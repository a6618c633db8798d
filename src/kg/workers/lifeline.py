"""Processes that die with the server, whatever kills it.

Two independent mechanisms, so that no worker outlives the server that started it:

- **A lifeline pipe.** The server process holds the only write end of a pipe and never writes
  to it; every helper process it starts (directly or through another helper) holds a read end
  and watches it. When the server dies, by any signal including ``SIGKILL``, the kernel closes
  the write end and every watcher reads end-of-file and exits at once.
- **A parent-death signal** (Linux ``PR_SET_PDEATHSIG``): a helper is sent ``SIGKILL`` when the
  process that forked it exits.

Helpers inherit no other descriptor of the server (above all not its listening socket, which
would keep the port bound after the server is gone): the store process is started from a clean
fork server that receives only the descriptors it is given, and it forks the workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


def _prctl(option: int, arg: int | bytes) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(option, arg, 0, 0, 0) == 0)
    except OSError:  # pragma: no cover - no libc to call
        return False


class Lifeline:
    """The server's end: create once, hand :attr:`read_fd` to helpers, :meth:`cut` to stop them."""

    def __init__(self) -> None:
        self.read_fd, self._write_fd = os.pipe()  # both close-on-exec

    def cut(self) -> None:
        """Close the write end: every helper watching the lifeline exits."""
        if self._write_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._write_fd)
            self._write_fd = -1

    def close(self) -> None:
        self.cut()
        if self.read_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.read_fd)
            self.read_fd = -1


def die_with_parent() -> None:
    """Ask the kernel for ``SIGKILL`` when the parent process exits (Linux)."""
    parent = os.getppid()
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def watch(read_fd: int, *, name: str = "lifeline") -> None:
    """Exit this process as soon as ``read_fd`` reaches end-of-file (the server is gone)."""

    def wait() -> None:
        while True:
            try:
                if os.read(read_fd, 1) == b"":
                    break
            except InterruptedError:  # pragma: no cover - retried by Python anyway
                continue
            except OSError:
                break
        os._exit(0)

    threading.Thread(target=wait, name=name, daemon=True).start()


def set_process_name(name: str) -> None:
    """Name this process (``ps -o comm``, ``top``), so that operators see what each one is."""
    _prctl(_PR_SET_NAME, name.encode()[:15])


def become_subreaper() -> bool:
    """Adopt orphaned descendants (used by the test suite to find processes left behind)."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)
