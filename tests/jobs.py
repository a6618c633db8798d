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
