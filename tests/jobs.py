"""Jobs for tests: picklable work that misbehaves in known ways (importable by the workers)."""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass

from kg.store.base import JobContext


@dataclass(frozen=True)
class Spin:
    """Burns CPU in Python forever (a deadline must stop it)."""

    def run(self, ctx: JobContext) -> None:
        n = 0
        while True:
            n += 1


@dataclass(frozen=True)
class Pid:
    """The worker's pid, after sleeping ``seconds``."""

    seconds: float = 0.0

    def run(self, ctx: JobContext) -> int:
        time.sleep(self.seconds)
        return os.getpid()


@dataclass(frozen=True)
class Segfault:
    """Crashes the worker the way a parser's stack overflow would."""

    def run(self, ctx: JobContext) -> None:
        ctypes.string_at(0)


@dataclass(frozen=True)
class CountGraphs:
    """Reads the store through the job's reader."""

    def run(self, ctx: JobContext) -> int:
        return len(ctx.reader.graph_names())


@dataclass(frozen=True)
class ResourceSize:
    name: str

    def run(self, ctx: JobContext) -> int:
        return len(ctx.resource(self.name))


@dataclass(frozen=True)
class OpenFile:
    """Reads the first bytes of a file (the worker's sandbox must refuse /etc/passwd)."""

    path: str

    def run(self, ctx: JobContext) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read(64)


@dataclass(frozen=True)
class Connect:
    """Opens a TCP connection to 127.0.0.1:``port`` (the sandbox must refuse it)."""

    port: int

    def run(self, ctx: JobContext) -> bool:
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(("127.0.0.1", self.port))
            return True


@dataclass(frozen=True)
class ImportLate:
    """Imports a module no worker had loaded yet (the sandbox must let Python read its code)."""

    module: str

    def run(self, ctx: JobContext) -> tuple[bool, str]:
        import importlib
        import sys

        loaded_before = self.module in sys.modules
        return loaded_before, importlib.import_module(self.module).__name__
