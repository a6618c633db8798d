"""The store port: what every backend offers the rest of unhr-kg, in terms, not engine objects.

A backend (today :mod:`kg.store.oxigraph`; an external SPARQL engine later) implements
:class:`Store`. Curation, bootstrap, the canned-query catalogue and the routes import only this
module and :mod:`kg.terms`.

Contract, whatever the backend:

- **Dataset.** Named graphs hold the data; the default graph is the *set* union of the named
  graphs (a triple asserted in two graphs is seen once). ``describe()`` says so
  (``union_default_graph``).
- **Bounded evaluation.** Every evaluation (``query``, ``select``, ``construct``, ``quads``,
  ``update_effect``, ``run``) has a deadline; a runaway is *stopped* (its CPU freed), not
  abandoned, and answers :class:`kg.errors.QueryTimeout`. Results have a row cap. Too much
  concurrent heavy work answers :class:`kg.errors.ServerBusy` rather than queueing without bound.
- **Writes.** ``apply`` takes one :class:`ChangeSet` atomically and durably (when the backend
  persists), or raises and changes nothing. Readers see the state before or after it, never
  between. ``version`` grows with every change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kg.formats import Format
from kg.sparql.operation import Form
from kg.terms import DEFAULT_GRAPH, Object, Quad, Subject, Term, Triple, URIRef

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Lane(StrEnum):
    """Admission class of a piece of work (see :mod:`kg.workers.pool`)."""

    #: Queries: start in the fast lane; past ``cheap_query_seconds`` they count as heavy.
    QUERY = "query"
    #: SHACL validation and upload parsing: bounded concurrency of their own.
    VALIDATE = "validate"
    #: The server's own reads and the evaluation part of a write.
    INTERNAL = "internal"


@dataclass(frozen=True)
class QueryRequest:
    """A query to evaluate and serialise for a client (the SPARQL protocol path)."""

    text: str
    form: Form
    format: Format
    max_rows: int
    timeout: float
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    offset: int = 0
    base_iri: str | None = None
    #: Admission key: queries with the same key that turned heavy before go to the heavy lane.
    key: str | None = None
    #: Who asks (for per-client limits on heavy evaluations); None for the server itself.
    client: str | None = None


@dataclass(frozen=True)
class QueryResponse:
    """A serialised answer: ``rows`` solutions or triples, ``truncated`` when the cap cut it."""

    body: bytes
    format: Format
    rows: int
    truncated: bool
    elapsed_ms: float
    #: SERVICE calls made for the answer, as (endpoint, outcome), for the metrics.
    service_calls: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Solutions:
    """SELECT results as terms, for the server's own readers."""

    variables: tuple[str, ...]
    rows: tuple[Mapping[str, Term], ...]
    truncated: bool = False

    def __iter__(self) -> Iterator[Mapping[str, Term]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, variable: str) -> list[Term]:
        return [row[variable] for row in self.rows if variable in row]


@dataclass(frozen=True)
class Purge:
    """Quads to remove wherever they are, known only by keyed digests (see :class:`Redaction`).

    ``quads`` and ``graphs`` are HMAC-SHA256 digests, keyed by ``key`` (hex), of each quad's
    N-Quads line and of the names of the graphs that held them
    (:func:`kg.store.journal.purge_digest`).
    """

    key: str
    graphs: tuple[str, ...]
    quads: tuple[str, ...]


@dataclass(frozen=True)
class ChangeSet:
    """Quads to remove and to add, applied together or not at all.

    ``purge`` (a redaction's own change set only) removes, first, the quads it names by digest
    from wherever they are: how a restart redoes a redaction without its journal holding the
    redacted content.
    """

    id: str
    removed: tuple[Quad, ...] = ()
    added: tuple[Quad, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    purge: Purge | None = None


@dataclass(frozen=True)
class Redaction:
    """Content to remove from the store *and* from the record of every earlier change set.

    - every quad of ``triples``, in whichever named graph holds it now, is removed (entailments
      follow); the quads removed are recorded in ``record.purge`` by keyed digest only;
    - in every journalled change set, the quads of ``triples`` are dropped, and each quad that
      is a key of ``replace`` becomes its value (None: dropped). This is how the server's own
      descriptions of change sets (their text and comments) lose the content too;
    - ``record`` (the redaction's own change set: its audit description) is applied and
      journalled after, in the same step.

    On a persistent backend the journal is rewritten (new file, fsync, rename), so that the
    redacted content is no longer on disk in it; a restart replays to the redacted state.
    """

    triples: frozenset[Triple]
    replace: Mapping[Quad, Quad | None]
    record: ChangeSet
    key: bytes


@dataclass(frozen=True)
class RedactionOutcome:
    """What a redaction removed from the store, and files that may still hold the content."""

    version: int
    quads_removed: int
    #: Copies of the journal set aside earlier (repairs): they predate the redaction.
    leftover_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delta:
    """What an update would change: quads of named graphs to remove and to add."""

    removed: tuple[Quad, ...]
    added: tuple[Quad, ...]


@dataclass(frozen=True)
class UpdateRequest:
    """A SPARQL Update whose effect is to be computed (not applied).

    Triples the update inserts into the default graph go to ``target_graph`` (the change set's
    own graph); triples it deletes from the default graph are deleted from every graph that
    asserts them.
    """

    text: str
    target_graph: str
    timeout: float
    max_changes: int
    base_iri: str | None = None
    using_graphs: tuple[str, ...] | None = None
    using_named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GraphInfo:
    name: str
    triples: int


@dataclass(frozen=True)
class DatasetDescription:
    """What the store holds, cheap to ask for (kept up to date by the backend)."""

    kind: str
    version: int
    graphs: tuple[GraphInfo, ...]
    union_default_graph: bool = True

    @property
    def triples(self) -> int:
        """Triples in the named graphs (a triple in two graphs counts twice)."""
        return sum(g.triples for g in self.graphs)

    def graph_names(self) -> frozenset[str]:
        return frozenset(g.name for g in self.graphs)


class Reader(Protocol):
    """Read access inside a job: evaluated inline, the job's own deadline bounds it."""

    def select(
        self,
        query: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
    ) -> Solutions: ...

    def construct(self, query: str, *, max_rows: int | None = None) -> list[Triple]: ...

    def quads(
        self,
        s: Subject | None = None,
        p: URIRef | None = None,
        o: Object | None = None,
        g: URIRef | None = None,
    ) -> Iterator[Quad]:
        """Quads matching the pattern; ``g=None`` matches every graph, the default included."""
        ...

    def graph_names(self) -> frozenset[str]: ...


class JobContext(Protocol):
    """What a job finds where it runs: a reader of the store and prepared resources."""

    @property
    def reader(self) -> Reader: ...

    def resource(self, name: str) -> Any:
        """A resource the server prepared for jobs (see :meth:`Store.prepare_resource`)."""
        ...


class Job(Protocol[T_co]):
    """Work that runs where a deadline can stop it (a worker process for the Oxigraph store).

    A job is a picklable value with a ``run`` method; it must not keep state between runs.
    """

    def run(self, ctx: JobContext) -> T_co: ...


class Store(Protocol):
    """A quad store with bounded evaluation and atomic, versioned writes."""

    kind: str

    @property
    def version(self) -> int:
        """Grows with every change, so that caches of derived answers know to refresh."""
        ...

    # -- reading (every call bounded by a deadline) ----------------------------------------

    def describe(self) -> DatasetDescription: ...

    def runtime_stats(self) -> Mapping[str, int]:
        """Operational counters (workers alive and idle, admission lanes, restarts) for health
        pages and metrics; cheap, never a query."""
        ...

    def query(self, request: QueryRequest) -> QueryResponse:
        """Evaluate and serialise for a client, within the request's deadline and row cap."""
        ...

    def select(
        self,
        query: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float | None = None,
        max_rows: int | None = None,
        lane: Lane = Lane.INTERNAL,
    ) -> Solutions: ...

    def construct(
        self, query: str, *, timeout: float | None = None, max_rows: int | None = None
    ) -> list[Triple]: ...

    def quads(
        self,
        s: Subject | None = None,
        p: URIRef | None = None,
        o: Object | None = None,
        g: URIRef | None = None,
        *,
        max_rows: int | None = None,
    ) -> list[Quad]: ...

    def run(self, job: Job[T], *, timeout: float | None = None, lane: Lane = Lane.INTERNAL) -> T:
        """Run ``job`` where its deadline can stop it, with read access to the store."""
        ...

    def prepare_resource(self, name: str, graphs: Sequence[str]) -> None:
        """Keep an rdflib copy of ``graphs`` ready for jobs as resource ``name`` (kept current
        when a write touches those graphs)."""
        ...

    # -- writing ---------------------------------------------------------------------------

    def update_effect(self, request: UpdateRequest) -> Delta:
        """The quads an update would remove and add, computed within its deadline."""
        ...

    def apply(self, change: ChangeSet) -> None:
        """Apply a change set atomically (and durably on persistent backends)."""
        ...

    def redact(self, redaction: Redaction) -> RedactionOutcome:
        """Remove content from the store and from its durable record (see :class:`Redaction`),
        atomically: readers see the state before or after it."""
        ...

    def applied_meta(self) -> Mapping[str, Mapping[str, str]]:
        """The ``meta`` of every change set applied since the store opened (replayed from the
        journal or new), by change-set id."""
        ...

    def rewrite_metadata(self, removed: Sequence[Quad], added: Sequence[Quad]) -> None:
        """Change quads of the metadata graph that the server derives at every start (not
        journalled), such as how curators are named in public."""
        ...

    # -- file-backed graphs (start-up load) -------------------------------------------------

    def load_file(self, graph: str, path: Path, fmt: Format) -> int:
        """Replace ``graph`` by the document at ``path`` (the backend's bulk loader);
        return its triple count."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def content_hash(self, graph: str) -> str | None:
        """The hash recorded when ``graph`` was last loaded from a file, if any."""
        ...

    def cited_sources(self, graph: str) -> list[str]:
        """Distinct IRIs ``graph`` cites with ``dcterms:source``."""
        ...

    def set_metadata(self, graph: str, statements: Sequence[tuple[URIRef, Term]]) -> None:
        """Replace what the metadata graph says about ``graph`` (server bookkeeping)."""
        ...

    def replace_graph(self, graph: str, quads: Sequence[Quad]) -> int:
        """Replace a graph the server maintains (not journalled: rebuilt at every start)."""
        ...

    def replay_journal(self) -> int:
        """Re-apply durable change sets after the files are loaded; return how many."""
        ...

    def set_entailment(self, rule_graphs: Sequence[str], target: str) -> int:
        """Materialise what the ontology axioms of ``rule_graphs`` entail (see
        :mod:`kg.inference`) into graph ``target``, and keep it current on every later change,
        in the same step as the change. Return the number of entailed triples."""
        ...

    def start(self) -> None:
        """Start serving reads (workers) once the initial load is done."""
        ...

    def close(self) -> None: ...


__all__ = [
    "DEFAULT_GRAPH",
    "ChangeSet",
    "DatasetDescription",
    "Delta",
    "GraphInfo",
    "Job",
    "JobContext",
    "Lane",
    "Purge",
    "QueryRequest",
    "QueryResponse",
    "Reader",
    "Redaction",
    "RedactionOutcome",
    "Solutions",
    "Store",
    "UpdateRequest",
]
