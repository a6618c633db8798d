"""``/sparql``: the SPARQL 1.1 Protocol (query and update operations) and the Service Description.

Only reading the body happens on the event loop; everything else (the nesting pre-scan, the
classification, negotiation, evaluation in a worker) runs in a thread, so that no request can
stall the others.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from kg.api.auth import require_curator
from kg.api.body import decode_text, media_type, parse_form, read_body
from kg.api.budgets import Budgets
from kg.api.deps import SettingsDep, StoreDep
from kg.api.openapi import (
    CHANGE_SET_JSON,
    SPARQL_RESULTS_JSON,
    answer,
    content,
    documented,
    errors,
)
from kg.api.routes.curation import change_response, curation_service
from kg.api.service_info import ServiceInfo
from kg.errors import BadRequest, PayloadTooLarge, ProtocolError, UnsupportedMediaType
from kg.formats import GRAPH_FORMATS, JSON_RESULTS, RESULT_FORMATS, Kind, negotiate
from kg.nesting import check_sparql
from kg.settings import Settings
from kg.sparql.iris import check_absolute_iri
from kg.sparql.operation import Form, classify
from kg.store.base import QueryRequest, QueryResponse, Store

router = APIRouter(tags=["SPARQL"])

QUERY_DOC = """SPARQL 1.1 Protocol query operation.

* `GET /sparql?query=...`, `POST` with `application/x-www-form-urlencoded` (`query=`) or with
  `application/sparql-query` (the query as the body).
* `default-graph-uri` / `named-graph-uri` choose the dataset among the stored graphs.
* The default graph is the **set union** of all named graphs (`sd:UnionDefaultGraph`): a triple
  asserted in two graphs is seen once, so `COUNT` does not double-count it.
* Results by content negotiation (`Accept`, with q-values) or `format=`: SELECT/ASK as SPARQL
  JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML.
* Without a query: the Service Description.
* Every query has a deadline (`KG_QUERY_TIMEOUT`, or less with `timeout=` seconds; 503 when
  passed: the evaluation is stopped) and a row cap. A query still running after
  `KG_CHEAP_QUERY_SECONDS` is *heavy* and competes for a few heavy slots (503 with
  `Retry-After` when they and their queue are full).
* The query policy (decided on the parsed algebra): `FROM` naming graphs that are not stored is
  refused (403); `SERVICE` only calls the endpoints listed in `KG_SERVICE_ENDPOINTS` (403
  otherwise, and for `SERVICE ?var`; 502 when a call that is not `SILENT` fails); `LOAD` is
  refused (403). Brackets nested deeper than `KG_MAX_NESTING` are refused (400) before parsing.
"""

UPDATE_DOC = """
Update operation (writes need `Authorization: Bearer <token>`): `POST` with
`application/sparql-update` (the update as the body) or a form with `update=`; `comment=` in the
URL is recorded with the change set. The update is validated against the shapes and applied as
one change set (201, with its `Location`), or refused whole (422 with the SHACL report).
"""


@dataclass(frozen=True)
class _Params:
    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: tuple[str, ...]
    timeout: str | None = None
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    update_in_url: bool = False


def _timeout(params: _Params, settings: Settings) -> float:
    """The query's deadline: ``timeout=`` seconds if given, never more than the server's."""
    if params.timeout is None or not params.timeout.strip():
        return settings.query_timeout
    try:
        wanted = float(params.timeout)
    except ValueError:
        wanted = -1.0
    if not 0 < wanted < float("inf"):
        raise BadRequest(
            f"timeout must be a positive number of seconds; got {params.timeout!r}",
            parameter="timeout",
        )
    return min(wanted, settings.query_timeout)


def _one(values: dict[str, list[str]], name: str) -> str | None:
    got = values.get(name, [])
    if len(got) > 1:
        raise ProtocolError(f"the request carries {len(got)} '{name}' parameters; send one")
    return got[0] if got else None


def _collect(request: Request, body: bytes | None) -> _Params:
    """The protocol's parameters, from the URL and the body (decoded here, off the loop)."""
    url = {k: request.query_params.getlist(k) for k in request.query_params}
    body_params: dict[str, list[str]] = {}
    direct_query: str | None = None
    direct_update: str | None = None
    if body is not None:
        kind = media_type(request)
        if kind == "application/x-www-form-urlencoded":
            body_params = parse_form(body)
        elif kind == "application/sparql-query":
            direct_query = decode_text(body, "query body")
        elif kind == "application/sparql-update":
            direct_update = decode_text(body, "update body")
        elif body or kind:
            raise UnsupportedMediaType(
                f"POST /sparql takes application/sparql-query, application/sparql-update or "
                f"application/x-www-form-urlencoded, not {kind or 'a body without Content-Type'}"
            )
    queries = [
        q for q in (_one(url, "query"), _one(body_params, "query"), direct_query) if q is not None
    ]
    updates = [
        u
        for u in (_one(url, "update"), _one(body_params, "update"), direct_update)
        if u is not None
    ]
    if len(queries) + len(updates) > 1:
        raise ProtocolError(
            "the request carries more than one operation (a query in the URL and in the body, "
            "or a query and an update); send exactly one"
        )
    merged = {k: url.get(k, []) + body_params.get(k, []) for k in {*url, *body_params}}

    def listed(name: str) -> tuple[str, ...]:
        return tuple(
            check_absolute_iri(iri, name) for iri in url.get(name, []) + body_params.get(name, [])
        )

    return _Params(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=listed("default-graph-uri"),
        named_graphs=listed("named-graph-uri"),
        format=tuple(merged.get("format", [])),
        timeout=_one(merged, "timeout"),
        using_graphs=listed("using-graph-uri"),
        using_named_graphs=listed("using-named-graph-uri"),
        update_in_url=request.method == "GET" and "update" in url,
    )


def _check_text(text: str, settings: Settings, what: str) -> None:
    if len(text.encode()) > settings.max_query_bytes:
        raise PayloadTooLarge(
            f"the {what} is longer than the limit of {settings.max_query_bytes} bytes "
            "(KG_MAX_QUERY_BYTES)",
            limit=settings.max_query_bytes,
        )
    check_sparql(text, limit=settings.max_nesting)


def admission_key(text: str, *parts: tuple[str, ...]) -> str:
    """The same query on the same dataset gets the same key (whitespace aside)."""
    digest = hashlib.sha256(" ".join(text.split()).encode())
    for part in parts:
        digest.update(b"\x00" + "\x01".join(part).encode())
    return digest.hexdigest()[:32]


def charged(request: Request, store: Store, build: Callable[[str], QueryRequest]) -> QueryResponse:
    """Run a client's query within its budget of query time, and charge what it took."""
    budgets: Budgets = request.app.state.budgets
    client = budgets.client(request)
    budgets.check(client)
    started = time.monotonic()
    try:
        return store.query(build(client))
    finally:
        budgets.charge(client, time.monotonic() - started)


def base_iri(settings: Settings) -> str:
    """The service's base IRI: relative IRIs in queries and updates resolve against it."""
    return f"{settings.base_url()}/sparql"


def _query(request: Request, settings: Settings, store: Store, params: _Params) -> Response:
    assert params.query is not None
    _check_text(params.query, settings, "query")
    op = classify(params.query)
    if op.form is Form.UPDATE:
        raise BadRequest(
            "an update was sent as 'query'; send updates as 'update' or "
            "application/sparql-update (and note this endpoint is read-only)"
        )
    # A default-graph-uri or named-graph-uri that is not stored is an empty graph.
    kind = Kind.GRAPH if op.form.returns_graph else Kind.RESULTS
    fmt = negotiate(kind, accept=request.headers.get("accept"), format_param=params.format)
    text = params.query
    key = admission_key(text, params.default_graphs, params.named_graphs)
    request.state.query_hash = key
    result = charged(
        request,
        store,
        lambda client: QueryRequest(
            text=text,
            form=op.form,
            format=fmt,
            max_rows=settings.max_rows,
            timeout=_timeout(params, settings),
            default_graphs=params.default_graphs or None,
            named_graphs=params.named_graphs or None,
            base_iri=base_iri(settings),
            key=key,
            client=client,
        ),
    )
    request.state.service_calls = result.service_calls
    headers = {
        "Vary": "Accept",
        "X-KG-Rows": str(result.rows),
        "X-KG-Elapsed-Ms": f"{result.elapsed_ms:.1f}",
    }
    if result.truncated:
        headers["X-KG-Truncated"] = f"true; the result was cut at {settings.max_rows} rows"
    return Response(result.body, media_type=fmt.content_type(), headers=headers)


def _update(request: Request, settings: Settings, params: _Params) -> Response:
    assert params.update is not None
    if params.update_in_url or request.method != "POST":
        raise ProtocolError(
            "updates are sent by POST (as application/sparql-update, or as the 'update' "
            "field of a form); an update in a GET is never run"
        )
    curator = require_curator(request)
    _check_text(params.update, settings, "update")
    comment = request.query_params.get("comment")
    change = curation_service(request).update(
        params.update,
        curator=curator,
        comment=comment,
        using_graphs=params.using_graphs or None,
        using_named_graphs=params.using_named_graphs or None,
    )
    return change_response(request, change)


def _describe_service(request: Request, info: ServiceInfo, fmt_param: tuple[str, ...]) -> Response:
    fmt = negotiate(Kind.GRAPH, accept=request.headers.get("accept"), format_param=fmt_param)
    return Response(
        info.service_description(fmt), media_type=fmt.content_type(), headers={"Vary": "Accept"}
    )


async def _run(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    body = await read_body(request, settings.max_body_bytes) if request.method == "POST" else None

    def handle() -> Response:
        params = _collect(request, body)
        _timeout(params, settings)  # a malformed timeout is a 400 whatever the operation
        if params.update is not None:
            return _update(request, settings, params)
        if params.query is None:
            return _describe_service(request, request.app.state.service_info, params.format)
        return _query(request, settings, store, params)

    return await run_in_threadpool(handle)


_FORMAT_PARAMETER = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": [f.name for f in (*RESULT_FORMATS, *GRAPH_FORMATS)]},
    "description": "Result format (a name, or a media type); overrides Accept.",
}
_TIMEOUT_SCHEMA = {"type": "number", "exclusiveMinimum": 0}
_GRAPHS_SCHEMA = {"type": "array", "items": {"type": "string", "format": "iri"}}
_EXAMPLE = "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_PROTOCOL_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "example": _EXAMPLE,
        "description": "The SPARQL query; without it, the Service Description is returned.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": _GRAPHS_SCHEMA,
        "description": "Graphs whose merge is the default graph (stored graphs only).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": _GRAPHS_SCHEMA,
        "description": "Graphs available to GRAPH (stored graphs only).",
    },
    _FORMAT_PARAMETER,
    {
        "name": "timeout",
        "in": "query",
        "required": False,
        "schema": _TIMEOUT_SCHEMA,
        "allowEmptyValue": True,
        "description": "Deadline in seconds, at most the server's (KG_QUERY_TIMEOUT).",
    },
]
#: A query's answer (results or a graph) or, without a query, the Service Description (a graph).
_ANSWER = answer(
    "Query results (SELECT, ASK), a graph (CONSTRUCT, DESCRIBE) or the Service Description",
    content(RESULT_FORMATS, schemas={JSON_RESULTS.name: SPARQL_RESULTS_JSON})
    | content(GRAPH_FORMATS),
    X_KG_Rows="Rows (or triples) in the answer",
    X_KG_Truncated="Present when the answer was cut at the row cap",
)
_POST_FORM = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "update": {"type": "string"},
        "default-graph-uri": _GRAPHS_SCHEMA,
        "named-graph-uri": _GRAPHS_SCHEMA,
        "using-graph-uri": _GRAPHS_SCHEMA,
        "using-named-graph-uri": _GRAPHS_SCHEMA,
        "format": _FORMAT_PARAMETER["schema"],
        "timeout": _TIMEOUT_SCHEMA,
    },
}
router.add_api_route(
    "/sparql",
    _run,
    methods=["GET"],
    summary="SPARQL query (GET)",
    description=QUERY_DOC,
    response_class=Response,
    operation_id="sparql_get",
    responses=errors(400, 403, 406, 413, 429, 503),
    openapi_extra=documented({200: _ANSWER}, parameters=_PROTOCOL_PARAMETERS),
)
router.add_api_route(
    "/sparql",
    _run,
    methods=["POST"],
    summary="SPARQL query or update (POST form or direct)",
    description=QUERY_DOC + UPDATE_DOC,
    response_class=Response,
    operation_id="sparql_post",
    responses=errors(400, 401, 403, 404, 406, 413, 415, 422, 429, 503),
    openapi_extra=documented(
        {
            200: _ANSWER,
            201: answer(
                "The update was applied as a new change set",
                {"application/json": {"schema": CHANGE_SET_JSON}},
                Location="The change set's URL",
            ),
        },
        body={
            "required": False,
            "content": {
                "application/x-www-form-urlencoded": {"schema": _POST_FORM},
                "application/sparql-query": {"schema": {"type": "string"}, "example": _EXAMPLE},
                "application/sparql-update": {"schema": {"type": "string"}},
            },
        },
        parameters=[
            {
                "name": "comment",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "For an update: a note recorded with the change set.",
            }
        ],
        auth="optional",
    ),
)
