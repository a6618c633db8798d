"""Defence in depth for workers: an audit hook that refuses I/O a job has no business doing.

Every query, update evaluation, upload parse and SHACL validation runs as a job in a worker
process. While a job runs, the hook installed here (:func:`sys.addaudithook`) raises
:class:`~kg.errors.Forbidden` for:

- a socket connection, datagram or name lookup other than the ones the SERVICE client was
  allowed for this call (the checked addresses of an allowlisted endpoint); any ``bind``;
- ``urllib`` requests (this code never uses urllib; rdflib does, to fetch), new processes;
- opening a file other than for reading under the Python installation, the virtual
  environment, the directories code is imported from (``sys.path``) and ``/proc/self``, or
  ``/dev/null`` and ``/dev/urandom``; listing any other directory; removing, renaming or
  creating files.

So a parser or library that was talked into fetching a ``file:`` IRI, an XML external entity or
a remote JSON-LD context fails instead, even if the checks before it missed the case.

Limits: the hook sees what Python code does (``open``, ``socket``, ``urllib``, ``subprocess``);
it does not see I/O done inside a native library, such as pyoxigraph's own HTTP client. That
one is kept out by :mod:`kg.sparql.policy`, which never lets the engine see a ``SERVICE`` or
``LOAD``. Audit hooks cannot be removed, so the hook is installed once per worker and stays
inactive (one attribute test per audited event) outside jobs.
"""

from __future__ import annotations

import os
import site
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.errors import Forbidden

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_DEVICES = frozenset({"/dev/null", "/dev/urandom", "/dev/random"})
_NETWORK_LOOKUPS = frozenset(
    {
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyname_ex",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
    }
)
_ALWAYS_REFUSED = frozenset(
    {
        "socket.bind",
        "urllib.Request",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.mkdir",
        "os.link",
        "os.symlink",
        "os.truncate",
        "os.chmod",
        "os.chown",
        "shutil.rmtree",
        "shutil.copyfile",
        "shutil.move",
    }
)
_SOCKET_SENDS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_LISTINGS = frozenset({"os.listdir", "os.scandir"})


def code_roots() -> tuple[str, ...]:
    """Directories Python legitimately reads from while running code.

    The current directory is left out even when it is on ``sys.path`` (``python -m``): a
    server's working directory may hold its data.
    """
    cwd = os.path.realpath(os.getcwd())
    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        *site.getsitepackages(),
        str(Path(__file__).resolve().parents[1]),  # the kg package
        *(p for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)),
    }
    return tuple(sorted({os.path.realpath(r) for r in roots} - {cwd}))


class Sandbox:
    """The audit hook of one worker process (see the module docstring)."""

    def __init__(self, read_roots: Sequence[str], *, read_files: Sequence[str] = ()) -> None:
        self._active = False
        self._roots = tuple(os.path.join(os.path.realpath(r), "") for r in read_roots)
        self._files = _DEVICES | {os.path.realpath(f) for f in read_files}
        self._self_proc = f"/proc/{os.getpid()}/"
        self._hosts: frozenset[str] = frozenset()
        self._addresses: frozenset[tuple[str, int]] = frozenset()
        #: What was refused, for tests and logs (bounded).
        self.refused: list[str] = []

    @classmethod
    def for_this_process(cls) -> Sandbox:
        return cls(code_roots())

    def install(self) -> None:
        """Add the hook to this process (it cannot be removed; it is inactive until a job)."""
        self._self_proc = f"/proc/{os.getpid()}/"
        sys.addaudithook(self._hook)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Enforce the rules while the body runs (one job)."""
        self._active = True
        try:
            yield
        finally:
            self._active = False
            self._hosts = frozenset()
            self._addresses = frozenset()

    @contextmanager
    def allowing(
        self, *, hosts: Sequence[str], addresses: Sequence[tuple[str, int]]
    ) -> Iterator[None]:
        """Also allow name lookups of ``hosts`` and connections to ``addresses`` meanwhile."""
        saved = self._hosts, self._addresses
        self._addresses = saved[1] | {(a, p) for a, p in addresses}
        # Looking up an allowed address itself resolves nothing (create_connection does it).
        self._hosts = saved[0] | {h.lower() for h in hosts} | {a for a, _ in addresses}
        try:
            yield
        finally:
            self._hosts, self._addresses = saved

    # -- the hook ------------------------------------------------------------------------

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._active:
            return
        if event == "open":
            self._check_open(args)
        elif event in _SOCKET_SENDS:
            self._check_address(event, args[1] if len(args) > 1 else None)
        elif event in _NETWORK_LOOKUPS:
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
            if not (isinstance(host, str) and host.lower() in self._hosts):
                self._refuse(event, repr(host))
        elif event in _LISTINGS:
            path = args[0] if args else "."
            if not self._readable(path):
                self._refuse(event, repr(path))
        elif event in _ALWAYS_REFUSED:
            self._refuse(event, repr(args[0]) if args else "")

    def _check_open(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = (*args, None, None, None)[:3]
        if isinstance(path, int):  # an already open descriptor
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing and self._real(path) != "/dev/null":
            self._refuse("open", f"{path!r} for writing")
        if not writing and not self._readable(path):
            self._refuse("open", repr(path))

    def _check_address(self, event: str, address: Any) -> None:
        if address is None and event == "socket.sendmsg":
            return  # a connected socket: its connection was checked
        if isinstance(address, tuple) and len(address) >= 2:
            host = str(address[0]).split("%", 1)[0]
            if (host, address[1]) in self._addresses:
                return
        self._refuse(event, repr(address))

    @staticmethod
    def _real(path: Any) -> str:
        try:
            return os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return ""

    def _readable(self, path: Any) -> bool:
        real = self._real(path)
        if not real:
            return False
        if real in self._files or real.startswith(self._self_proc):
            return True
        if real.startswith("/proc/self/"):
            return True
        return any(real.startswith(root) or real + os.sep == root for root in self._roots)

    def _refuse(self, event: str, detail: str) -> None:
        what = f"{event} {detail}".strip()
        if len(self.refused) < 100:
            self.refused.append(what)
        raise Forbidden(
            f"the worker's sandbox refused {what}: evaluating a request may not open files "
            "or network connections",
            policy="sandbox",
        )


__all__ = ["Sandbox", "code_roots"]
