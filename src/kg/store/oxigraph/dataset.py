"""A pyoxigraph store kept as this project's dataset: named graphs plus their set union.

Oxigraph's own "union default graph" mode is a bag (a triple asserted by two sources would be
counted twice), so the union is materialised in the store's default graph and kept equal to
the set union of the named graphs on every load and change. This module is the only place that
knows; it is used by the store process (the authoritative copy) and by a worker computing the
effect of an update on its private copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import namespaces
from kg.errors import RdfSyntaxError, StoreError
from kg.formats import Format
from kg.namespaces import UNHR
from kg.rdfio import from_ox_quad, ox_format, to_ox, to_ox_quad
from kg.store.base import GraphInfo
from kg.terms import Quad, Term, URIRef

METADATA_GRAPH = namespaces.METADATA_GRAPH
CONTENT_HASH = f"{UNHR}contentHash"
DCT_SOURCE = "http://purl.org/dc/terms/source"
_DEFAULT = ox.DefaultGraph()


def _named(graph: str) -> ox.NamedNode:
    return ox.NamedNode(graph)


class NativeDataset:
    """Named graphs and their materialised set union, with per-graph triple counts."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self.store = store if store is not None else ox.Store()
        self.counts: dict[str, int] = {}

    # -- reading -------------------------------------------------------------------------

    def _count(self, graph: str) -> int:
        rows = self.store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_named(graph)} {{ ?s ?p ?o }} }}"
        )
        for row in rows:  # type: ignore[union-attr]
            return int(row["n"].value)
        return 0  # pragma: no cover - COUNT always answers one row

    def recount(self) -> None:
        self.counts = {
            g.value: self._count(g.value)
            for g in self.store.named_graphs()
            if isinstance(g, ox.NamedNode)
        }
        self.counts = {g: n for g, n in self.counts.items() if n}

    def graphs(self) -> tuple[GraphInfo, ...]:
        return tuple(GraphInfo(g, n) for g, n in sorted(self.counts.items()))

    def content_hash(self, graph: str) -> str | None:
        for q in self.store.quads_for_pattern(
            _named(graph), _named(CONTENT_HASH), None, _named(METADATA_GRAPH)
        ):
            if isinstance(q.object, ox.Literal):
                return q.object.value
        return None

    def distinct_objects(self, predicate: str, graph: str) -> list[str]:
        found = {
            q.object.value
            for q in self.store.quads_for_pattern(None, _named(predicate), None, _named(graph))
            if isinstance(q.object, ox.NamedNode)
        }
        return sorted(found)

    # -- whole graphs --------------------------------------------------------------------

    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and, from the union, the triples no other graph asserts."""
        g = _named(graph)
        if not self.store.contains_named_graph(g):
            self.counts.pop(graph, None)
            return
        self.store.update(
            "DELETE { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } FILTER(?h != ?g) } }".replace("?g", str(g))
        )
        self.store.remove_graph(g)
        self.counts.pop(graph, None)

    def _has_blank_nodes(self, graph: str) -> bool:
        found = self.store.query(
            f"ASK {{ GRAPH {_named(graph)} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"
        )
        return bool(found)

    def _relabel_blank_nodes(self, graph: str) -> None:
        g = _named(graph)
        dataset = ox.Dataset(
            ox.Quad(q.subject, q.predicate, q.object)
            for q in self.store.quads_for_pattern(None, None, None, g)
        )
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        prefix = "g" + hashlib.sha256(graph.encode()).hexdigest()[:12]

        def stable(term: Any) -> Any:
            return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

        self.store.remove_graph(g)
        self.store.extend(
            ox.Quad(stable(q.subject), q.predicate, stable(q.object), g) for q in dataset
        )

    def _add_graph_to_union(self, graph: str) -> None:
        # Through the engine, so blank nodes keep their identity in the union copy.
        self.store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {_named(graph)} {{ ?s ?p ?o }} }}")

    def load_file(self, graph: str, path: Path, fmt: Format) -> int:
        """Replace ``graph`` by the document at ``path`` with the bulk loader.

        Blank nodes get labels that depend only on the graph's content (RDF canonicalization,
        RDFC-1.0, prefixed by the graph), so that a change set recorded against them finds
        them again when the file is loaded at the next start.
        """
        self.drop_graph(graph)
        try:
            self.store.bulk_load(path=str(path), format=ox_format(fmt), to_graph=_named(graph))
            if self._has_blank_nodes(graph):
                self._relabel_blank_nodes(graph)
        except SyntaxError as exc:
            self.drop_graph(graph)
            raise RdfSyntaxError(f"{path}: {exc}", file=str(path)) from None
        except OSError as exc:
            self.drop_graph(graph)
            raise StoreError(f"cannot load {path}: {exc}") from None
        self._add_graph_to_union(graph)
        self.counts[graph] = self._count(graph)
        if not self.counts[graph]:
            self.drop_graph(graph)
            return 0
        return self.counts[graph]

    def set_metadata(self, graph: str, statements: Sequence[tuple[URIRef, Term]]) -> list[Quad]:
        """Replace what the metadata graph says about ``graph``; return the quads touched."""
        subject = URIRef(graph)
        meta = URIRef(METADATA_GRAPH)
        old = [
            from_ox_quad(q)
            for q in self.store.quads_for_pattern(_named(graph), None, None, _named(METADATA_GRAPH))
        ]
        new = [Quad(subject, p, o, meta) for p, o in statements]
        self.apply(old, new)
        return [*old, *new]

    # -- changes -------------------------------------------------------------------------

    def apply(self, removed: Iterable[Quad], added: Iterable[Quad]) -> tuple[int, int]:
        """Remove then add quads of named graphs, keeping the union and the counts.

        Returns how many quads were really removed and added (absent removals and present
        additions are no-ops).
        """
        really_removed: list[ox.Quad] = []
        for q in removed:
            if q.in_default_graph:
                raise StoreError("change sets write named graphs; the default graph is derived")
            oq = to_ox_quad(q)
            if oq in self.store:
                self.store.remove(oq)
                really_removed.append(oq)
                self.counts[str(q.g)] = self.counts.get(str(q.g), 1) - 1
        for oq in really_removed:
            still = any(
                not isinstance(other.graph_name, ox.DefaultGraph)
                for other in self.store.quads_for_pattern(oq.subject, oq.predicate, oq.object)
            )
            if not still:
                self.store.remove(ox.Quad(oq.subject, oq.predicate, oq.object, _DEFAULT))
        added_count = 0
        for q in added:
            if q.in_default_graph:
                raise StoreError("change sets write named graphs; the default graph is derived")
            oq = to_ox_quad(q)
            if oq not in self.store:
                self.store.add(oq)
                self.store.add(ox.Quad(oq.subject, oq.predicate, oq.object, _DEFAULT))
                self.counts[str(q.g)] = self.counts.get(str(q.g), 0) + 1
                added_count += 1
        for graph in [g for g, n in self.counts.items() if n <= 0]:
            del self.counts[graph]
            if self.store.contains_named_graph(_named(graph)):
                self.store.remove_graph(_named(graph))
        return len(really_removed), added_count

    def contains(self, q: Quad) -> bool:
        return to_ox_quad(q) in self.store

    def graph_quads(self, graph: str) -> list[Quad]:
        return [
            from_ox_quad(q) for q in self.store.quads_for_pattern(None, None, None, _named(graph))
        ]

    def asserting_graphs(self, s: Term, p: Term, o: Term) -> list[str]:
        """The named graphs that assert the triple."""
        return [
            q.graph_name.value
            for q in self.store.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
            if isinstance(q.graph_name, ox.NamedNode)
        ]
