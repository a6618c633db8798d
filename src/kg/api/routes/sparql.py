"""``/sparql``: the SPARQL 1.1 Protocol (query operation) and the Service Description."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from kg.api.body import decode_text, media_type, parse_form, read_body
from kg.api.deps import SettingsDep, StoreDep
from kg.errors import BadRequest, PayloadTooLarge, ProtocolError, UnsupportedMediaType
from kg.formats import Kind, negotiate
from kg.service_description import service_description
from kg.settings import Settings
from kg.sparql.evaluate import QueryRequest
from kg.sparql.operation import Form, check_policy, classify
from kg.store.base import Store

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
* `LOAD`, `SERVICE`, and `FROM` naming graphs that are not stored are refused (403).
"""


@dataclass(frozen=True)
class _Params:
    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None


def _one(values: dict[str, list[str]], name: str) -> str | None:
    got = values.get(name, [])
    if len(got) > 1:
        raise ProtocolError(f"the request carries {len(got)} '{name}' parameters; send one")
    return got[0] if got else None


async def _collect(request: Request, settings: Settings) -> _Params:
    url = {k: request.query_params.getlist(k) for k in request.query_params}
    body_params: dict[str, list[str]] = {}
    direct_query: str | None = None
    direct_update: str | None = None
    if request.method == "POST":
        body = await read_body(request, settings.max_body_bytes)
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
    merged = {**url, **{k: v for k, v in body_params.items()}}
    return _Params(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=tuple(
            url.get("default-graph-uri", []) + body_params.get("default-graph-uri", [])
        ),
        named_graphs=tuple(url.get("named-graph-uri", []) + body_params.get("named-graph-uri", [])),
        format=_one(merged, "format"),
    )


def _describe_service(
    request: Request, settings: Settings, store: Store, fmt_param: str | None
) -> Response:
    fmt = negotiate(Kind.GRAPH, accept=request.headers.get("accept"), format_param=fmt_param)
    graph = service_description(
        endpoint=f"{settings.base_url()}/sparql",
        graphs=store.graph_stats(),
        writable=bool(settings.curators()),
    )
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[
        fmt.name
    ]
    body = graph.serialize(format=rdflib_name)
    return Response(body, media_type=fmt.content_type(), headers={"Vary": "Accept"})


async def _update(request: Request, update: str) -> Response:
    from kg.api.auth import require_curator
    from kg.api.routes.curation import change_response, curation_service

    curator = require_curator(request)
    comment = request.query_params.get("comment")
    change = await run_in_threadpool(
        lambda: curation_service(request).update(update, curator=curator, comment=comment)
    )
    return change_response(request, change)


async def _run(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    params = await _collect(request, settings)
    if params.update is not None:
        return await _update(request, params.update)
    if params.query is None:
        return _describe_service(request, settings, store, params.format)
    if len(params.query.encode()) > settings.max_query_bytes:
        raise PayloadTooLarge(
            f"the query is longer than the limit of {settings.max_query_bytes} bytes"
        )
    op = classify(params.query)
    known = store.graph_names()
    check_policy(op, known_graphs=known)
    if op.form is Form.UPDATE:
        raise BadRequest(
            "an update was sent as 'query'; send updates as 'update' or "
            "application/sparql-update (and note this endpoint is read-only)"
        )
    for iri in (*params.default_graphs, *params.named_graphs):
        if iri not in known:
            raise BadRequest(
                f"default-graph-uri/named-graph-uri <{iri}> is not a graph of this store",
                graph=iri,
            )
    kind = Kind.GRAPH if op.form.returns_graph else Kind.RESULTS
    fmt = negotiate(kind, accept=request.headers.get("accept"), format_param=params.format)
    query_request = QueryRequest(
        text=params.query,
        form=op.form,
        format=fmt,
        max_rows=settings.max_rows,
        timeout=settings.query_timeout,
        default_graphs=params.default_graphs or None,
        named_graphs=params.named_graphs or None,
    )
    result = await run_in_threadpool(store.execute, query_request)
    headers = {
        "Vary": "Accept",
        "X-KG-Rows": str(result.rows),
        "X-KG-Elapsed-Ms": f"{result.elapsed_ms:.1f}",
    }
    if result.truncated:
        headers["X-KG-Truncated"] = f"true; the result was cut at {settings.max_rows} rows"
    return Response(result.body, media_type=fmt.content_type(), headers=headers)


_PROTOCOL_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The SPARQL query; without it, the Service Description is returned.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "description": "Graphs whose merge is the default graph (stored graphs only).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "description": "Graphs available to GRAPH (stored graphs only).",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {
            "type": "string",
            "enum": ["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld", "rdfxml"],
        },
        "description": "Result format; overrides Accept.",
    },
]
router.add_api_route("/sparql", _run, methods=["HEAD"], include_in_schema=False)
router.add_api_route(
    "/sparql",
    _run,
    methods=["GET"],
    summary="SPARQL query (GET)",
    description=QUERY_DOC,
    response_class=Response,
    operation_id="sparql_get",
    openapi_extra={"parameters": _PROTOCOL_PARAMETERS},
)
router.add_api_route(
    "/sparql",
    _run,
    methods=["POST"],
    summary="SPARQL query (POST form or direct)",
    description=QUERY_DOC,
    response_class=Response,
    operation_id="sparql_post",
)
