"""The effect of a SPARQL Update on this store, computed in a worker on its private copy.

A worker is a fork of the store process, so its store is a private copy-on-write snapshot: the
update's operations are evaluated one after the other (each WHERE as a SELECT, its templates
filled in by :mod:`kg.sparql.update_plan`), and each operation's effect is applied to that
private copy so that the next operation sees it, as SPARQL 1.1 Update requires. Nothing is
copied up front, the worker's deadline bounds the whole computation, and the worker is thrown
away afterwards. The result is the net :class:`~kg.store.base.Delta` for the real store.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import BadRequest, NotFound, PayloadTooLarge
from kg.sparql.iris import resolve_iri
from kg.sparql.operation import syntax_error_from_engine
from kg.sparql.update_plan import (
    GraphRef,
    UpdateOperation,
    instantiate,
    parse_template,
    plan_update,
    where_query,
)
from kg.store.base import Delta, UpdateRequest
from kg.store.oxigraph.dataset import NativeDataset
from kg.store.oxigraph.evaluate import OxReader
from kg.terms import DEFAULT_GRAPH, Quad, URIRef


class _Net:
    """The net change of a sequence of operations, relative to the starting state."""

    def __init__(self, limit: int) -> None:
        self.removed: set[Quad] = set()
        self.added: set[Quad] = set()
        self.limit = limit

    def record(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        for q in removed:
            if q in self.added:
                self.added.discard(q)
            else:
                self.removed.add(q)
        for q in added:
            if q in self.removed:
                self.removed.discard(q)
            else:
                self.added.add(q)
        if len(self.removed) + len(self.added) > self.limit:
            raise PayloadTooLarge(
                f"the update would change more than {self.limit} triples; one write changes at "
                "most that many (KG_MAX_WRITE_TRIPLES): split it",
                limit=self.limit,
            )


def _check_syntax(request: UpdateRequest) -> None:
    """Parse with the engine first (on an empty scratch store), for its positioned errors."""
    try:
        ox.Store().update(request.text, base_iri=request.base_iri)
    except SyntaxError as exc:
        raise syntax_error_from_engine(str(exc)) from None
    except Exception:  # noqa: S110 - evaluating on an empty store may fail (DROP of a missing
        pass  # graph, …): that is not a syntax error, and the real evaluation comes next


class _Evaluator:
    def __init__(self, dataset: NativeDataset, request: UpdateRequest) -> None:
        self.dataset = dataset
        self.request = request
        self.reader = OxReader(dataset.store)
        self.target = URIRef(request.target_graph)

    def iri(self, token: str, op: UpdateOperation) -> str:
        return resolve_iri(token, op.prologue, base_iri=self.request.base_iri)

    def graph_exists(self, graph: str) -> bool:
        return graph in self.dataset.counts

    def quads_of(self, ref: GraphRef, op: UpdateOperation) -> list[Quad]:
        if ref.kind == "graph":
            assert ref.iri is not None
            return self.dataset.graph_quads(self.iri(ref.iri, op))
        if ref.kind == "default":
            return list(self.reader.quads(g=DEFAULT_GRAPH))
        return [q for q in self.reader.quads() if not q.in_default_graph]

    def where_solutions(self, op: UpdateOperation) -> list[dict[str, object]]:
        default: list[str] | None = None
        named: list[str] | None = None
        if self.request.using_graphs is not None or self.request.using_named_graphs is not None:
            default = list(self.request.using_graphs or ())
            named = list(self.request.using_named_graphs or ())
        elif op.has_dataset_clause:
            default = [self.iri(t, op) for t in op.using]
            named = [self.iri(t, op) for t in op.using_named]
        elif op.with_graph is not None:
            default = [self.iri(op.with_graph, op)]
        rows = self.reader.select(
            where_query(op),
            default_graphs=default,
            named_graphs=named,
            max_rows=self.request.max_changes + 1,
        )
        if rows.truncated:
            raise PayloadTooLarge(
                f"the update's WHERE clause matches more than {self.request.max_changes} "
                "solutions (KG_MAX_WRITE_TRIPLES); narrow it or split the update",
                limit=self.request.max_changes,
            )
        return [dict(row) for row in rows]

    def effect(self, op: UpdateOperation) -> tuple[list[Quad], list[Quad]]:
        """Quads ``op`` removes and adds (default-graph quads not yet resolved)."""
        base = self.request.base_iri
        if op.kind in ("insert_data", "delete_data"):
            block = op.insert_template or op.delete_template
            assert block is not None
            quads = instantiate(parse_template(block, op.prologue, base_iri=base), {})
            return ([], quads) if op.kind == "insert_data" else (quads, [])
        if op.kind in ("modify", "delete_where"):
            graph = DEFAULT_GRAPH
            if op.with_graph is not None:
                graph = URIRef(self.iri(op.with_graph, op))
            delete = (
                parse_template(op.delete_template, op.prologue, base_iri=base)
                if op.delete_template
                else None
            )
            insert = (
                parse_template(op.insert_template, op.prologue, base_iri=base)
                if op.insert_template
                else None
            )
            removed: list[Quad] = []
            added: list[Quad] = []
            for row in self.where_solutions(op):
                if delete is not None:
                    removed += instantiate(delete, row, default_graph=graph)  # type: ignore[arg-type]
                if insert is not None:
                    added += instantiate(insert, row, default_graph=graph)  # type: ignore[arg-type]
            return removed, added
        return self.graph_management(op)

    def graph_management(self, op: UpdateOperation) -> tuple[list[Quad], list[Quad]]:
        if op.kind in ("clear", "drop"):
            assert op.target is not None
            if op.target.kind == "graph":
                assert op.target.iri is not None
                graph = self.iri(op.target.iri, op)
                if not self.graph_exists(graph) and not op.silent:
                    raise NotFound(
                        f"{op.kind.upper()}: graph <{graph}> does not exist (add SILENT to "
                        "ignore that)",
                        graph=graph,
                    )
            return self.quads_of(op.target, op), []
        if op.kind == "create":
            assert op.target is not None and op.target.iri is not None
            graph = self.iri(op.target.iri, op)
            if self.graph_exists(graph) and not op.silent:
                raise BadRequest(f"CREATE: graph <{graph}> already exists", graph=graph)
            return [], []
        assert op.source is not None and op.target is not None
        source, target = op.source, op.target
        src_iri = self.iri(source.iri, op) if source.iri else None
        dst_iri = self.iri(target.iri, op) if target.iri else None
        if (source.kind, src_iri) == (target.kind, dst_iri):
            return [], []
        if source.kind == "graph" and src_iri is not None and not self.graph_exists(src_iri):
            if op.silent:
                return [], []
            raise NotFound(f"{op.kind.upper()}: graph <{src_iri}> does not exist", graph=src_iri)
        into = URIRef(dst_iri) if dst_iri is not None else DEFAULT_GRAPH
        copied = [q.in_graph(into) for q in self.quads_of(source, op)]
        removed: list[Quad] = []
        if op.kind in ("copy", "move"):
            removed += self.quads_of(target, op)
        if op.kind == "move":
            removed += self.quads_of(source, op)
        return removed, copied

    def resolve_default(
        self, removed: list[Quad], added: list[Quad]
    ) -> tuple[set[Quad], set[Quad]]:
        """The default graph is the union: inserting into it writes the change set's graph;
        deleting from it deletes the triple from every graph that asserts it."""
        named_removed: set[Quad] = set()
        for q in removed:
            if q.in_default_graph:
                named_removed.update(
                    Quad(q.s, q.p, q.o, URIRef(g))
                    for g in self.dataset.asserting_graphs(q.s, q.p, q.o)
                )
            else:
                named_removed.add(q)
        named_added = {q.in_graph(self.target) if q.in_default_graph else q for q in added}
        return named_removed, named_added


def compute_effect(dataset: NativeDataset, request: UpdateRequest) -> Delta:
    """The net quads ``request`` would remove and add (``dataset`` is changed: a scratch copy)."""
    _check_syntax(request)
    evaluator = _Evaluator(dataset, request)
    net = _Net(request.max_changes)
    for op in plan_update(request.text):
        raw_removed, raw_added = evaluator.effect(op)
        removed, added = evaluator.resolve_default(raw_removed, raw_added)
        removed = {q for q in removed if dataset.contains(q)}
        added = {q for q in added if q in removed or not dataset.contains(q)}
        net.record(removed, added)
        dataset.apply(removed, added)
    return Delta(
        removed=tuple(sorted(net.removed, key=_order)),
        added=tuple(sorted(net.added, key=_order)),
    )


def _order(q: Quad) -> tuple[str, str, str, str]:
    return (str(q.g), str(q.s), str(q.p), q.o.n3())


__all__ = ["compute_effect"]
