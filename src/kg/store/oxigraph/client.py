"""The server's handle on the Oxigraph store: a :class:`kg.store.base.Store`.

It starts the store process (:mod:`kg.store.oxigraph.engine`) from multiprocessing's fork server,
sends it control messages (loads, change sets) over one socket, and runs every evaluation in
workers through a :class:`kg.workers.pool.WorkerPool` with deadlines and admission.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import StoreError
from kg.formats import Format
from kg.sparql.policy import Policy
from kg.store.base import (
    ChangeSet,
    DatasetDescription,
    Delta,
    Job,
    Lane,
    QueryRequest,
    QueryResponse,
    Redaction,
    RedactionOutcome,
    Solutions,
    UpdateRequest,
)
from kg.store.oxigraph import engine
from kg.store.oxigraph.jobs import (
    ConstructJob,
    EvaluateJob,
    QuadsJob,
    SelectJob,
    UpdateEffectJob,
)
from kg.terms import Object, Quad, Subject, Term, Triple, URIRef
from kg.workers.handle import WorkerHandle, decode_error
from kg.workers.pool import PoolLimits, WorkerPool

log = logging.getLogger(__name__)
T = TypeVar("T")

_CONTEXT_LOCK = threading.Lock()
#: How many recent writes are kept for workers to replay; a worker further behind is replaced.
_REPLAY_WINDOW = 256


def _context() -> Any:
    """The fork-server context, with the store process's modules preloaded once."""
    with _CONTEXT_LOCK:
        ctx = multiprocessing.get_context("forkserver")
        # rdflib's SPARQL grammar takes a while to build: workers fork with it built.
        ctx.set_forkserver_preload(
            ["kg.store.oxigraph.engine", "pyshacl", "rdflib.plugins.sparql.algebra"]
        )
        return ctx


class OxigraphStore:
    """Oxigraph in a store process, evaluated by forked workers (see the package docstring)."""

    def __init__(
        self,
        *,
        kind: str,
        journal: Path | None = None,
        limits: PoolLimits | None = None,
        worker_memory_mb: int = 2048,
        timeout: float = 30.0,
        max_rows: int = 100_000,
        policy: Policy | None = None,
    ) -> None:
        self.kind = kind
        self._limits = limits or PoolLimits()
        self._timeout = timeout
        self._max_rows = max_rows
        self._lock = threading.Lock()
        self._pool: WorkerPool | None = None
        self._description: DatasetDescription | None = None
        self._closed = False
        ctx = _context()
        self._control, engine_end = ctx.Pipe(duplex=True)
        lifeline_read, self._lifeline = ctx.Pipe(duplex=False)
        config = engine.EngineConfig(
            kind=kind,
            journal=str(journal) if journal is not None else None,
            worker_memory_mb=worker_memory_mb,
            server_pid=os.getpid(),
            policy=policy or Policy(),
        )
        self._process = ctx.Process(
            target=engine.main,
            args=(config, engine_end, lifeline_read),
            name="kg-store",
            daemon=False,
        )
        try:
            self._process.start()
        except OSError as exc:
            raise StoreError(f"cannot start the store process: {exc}") from None
        engine_end.close()
        lifeline_read.close()
        self._version = 0
        # The writes workers can replay to follow the store (engine.REPLAYABLE), newest last,
        # each with the version it produced; emptied by any other change.
        self._writes: deque[tuple[int, tuple[Any, ...]]] = deque(maxlen=_REPLAY_WINDOW)
        self._writes_lock = threading.Lock()

    # -- the control channel -------------------------------------------------------------

    def _call(self, *message: Any) -> Any:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            try:
                self._control.send(message)
                status, value = self._control.recv()
            except (EOFError, OSError, BrokenPipeError):
                raise StoreError(
                    "the store process is gone; restart the server (see the log for why)"
                ) from None
        if status == "ok":
            return value
        raise decode_error(value)

    def _spawn_worker(self) -> WorkerHandle:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            try:
                self._control.send(("spawn",))
                status, value = self._control.recv()
                if status != "ok":
                    raise decode_error(value)
                pid, version = value
                fd = recv_handle(self._control)
            except (EOFError, OSError):
                raise StoreError("the store process is gone") from None
        try:
            pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            os.close(fd)
            raise StoreError("a new worker died at once") from None
        except (AttributeError, OSError):  # pragma: no cover - kernels without pidfd
            pidfd = None
        return WorkerHandle(pid=pid, conn=Connection(fd), version=version, pidfd=pidfd)

    def _changed(self, version: int, replayable: tuple[Any, ...] | None = None) -> None:
        with self._writes_lock:
            if version <= self._version:
                return  # a later write's reply was handled first; it covers this one
            if replayable is not None and version == self._version + 1:
                self._writes.append((version, replayable))
            else:
                self._writes.clear()
            self._version = version
        self._description = None
        if self._pool is not None:
            self._pool.set_version(version)

    def _writes_since(self, version: int) -> list[tuple[Any, ...]] | None:
        """What a worker at ``version`` must replay to reach the current version, or None when
        it cannot (the writes in between are not all replayable or no longer remembered)."""
        with self._writes_lock:
            if version == self._version:
                return []
            missing = [message for v, message in self._writes if v > version]
            if not missing or len(missing) != self._version - version:
                return None
            return missing

    @property
    def version(self) -> int:
        return self._version

    def _run(self, job: Any, *, timeout: float | None, lane: Lane, **kwargs: Any) -> Any:
        if self._pool is None:
            raise StoreError("the store is not started (no workers yet)")
        return self._pool.run(job, timeout=timeout or self._timeout, lane=lane, **kwargs)

    # -- reading -------------------------------------------------------------------------

    def describe(self) -> DatasetDescription:
        cached = self._description
        if cached is not None and cached.version == self._version:
            return cached
        description: DatasetDescription = self._call("describe")
        self._version = description.version
        self._description = description
        return description

    def query(self, request: QueryRequest) -> QueryResponse:
        response: QueryResponse = self._run(
            EvaluateJob(request),
            timeout=request.timeout,
            lane=Lane.QUERY,
            key=request.key,
            client=request.client,
        )
        return response

    def select(
        self,
        query: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        lane: Lane = Lane.INTERNAL,
    ) -> Solutions:
        job = SelectJob(query, dict(bindings) if bindings else None, max_rows or self._max_rows)
        solutions: Solutions = self._run(job, timeout=timeout, lane=lane)
        return solutions

    def construct(
        self, query: str, *, timeout: float | None = None, max_rows: int | None = None
    ) -> list[Triple]:
        triples: list[Triple] = self._run(
            ConstructJob(query, max_rows or self._max_rows), timeout=timeout, lane=Lane.INTERNAL
        )
        return triples

    def quads(
        self,
        s: Subject | None = None,
        p: URIRef | None = None,
        o: Object | None = None,
        g: URIRef | None = None,
        *,
        max_rows: int | None = None,
    ) -> list[Quad]:
        job = QuadsJob(s, p, o, g, max_rows or self._max_rows)
        found: list[Quad] = self._run(job, timeout=None, lane=Lane.INTERNAL)
        return found

    def run(self, job: Job[T], *, timeout: float | None = None, lane: Lane = Lane.INTERNAL) -> T:
        result: T = self._run(job, timeout=timeout, lane=lane)
        return result

    def prepare_resource(self, name: str, graphs: Sequence[str]) -> None:
        # A new version: workers forked before now do not have the resource.
        self._changed(self._call("prepare_resource", name, tuple(graphs)))

    # -- writing -------------------------------------------------------------------------

    def update_effect(self, request: UpdateRequest) -> Delta:
        delta: Delta = self._run(
            UpdateEffectJob(request), timeout=request.timeout, lane=Lane.INTERNAL, dirty=True
        )
        return delta

    def apply(self, change: ChangeSet) -> None:
        message = ("apply", change)
        self._changed(self._call(*message), message)

    def redact(self, redaction: Redaction) -> RedactionOutcome:
        outcome: RedactionOutcome = self._call("redact", redaction)
        # The pool moves to the new version before the caller hears of it: no worker forked
        # before the redaction serves another request.
        self._changed(outcome.version)
        return outcome

    def applied_meta(self) -> Mapping[str, Mapping[str, str]]:
        found: Mapping[str, Mapping[str, str]] = self._call("applied_meta")
        return found

    def rewrite_metadata(self, removed: Sequence[Quad], added: Sequence[Quad]) -> None:
        self._changed(self._call("rewrite_metadata", list(removed), list(added)))

    def load_file(self, graph: str, path: Path, fmt: Format) -> int:
        count, version = self._call("load_file", graph, str(path), fmt)
        self._changed(version)
        return int(count)

    def drop_graph(self, graph: str) -> None:
        message = ("drop_graph", graph)
        self._changed(self._call(*message), message)

    def content_hash(self, graph: str) -> str | None:
        found: str | None = self._call("content_hash", graph)
        return found

    def cited_sources(self, graph: str) -> list[str]:
        found: list[str] = self._call("cited_sources", graph)
        return found

    def set_metadata(self, graph: str, statements: Sequence[tuple[URIRef, Term]]) -> None:
        message = ("set_metadata", graph, list(statements))
        self._changed(self._call(*message), message)

    def replace_graph(self, graph: str, quads: Sequence[Quad]) -> int:
        message = ("replace_graph", graph, list(quads))
        count, version = self._call(*message)
        self._changed(version, message)
        return int(count)

    def set_entailment(self, rule_graphs: Sequence[str], target: str) -> int:
        count, version = self._call("set_entailment", tuple(rule_graphs), target)
        self._changed(version)
        return int(count)

    def replay_journal(self) -> int:
        count, version = self._call("replay")
        self._changed(version)
        return int(count)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._pool is None:
            self._pool = WorkerPool(
                self._spawn_worker,
                self._limits,
                version=self._version,
                writes_since=self._writes_since,
            )

    def runtime_stats(self) -> Mapping[str, int]:
        return self._pool.snapshot() if self._pool is not None else {}

    def process_ids(self) -> dict[str, Any]:
        """The store process and worker pids (health checks and tests)."""
        return {
            "store": self._process.pid,
            "workers": self._pool.worker_pids() if self._pool is not None else [],
        }

    def close(self) -> None:
        if self._closed:
            return
        if self._pool is not None:
            self._pool.close()
        with contextlib.suppress(Exception):
            self._call("close")
        with self._lock:
            self._closed = True
            with contextlib.suppress(OSError):
                self._control.close()
            with contextlib.suppress(OSError):
                self._lifeline.close()
        self._process.join(timeout=5)
        if self._process.is_alive():  # pragma: no cover - only if the process hangs
            self._process.kill()
            self._process.join(timeout=5)
