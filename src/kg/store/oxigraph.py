"""The Oxigraph-backed store: in memory (optionally journalled) or on disk.

Named graphs hold the data; the store's default graph holds their set union, kept in step on
every load and change, so that queries over the default graph see each triple once (Oxigraph's
own "union default graph" mode is a bag and would count a triple asserted by two sources
twice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
)

from kg.errors import RdfSyntaxError, StoreError
from kg.namespaces import GRAPH, UNHR
from kg.sparql.evaluate import QueryRequest, QueryResponse
from kg.store.base import ChangeSet, GraphStats
from kg.store.journal import Journal
from kg.store.workers import Executor, ForkPool, InlineExecutor

log = logging.getLogger(__name__)

METADATA_GRAPH = NamedNode(f"{GRAPH}metadata")
CONTENT_HASH = NamedNode(f"{UNHR}contentHash")
DEFAULT = DefaultGraph()
Term = NamedNode | BlankNode | Literal


class OxigraphStore:
    """A :class:`kg.store.base.Store` over pyoxigraph."""

    def __init__(
        self,
        *,
        kind: str,
        path: Path | None = None,
        journal: Path | None = None,
        workers: int = 0,
        worker_memory_mb: int = 2048,
    ) -> None:
        self.kind = kind
        self.persistent = path is not None or journal is not None
        self._path = path
        try:
            self._store = Store(str(path)) if path is not None else Store()
        except OSError as exc:
            raise StoreError(f"cannot open the on-disk store at {path}: {exc}") from exc
        self._write_lock = threading.Lock()
        self._journal = Journal(journal) if journal is not None else None
        self._workers = workers
        self._worker_memory_mb = worker_memory_mb
        self._executor: Executor = InlineExecutor(self._store)
        #: Incremented on every change, so that caches of derived answers know to refresh.
        self.version = 0

    def replay_journal(self) -> int:
        """Re-apply the journalled change sets (after the files are loaded); return how many."""
        if self._journal is None:
            return 0
        replayed = 0
        with self._write_lock:
            for changes in self._journal.replay():
                self._apply_in_memory(changes)
                replayed += 1
            self._changed()
        if replayed:
            log.info("replayed %d change sets from %s", replayed, self._journal.path)
        return replayed

    # -- reading -------------------------------------------------------------------------

    def execute(self, request: QueryRequest) -> QueryResponse:
        return self._executor.execute(request)

    def graph_names(self) -> frozenset[str]:
        return frozenset(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def graph_stats(self) -> list[GraphStats]:
        rows = self._store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        return [GraphStats(r["g"].value, int(r["n"].value)) for r in rows]  # type: ignore[union-attr]

    def quad_count(self) -> int:
        return sum(s.triples for s in self.graph_stats())

    def content_hash(self, graph: str) -> str | None:
        for quad in self._store.quads_for_pattern(
            NamedNode(graph), CONTENT_HASH, None, METADATA_GRAPH
        ):
            if isinstance(quad.object, Literal):
                return quad.object.value
        return None

    def distinct_iri_objects(self, predicate: str, graph: str) -> list[str]:
        """Sorted distinct IRI objects of ``predicate`` in ``graph``."""
        found = {
            q.object.value
            for q in self._store.quads_for_pattern(
                None, NamedNode(predicate), None, NamedNode(graph)
            )
            if isinstance(q.object, NamedNode)
        }
        return sorted(found)

    def triples_about(self, node: NamedNode | BlankNode) -> list[tuple[Term, NamedNode, Term]]:
        """The triples of the (union) default graph with ``node`` as subject."""
        return [
            (q.subject, q.predicate, q.object)  # type: ignore[misc]
            for q in self._store.quads_for_pattern(node, None, None, DEFAULT)
        ]

    def quads_matching(
        self,
        subject: NamedNode | BlankNode | None,
        predicate: NamedNode | None,
        obj: Term | None,
        graph: NamedNode | None = None,
    ) -> list[Quad]:
        """Quads matching a pattern, in the named graphs (and default graph) of the store."""
        return list(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def all_quads(self) -> list[Quad]:
        return list(self._store.quads_for_pattern(None, None, None, None))

    # -- writing -------------------------------------------------------------------------

    def _default_add(self, quads: list[Quad]) -> None:
        self._store.extend([Quad(q.subject, q.predicate, q.object, DEFAULT) for q in quads])

    def _default_remove_orphans(self, quads: list[Quad]) -> None:
        """Drop from the default graph the triples no named graph asserts any more."""
        for q in quads:
            still = any(
                not isinstance(other.graph_name, DefaultGraph)
                for other in self._store.quads_for_pattern(q.subject, q.predicate, q.object)
            )
            if not still:
                self._store.remove(Quad(q.subject, q.predicate, q.object, DEFAULT))

    def _drop(self, graph: NamedNode) -> None:
        old = list(self._store.quads_for_pattern(None, None, None, graph))
        if self._store.contains_named_graph(graph):
            self._store.remove_graph(graph)
        self._default_remove_orphans(old)

    def replace_graph(self, graph: str, path: Path) -> int:
        target = NamedNode(graph)
        try:
            with open(path, "rb") as fh:
                quads = [
                    Quad(q.subject, q.predicate, q.object, target)
                    for q in parse(fh, format=RdfFormat.TURTLE, base_iri=None)
                ]
        except SyntaxError as exc:
            raise RdfSyntaxError(f"{path}: {exc}", file=str(path)) from None
        return self.replace_graph_with(graph, quads)

    def replace_graph_with(self, graph: str, quads: list[Quad]) -> int:
        """Replace ``graph`` by ``quads`` (whose graph names are ignored)."""
        target = NamedNode(graph)
        quads = [Quad(q.subject, q.predicate, q.object, target) for q in quads]
        with self._write_lock:
            self._drop(target)
            self._store.extend(quads)
            self._default_add(quads)
            self._changed()
        return len(quads)

    def _changed(self) -> None:
        self.version += 1
        self._executor.invalidate()

    def set_metadata(self, graph: str, statements: Sequence[tuple[NamedNode, Term]]) -> None:
        """Replace what the metadata graph says about ``graph`` by ``statements``."""
        subject = NamedNode(graph)
        with self._write_lock:
            old = list(self._store.quads_for_pattern(subject, None, None, METADATA_GRAPH))
            for q in old:
                self._store.remove(q)
            self._default_remove_orphans(old)
            new = [Quad(subject, p, o, METADATA_GRAPH) for p, o in statements]
            self._store.extend(new)
            self._default_add(new)
            self._changed()

    def drop_graph(self, graph: str) -> None:
        with self._write_lock:
            self._drop(NamedNode(graph))
            self._changed()
        self.set_metadata(graph, [])

    def add_quads(self, quads: list[Quad]) -> None:
        """Add quads to their named graphs (and the default graph), unjournalled."""
        with self._write_lock:
            self._store.extend(quads)
            self._default_add(quads)
            self._changed()

    def _apply_in_memory(self, changes: ChangeSet) -> None:
        removed = list(parse(changes.remove_nquads.encode(), format=RdfFormat.N_QUADS))
        added = list(parse(changes.add_nquads.encode(), format=RdfFormat.N_QUADS))
        for q in removed:
            self._store.remove(q)
        self._default_remove_orphans(removed)
        self._store.extend(added)
        self._default_add(added)
        for graph in {q.graph_name for q in removed if isinstance(q.graph_name, NamedNode)}:
            if not any(True for _ in self._store.quads_for_pattern(None, None, None, graph)):
                self._store.remove_graph(graph)

    def apply(self, changes: ChangeSet) -> None:
        with self._write_lock:
            if self._journal is not None:
                self._journal.append(changes)
            self._apply_in_memory(changes)
            self._changed()

    # -- lifecycle -----------------------------------------------------------------------

    def start_workers(self) -> None:
        if self._path is not None and self._workers > 0:
            # RocksDB's threads and locks do not survive a fork, and a read-only view opened
            # beside a writing primary can lose files to compaction: the disk store answers in
            # server threads, where a deadline abandons a query but cannot stop it.
            log.warning("store 'disk' evaluates queries in threads; query_workers is ignored")
            return
        if self._workers > 0 and isinstance(self._executor, InlineExecutor):
            self._executor = ForkPool(
                self._store,
                size=self._workers,
                memory_mb=self._worker_memory_mb,
                fork_lock=self._write_lock,
            )

    def close(self) -> None:
        self._executor.close()
        self._executor = InlineExecutor(self._store)
        if self._journal is not None:
            self._journal.close()
        if hasattr(self._store, "flush") and self.kind == "disk":
            self._store.flush()
