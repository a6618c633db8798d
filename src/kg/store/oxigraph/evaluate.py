"""Evaluation on a pyoxigraph store, inside a worker: serialised answers and typed readers.

:func:`evaluate` answers a client's query as bytes in the negotiated format, within a row cap.
:class:`OxReader` is the :class:`kg.store.base.Reader` jobs use: results as :mod:`kg.terms`.
Neither checks a deadline: the worker they run in is killed when its deadline passes.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from kg.errors import BadRequest
from kg.namespaces import PREFIXES
from kg.rdfio import from_ox, from_ox_quad, to_ox
from kg.sparql.operation import syntax_error_from_engine
from kg.sparql.policy import Policy
from kg.store.base import QueryRequest, QueryResponse, Solutions
from kg.terms import DEFAULT_GRAPH, XSD_STRING, Literal, Object, Quad, Subject, Term, Triple, URIRef


def _term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _term_json(term.subject),
            "predicate": _term_json(term.predicate),
            "object": _term_json(term.object),
        },
    }


def _results_format(request: QueryRequest) -> ox.QueryResultsFormat:
    found = ox.QueryResultsFormat.from_media_type(request.format.media_type)
    if found is None:  # pragma: no cover - the format table holds only known formats
        raise BadRequest(f"cannot write {request.format.media_type}")
    return found


def _solutions(result: ox.QuerySolutions, request: QueryRequest) -> tuple[bytes, int, bool]:
    names = [v.value for v in result.variables]
    bindings: list[dict[str, Any]] = []
    truncated = False
    for solution in itertools.islice(result, request.offset, None):
        if len(bindings) >= request.max_rows:
            truncated = True
            break
        row: dict[str, Any] = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = _term_json(value)
        bindings.append(row)
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if request.format.name != "json":
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        data = parsed.serialize(format=_results_format(request)) or b""
    return data, len(bindings), truncated


def _triples(result: ox.QueryTriples, request: QueryRequest) -> tuple[bytes, int, bool]:
    stop = request.offset + request.max_rows + 1
    triples = list(itertools.islice(result, request.offset, stop))
    truncated = len(triples) > request.max_rows
    triples = triples[: request.max_rows]
    fmt = ox.RdfFormat.from_media_type(request.format.media_type)
    data = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return data or b"", len(triples), truncated


def _dataset_kwargs(
    default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs] or [ox.DefaultGraph()]
    if named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def run_query(store: ox.Store, text: str, **kwargs: Any) -> Any:
    """``store.query`` with the engine's syntax errors turned into positioned 400s."""
    try:
        return store.query(text, **kwargs)
    except SyntaxError as exc:
        raise syntax_error_from_engine(str(exc)) from None
    except (ValueError, OSError) as exc:
        raise BadRequest(f"the query could not be evaluated: {exc}") from None


def evaluate(store: ox.Store, request: QueryRequest) -> QueryResponse:
    """Run ``request`` on ``store`` and serialise the answer in ``request.format``."""
    started = time.monotonic()
    kwargs = _dataset_kwargs(request.default_graphs, request.named_graphs)
    if request.base_iri:
        kwargs["base_iri"] = request.base_iri
    result = run_query(store, request.text, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=_results_format(request)) or b""
        rows, truncated = 1, False
    elif isinstance(result, ox.QuerySolutions):
        body, rows, truncated = _solutions(result, request)
    elif isinstance(result, ox.QueryTriples):
        body, rows, truncated = _triples(result, request)
    else:  # pragma: no cover - pyoxigraph returns one of the three
        raise TypeError(f"unexpected result type {type(result).__name__}")
    elapsed = (time.monotonic() - started) * 1000
    return QueryResponse(body, request.format, rows, truncated, elapsed)


class OxReader:
    """:class:`kg.store.base.Reader` over a pyoxigraph store (inline; no deadline of its own).

    Every query text passes :meth:`kg.sparql.policy.Policy.check_engine_text` first.
    """

    def __init__(self, store: ox.Store, policy: Policy | None = None) -> None:
        self._store = store
        self._policy = policy or Policy()

    def select(
        self,
        query: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
    ) -> Solutions:
        self._policy.check_engine_text(query)
        kwargs = _dataset_kwargs(default_graphs, named_graphs)
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
        result = run_query(self._store, query, **kwargs)
        if not isinstance(result, ox.QuerySolutions):
            raise BadRequest("select() needs a SELECT query")
        names = tuple(v.value for v in result.variables)
        rows: list[dict[str, Term]] = []
        truncated = False
        for solution in result:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append({n: from_ox(solution[n]) for n in names if solution[n] is not None})
        return Solutions(names, tuple(rows), truncated)

    def ask(self, query: str) -> bool:
        self._policy.check_engine_text(query)
        result = run_query(self._store, query)
        if not isinstance(result, ox.QueryBoolean):
            raise BadRequest("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, *, max_rows: int | None = None) -> list[Triple]:
        self._policy.check_engine_text(query)
        result = run_query(self._store, query)
        if not isinstance(result, ox.QueryTriples):
            raise BadRequest("construct() needs a CONSTRUCT or DESCRIBE query")
        out: list[Triple] = []
        for t in itertools.islice(result, max_rows):
            s, p, o = from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)
            assert not isinstance(s, Literal) and isinstance(p, URIRef)
            out.append(Triple(s, p, o))
        return out

    def quads(
        self,
        s: Subject | None = None,
        p: URIRef | None = None,
        o: Object | None = None,
        g: URIRef | None = None,
    ) -> Iterator[Quad]:
        graph: ox.NamedNode | ox.DefaultGraph | None = None
        if g is not None:
            graph = ox.DefaultGraph() if g == DEFAULT_GRAPH else ox.NamedNode(str(g))
        for q in self._store.quads_for_pattern(
            to_ox(s) if s is not None else None,  # type: ignore[arg-type]
            to_ox(p) if p is not None else None,  # type: ignore[arg-type]
            to_ox(o) if o is not None else None,
            graph,
        ):
            yield from_ox_quad(q)

    def graph_names(self) -> frozenset[str]:
        return frozenset(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
