"""Evaluate one query on a pyoxigraph store and serialise the answer, within a row cap.

This runs where the query runs: in a query worker process, or in a server thread when no
workers are configured. It returns bytes ready to send, so that nothing heavy crosses back.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    parse_query_results,
    serialize,
)

from kg.errors import QueryTimeout
from kg.formats import Format
from kg.namespaces import PREFIXES
from kg.sparql.operation import Form, syntax_error_from_engine

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class QueryRequest:
    """Everything needed to evaluate a query, picklable so that it can go to a worker."""

    text: str
    form: Form
    format: Format
    max_rows: int
    timeout: float
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    offset: int = 0


@dataclass(frozen=True)
class QueryResponse:
    """A serialised answer: ``rows`` solutions or triples, ``truncated`` when the cap cut it."""

    body: bytes
    format: Format
    rows: int
    truncated: bool
    elapsed_ms: float


def _term_json(term: Term) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
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


def _check_deadline(deadline: float, rows: int) -> None:
    if time.monotonic() > deadline:
        raise QueryTimeout(
            f"the query ran past its deadline after {rows} rows and was stopped", rows=rows
        )


def _solutions(
    result: QuerySolutions, fmt: Format, max_rows: int, deadline: float, offset: int = 0
) -> tuple[bytes, int, bool]:
    names = [v.value for v in result.variables]
    bindings: list[dict[str, Any]] = []
    truncated = False
    for solution in itertools.islice(result, offset, None):
        if len(bindings) >= max_rows:
            truncated = True
            break
        row: dict[str, Any] = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = _term_json(value)
        bindings.append(row)
        if len(bindings) % 1000 == 0:
            _check_deadline(deadline, len(bindings))
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if fmt.name != "json":
        data = (
            parse_query_results(data, format=QueryResultsFormat.JSON).serialize(
                format=fmt.results_format()
            )
            or b""
        )
    return data, len(bindings), truncated


def _triples(
    result: Iterable[Triple], fmt: Format, max_rows: int, deadline: float, offset: int = 0
) -> tuple[bytes, int, bool]:
    triples = list(itertools.islice(result, offset, offset + max_rows + 1))
    _check_deadline(deadline, len(triples))
    truncated = len(triples) > max_rows
    triples = triples[:max_rows]
    data = serialize(triples, format=fmt.rdf_format(), prefixes=PREFIXES)
    return data or b"", len(triples), truncated


def evaluate(store: Store, request: QueryRequest) -> QueryResponse:
    """Run ``request`` on ``store`` and serialise the answer in ``request.format``."""
    started = time.monotonic()
    deadline = started + request.timeout
    kwargs: dict[str, Any] = {}
    if request.default_graphs is not None:
        kwargs["default_graph"] = [NamedNode(g) for g in request.default_graphs] or [DefaultGraph()]
    if request.named_graphs is not None:
        kwargs["named_graphs"] = [NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(request.text, **kwargs)
    except SyntaxError as exc:
        raise syntax_error_from_engine(str(exc)) from None
    if isinstance(result, QueryBoolean):
        body = result.serialize(format=request.format.results_format()) or b""
        rows, truncated = 1, False
    elif isinstance(result, QuerySolutions):
        body, rows, truncated = _solutions(
            result, request.format, request.max_rows, deadline, request.offset
        )
    elif isinstance(result, QueryTriples):
        body, rows, truncated = _triples(
            result, request.format, request.max_rows, deadline, request.offset
        )
    else:  # pragma: no cover - pyoxigraph returns one of the three
        raise TypeError(f"unexpected result type {type(result).__name__}")
    elapsed = (time.monotonic() - started) * 1000
    return QueryResponse(body or b"", request.format, rows, truncated, elapsed)
