"""The store interface every backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg.sparql.evaluate import QueryRequest, QueryResponse

Term = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class ChangeSet:
    """Quads to remove and to add, as N-Quads text, applied together or not at all."""

    id: str
    remove_nquads: str = ""
    add_nquads: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphStats:
    name: str
    triples: int


class Store(Protocol):
    """A quad store that answers SPARQL and takes whole-graph loads and change sets.

    The default graph is the set union of the named graphs: a triple asserted in several
    graphs appears once in it, so aggregates over the default graph count it once.
    """

    kind: str
    persistent: bool
    #: Incremented on every change, so that caches of derived answers know to refresh.
    version: int

    def execute(self, request: QueryRequest) -> QueryResponse:
        """Evaluate a query within its deadline and row cap; answer serialised."""
        ...

    def graph_names(self) -> frozenset[str]:
        """IRIs of the named graphs in the store."""
        ...

    def graph_stats(self) -> list[GraphStats]: ...

    def quad_count(self) -> int:
        """Quads in the named graphs (the materialised default graph is not counted)."""
        ...

    def content_hash(self, graph: str) -> str | None:
        """The hash recorded when ``graph`` was last loaded from a file, if any."""
        ...

    def triples_about(self, node: NamedNode | BlankNode) -> list[tuple[Term, NamedNode, Term]]:
        """The triples of the (union) default graph with ``node`` as subject."""
        ...

    def quads_matching(
        self,
        subject: NamedNode | BlankNode | None,
        predicate: NamedNode | None,
        obj: Term | None,
        graph: NamedNode | None = None,
    ) -> list[Quad]:
        """Quads matching a pattern, in the named graphs and the default graph."""
        ...

    def all_quads(self) -> list[Quad]: ...

    def distinct_iri_objects(self, predicate: str, graph: str) -> list[str]: ...

    def replace_graph_with(self, graph: str, quads: list[Quad]) -> int:
        """Replace ``graph`` by ``quads`` (whose graph names are ignored)."""
        ...

    def add_quads(self, quads: list[Quad]) -> None:
        """Add quads to their named graphs, outside any change set (loaders, tests)."""
        ...

    def replace_graph(self, graph: str, path: Path) -> int:
        """Replace ``graph`` by the Turtle file at ``path``; return its triple count."""
        ...

    def set_metadata(self, graph: str, statements: Sequence[tuple[NamedNode, Term]]) -> None:
        """Replace what the metadata graph says about ``graph``."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def apply(self, changes: ChangeSet) -> None:
        """Apply a change set atomically and durably (on persistent backends)."""
        ...

    def replay_journal(self) -> int:
        """Re-apply durable change sets after the files are loaded; return how many."""
        ...

    def start_workers(self) -> None:
        """Start query workers, if the backend uses them (after the initial load)."""
        ...

    def close(self) -> None: ...
