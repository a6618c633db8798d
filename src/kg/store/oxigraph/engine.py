"""The store process: the one authoritative copy of the dataset, and the parent of the workers.

It is started from multiprocessing's fork server (a clean, single-threaded process that receives
only the descriptors it is given), holds the pyoxigraph store, the journal and the resources
prepared for jobs, and answers control messages from the server one at a time: loads, change
sets, descriptions, and requests for a new worker.

A worker is an ``os.fork()`` of this single-threaded process, so it shares the dataset
copy-on-write (no copy, no reload) and nothing is locked by another thread at the moment of the
fork. The worker's socket goes back to the server with ``SCM_RIGHTS``; from then on the server
talks to the worker directly and kills it when its deadline passes. Workers and this process
watch the server's lifeline and die with it (see :mod:`kg.workers.lifeline`); workers also die
with this process.

This process never parses or evaluates anything a client sent: queries, updates, uploads and
SHACL validation all run in workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import resource
import signal
import socket
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import send_handle
from pathlib import Path
from typing import Any, NoReturn

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import KgError, StoreError
from kg.formats import Format
from kg.rdfio import from_ox, nt
from kg.sparql.policy import Policy
from kg.store.base import ChangeSet, DatasetDescription, Purge, Redaction, RedactionOutcome
from kg.store.journal import Journal, purge_digest
from kg.store.oxigraph.dataset import DCT_SOURCE, NativeDataset
from kg.store.oxigraph.entailment import Entailment
from kg.store.oxigraph.jobs import WorkerContext
from kg.terms import Quad, Term, Triple, URIRef
from kg.workers.handle import encode_error
from kg.workers.lifeline import die_with_parent, set_process_name, watch
from kg.workers.sandbox import Sandbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineConfig:
    kind: str
    journal: str | None
    worker_memory_mb: int
    server_pid: int
    policy: Policy = field(default_factory=Policy)


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - not Linux
        return 0


class Engine:
    """The state of the store process and its control operations."""

    def __init__(self, config: EngineConfig, control: Connection, lifeline: Connection) -> None:
        self.config = config
        self.control = control
        self.lifeline = lifeline
        self.dataset = NativeDataset()
        self.journal = Journal(Path(config.journal)) if config.journal else None
        self.version = 0
        self.resources: dict[str, Graph] = {}
        self._resource_graphs: dict[str, tuple[str, ...]] = {}
        self.entailment: Entailment | None = None
        #: The meta of every change set applied since start, by id (see Store.applied_meta).
        self.metas: dict[str, dict[str, str]] = {}

    # -- control operations --------------------------------------------------------------

    def _changed(self, graphs: set[str]) -> int:
        self.version += 1
        for name, wanted in self._resource_graphs.items():
            if graphs & set(wanted):
                self.resources[name] = self._build_resource(wanted)
        return self.version

    def describe(self) -> DatasetDescription:
        return DatasetDescription(self.config.kind, self.version, self.dataset.graphs())

    def _rematerialise(self) -> None:
        if self.entailment is not None:
            self.entailment.materialise()

    def load_file(self, graph: str, path: str, fmt: Format) -> tuple[int, int]:
        count = self.dataset.load_file(graph, Path(path), fmt)
        self._rematerialise()
        return count, self._changed({graph})

    def drop_graph(self, graph: str) -> int:
        self.dataset.drop_graph(graph)
        self._rematerialise()
        return self._changed({graph})

    def set_metadata(self, graph: str, statements: Sequence[tuple[URIRef, Term]]) -> int:
        touched = self.dataset.set_metadata(graph, statements)
        if self.entailment is not None:
            self.entailment.follow(touched)
        return self._changed(set())

    def replace_graph(self, graph: str, quads: Sequence[Quad]) -> tuple[int, int]:
        before = self.dataset.graph_quads(graph) if self.entailment is not None else []
        self.dataset.drop_graph(graph)
        self.dataset.apply((), [q.in_graph(URIRef(graph)) for q in quads])
        if self.entailment is not None:
            # Only what changed, not a full recomputation: the query catalogue is replaced at
            # every start, and recomputing every entailment over a voting history takes long.
            self.entailment.follow((*before, *self.dataset.graph_quads(graph)))
        return self.dataset.counts.get(graph, 0), self._changed({graph})

    def apply(self, change: ChangeSet) -> int:
        if self.journal is not None:
            self.journal.append(change)
        return self._changed(self._apply(change))

    def _apply(self, change: ChangeSet) -> set[str]:
        """Apply ``change`` to the dataset (not the journal); the graphs it touched."""
        purged = self._purge(change.purge) if change.purge is not None else []
        removed = (*purged, *change.removed)
        self.dataset.apply(removed, change.added)
        if self.entailment is not None:
            self.entailment.follow((*removed, *change.added))
        self.metas[change.id] = dict(change.meta)
        return {str(q.g) for q in (*removed, *change.added)}

    def _purge(self, purge: Purge) -> list[Quad]:
        """The quads a replayed redaction names by digest (in the graphs it names by digest)."""
        key = bytes.fromhex(purge.key)
        graphs = set(purge.graphs)
        wanted = set(purge.quads)
        return [
            q
            for name in list(self.dataset.counts)
            if purge_digest(key, graph=name) in graphs
            for q in self.dataset.graph_quads(name)
            if purge_digest(key, quad=q) in wanted
        ]

    def _holding(self, triples: frozenset[Triple]) -> list[Quad]:
        """Every quad of ``triples`` in a named graph (entailments left to follow)."""
        target = self.entailment.target if self.entailment is not None else None
        found: list[Quad] = []
        for t in triples:
            for graph in self.dataset.asserting_graphs(t.s, t.p, t.o):
                if graph != target:
                    found.append(Quad(t.s, t.p, t.o, URIRef(graph)))
        return found

    def redact(self, redaction: Redaction) -> RedactionOutcome:
        """Remove the content of ``redaction`` from the dataset and from the journal."""
        purged = self._holding(redaction.triples)
        key = redaction.key
        purge = Purge(
            key=key.hex(),
            graphs=tuple(sorted({purge_digest(key, graph=str(q.g)) for q in purged})),
            quads=tuple(sorted({purge_digest(key, quad=q) for q in purged})),
        )
        replace = redaction.replace
        triples = redaction.triples

        def edit(change: ChangeSet) -> ChangeSet:
            def keep(quads: tuple[Quad, ...]) -> tuple[Quad, ...]:
                out: list[Quad] = []
                for q in quads:
                    if q.triple in triples:
                        continue
                    new = replace.get(q, q)
                    if new is not None:
                        out.append(new)
                return tuple(out)

            removed, added = keep(change.removed), keep(change.added)
            if removed == change.removed and added == change.added:
                return change
            return dataclasses.replace(change, removed=removed, added=added)

        record = dataclasses.replace(redaction.record, purge=purge)
        leftovers: tuple[str, ...] = ()
        if self.journal is not None:
            # A record can hold a quad to drop or replace only if it names the quad's subject,
            # as the journal writes it (N-Quads term inside a JSON string).
            subjects = {t.s for t in triples} | {q.s for q in replace}
            mentions = [json.dumps(nt(s), ensure_ascii=False)[1:-1].encode() for s in subjects]
            self.journal.rewrite(edit, record, mentions=mentions)
            leftovers = tuple(str(p) for p in self.journal.leftovers())
        old = [q for q in replace if self.dataset.contains(q)]
        new = [q for q in replace.values() if q is not None]
        # The redaction's own record is applied without its purge: the quads are known here.
        change = dataclasses.replace(
            record, removed=(*purged, *old), added=(*new, *record.added), purge=None
        )
        version = self._changed(self._apply(change))
        return RedactionOutcome(version, len(purged), leftovers)

    def rewrite_metadata(self, removed: Sequence[Quad], added: Sequence[Quad]) -> int:
        """Derived quads of the metadata graph, not journalled (rebuilt at every start)."""
        self.dataset.apply(removed, added)
        if self.entailment is not None:
            self.entailment.follow((*removed, *added))
        return self._changed(set())

    def set_entailment(self, rule_graphs: Sequence[str], target: str) -> tuple[int, int]:
        """Materialise the rules of ``rule_graphs`` into ``target`` and keep it current."""
        self.entailment = Entailment(self.dataset, rule_graphs, target)
        count = self.entailment.materialise()
        return count, self._changed({target})

    def replay(self) -> tuple[int, int]:
        if self.journal is None:
            return 0, self.version
        replayed = 0
        graphs: set[str] = set()
        for change in self.journal.replay():
            graphs.update(self._apply(change))
            replayed += 1
        if replayed:
            log.info("replayed %d change sets from %s", replayed, self.journal.path)
        return replayed, self._changed(graphs)

    def _build_resource(self, graphs: Sequence[str]) -> Graph:
        out = Graph()
        for graph in graphs:
            for q in self.dataset.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                out.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return out

    def prepare_resource(self, name: str, graphs: Sequence[str]) -> int:
        """Keep an rdflib copy of ``graphs`` for jobs; workers forked from now on have it."""
        self._resource_graphs[name] = tuple(graphs)
        self.resources[name] = self._build_resource(graphs)
        return self._changed(set())

    def spawn_worker(self) -> None:
        """Fork a worker and pass the server its end of the worker's socket."""
        server_end, worker_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            server_end.close()
            _worker_main(self, worker_end)
        worker_end.close()
        try:
            self.control.send(("ok", (pid, self.version)))
            send_handle(self.control, server_end.fileno(), self.config.server_pid)
        finally:
            server_end.close()

    # -- the loop ------------------------------------------------------------------------

    def handle(self, message: tuple[Any, ...]) -> Any:
        op, *args = message
        if op == "describe":
            return self.describe()
        if op == "load_file":
            return self.load_file(*args)
        if op == "drop_graph":
            return self.drop_graph(*args)
        if op == "content_hash":
            return self.dataset.content_hash(*args)
        if op == "cited_sources":
            return self.dataset.distinct_objects(DCT_SOURCE, *args)
        if op == "set_metadata":
            return self.set_metadata(*args)
        if op == "replace_graph":
            return self.replace_graph(*args)
        if op == "apply":
            return self.apply(*args)
        if op == "redact":
            return self.redact(*args)
        if op == "rewrite_metadata":
            return self.rewrite_metadata(*args)
        if op == "applied_meta":
            return self.metas
        if op == "set_entailment":
            return self.set_entailment(*args)
        if op == "replay":
            return self.replay()
        if op == "prepare_resource":
            return self.prepare_resource(*args)
        raise StoreError(f"unknown store operation {op!r}")

    def serve(self) -> None:
        while True:
            ready = wait([self.control, self.lifeline], timeout=0.5)
            _reap()
            if self.lifeline in ready:
                return  # the server is gone
            if self.control not in ready:
                continue
            try:
                message = self.control.recv()
            except (EOFError, OSError):
                return
            if message[0] == "close":
                if self.journal is not None:
                    self.journal.close()
                self.control.send(("ok", None))
                return
            if message[0] == "spawn":
                try:
                    self.spawn_worker()
                except OSError as exc:
                    self.control.send(("error", encode_error(StoreError(f"fork failed: {exc}"))))
                continue
            try:
                reply: tuple[str, Any] = ("ok", self.handle(message))
            except KgError as exc:
                reply = ("error", encode_error(exc))
            except Exception as exc:
                log.error("store operation %s failed:\n%s", message[0], traceback.format_exc())
                reply = ("error", encode_error(StoreError(f"the store failed: {exc}")))
            self.control.send(reply)


def _reap() -> None:
    """Collect exited workers (they are this process's children)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _worker_main(engine: Engine, sock: socket.socket) -> NoReturn:
    """The loop of one worker: receive a job, run it, answer; exit with the server."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        watch(engine.lifeline.fileno())
        set_process_name("kg-worker")
        engine.control.close()
        if engine.config.worker_memory_mb > 0:
            vm = _vm_size()
            if vm:
                limit = vm + engine.config.worker_memory_mb * 1024 * 1024
                with contextlib.suppress(ValueError, OSError):
                    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        engine.journal = None  # the store process alone writes the journal
        conn = Connection(sock.detach())
        sandbox = Sandbox.for_this_process()
        sandbox.install()

        def context() -> WorkerContext:
            return WorkerContext(
                engine.dataset, dict(engine.resources), policy=engine.config.policy, sandbox=sandbox
            )

        ctx = context()
        while True:
            try:
                kind, job = conn.recv()
            except (EOFError, OSError):
                break
            if kind == "catch_up":
                conn.send(_catch_up(engine, job))
                ctx = context()  # the resources may have been rebuilt
                continue
            if kind != "job":
                break
            conn.send(_run_job(ctx, job))
    except BaseException:  # pragma: no cover - last resort: never return into the engine
        code = 1
    os._exit(code)


#: Control operations a worker can replay on its own copy to follow the store process. Each moves
#: the version by exactly one and depends only on its arguments and the dataset, so a worker that
#: replays the same operations in the same order holds the same dataset, entailments and
#: resources as the store process (loads read files, which may have changed: not replayable).
REPLAYABLE = frozenset({"apply", "set_metadata", "replace_graph", "drop_graph"})


def _catch_up(engine: Engine, messages: Sequence[tuple[Any, ...]]) -> tuple[str, Any]:
    """Replay the store process's writes on this worker's copy (see :data:`REPLAYABLE`)."""
    try:
        for message in messages:
            if message[0] not in REPLAYABLE:
                raise StoreError(f"{message[0]} cannot be replayed by a worker")
            engine.handle(message)
    except Exception as exc:  # the worker's copy is now unknown: the server retires it
        return ("crash", f"catch-up failed: {type(exc).__name__}: {exc}")
    return ("ok", engine.version)


def _run_job(ctx: WorkerContext, job: Any) -> tuple[str, Any]:
    try:
        with ctx.sandbox.active():
            return ("ok", job.run(ctx))
    except KgError as exc:
        return ("error", encode_error(exc))
    except MemoryError:
        return (
            "error",
            encode_error(
                StoreError(
                    "the evaluation needed more memory than one worker may use "
                    "(KG_QUERY_MEMORY_MB) and was stopped"
                )
            ),
        )
    except RecursionError:
        return ("error", encode_error(StoreError("the evaluation nested too deeply")))
    except Exception as exc:
        return ("crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")


def main(config: EngineConfig, control: Connection, lifeline: Connection) -> None:
    """Entry point of the store process (started through the fork server)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    set_process_name("kg-store")
    Engine(config, control, lifeline).serve()
