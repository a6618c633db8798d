"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol.

Graphs are identified indirectly (``/graph-store?graph=IRI``, or ``?default`` for the default
graph, which is the union of the named graphs and so can be read but not written) or directly
(``/graph-store/{path}`` is the graph whose IRI is that URL on this server). A ``POST`` to the
Graph Store itself creates a new graph and answers 201 with its location. Writes are change sets
(validated, journalled, revertible) like every other write.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from kg.api.auth import CuratorDep
from kg.api.body import read_body
from kg.api.deps import SettingsDep, StoreDep
from kg.api.openapi import CHANGE_SET_JSON, answer, content, documented, errors, upload_body
from kg.api.routes.curation import change_response, curation_service, parse_upload
from kg.curation.changes import Change
from kg.errors import BadRequest, NotFound
from kg.formats import GRAPH_FORMATS, Kind, negotiate
from kg.settings import Settings
from kg.sparql.iris import check_absolute_iri
from kg.sparql.operation import Form
from kg.store.base import QueryRequest

router = APIRouter(tags=["Graph Store"])
STORE_PATH = "/graph-store"


def _indirect(request: Request) -> str | None:
    """``?graph=IRI`` (a named graph) or ``?default`` (None)."""
    graph = request.query_params.get("graph")
    default = "default" in request.query_params
    if graph is not None and default:
        raise BadRequest("give ?graph=IRI or ?default, not both")
    if graph is None and not default:
        raise BadRequest("give exactly one of ?graph=IRI or ?default")
    return None if graph is None else check_absolute_iri(graph, "graph")


def _direct(settings: Settings, path: str) -> str:
    """The graph a direct request names: the request URL itself."""
    return check_absolute_iri(f"{settings.base_url()}{STORE_PATH}/{path}", "graph")


def _read(request: Request, settings: Settings, store: StoreDep, graph: str | None) -> Response:
    fmt = negotiate(
        Kind.GRAPH,
        accept=request.headers.get("accept"),
        format_param=request.query_params.get("format"),
    )
    if graph is not None and graph not in store.describe().graph_names():
        raise NotFound(f"graph <{graph}> does not exist")
    result = store.query(
        QueryRequest(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            Form.CONSTRUCT,
            fmt,
            settings.max_rows,
            settings.query_timeout,
            default_graphs=(graph,) if graph else None,
        )
    )
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-KG-Truncated"] = f"true; the graph was cut at {settings.max_rows} triples"
    return Response(result.body, media_type=fmt.content_type(), headers=headers)


async def _write(
    request: Request,
    settings: Settings,
    curator: str,
    graph: str | None,
    *,
    append: bool,
    delete: bool = False,
) -> Response:
    if graph is None:
        raise BadRequest(
            "the default graph is the union of the named graphs and cannot be "
            "written directly; write to a named graph with ?graph=IRI"
        )
    body = b"" if delete else await read_body(request, settings.max_body_bytes)
    comment = request.query_params.get("comment")

    def work() -> Change | None:
        quads = None if delete else parse_upload(request, body, into_graph=graph)
        return curation_service(request).replace_graph(
            graph, quads, curator=curator, comment=comment, append=append
        )

    change = await run_in_threadpool(work)
    if change is None:  # the graph already holds exactly that: nothing to record
        return Response(status_code=204)
    return change_response(request, change)


_GRAPH_PARAMETERS = [
    {
        "name": "graph",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "iri"},
        "description": "The graph's IRI (give this or 'default').",
    },
    {
        "name": "default",
        "in": "query",
        "required": False,
        "allowEmptyValue": True,
        "schema": {"type": "string"},
        "description": "The default graph (the union of the named graphs; read only).",
    },
]
_FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": [f.name for f in GRAPH_FORMATS]},
    "allowEmptyValue": True,
    "description": "The graph's format (overrides Accept).",
}
_COMMENT = {
    "name": "comment",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "A note recorded with the change set.",
}
_READ_ERRORS = errors(400, 404, 406, 503)
_WRITE_ERRORS = errors(400, 401, 403, 404, 413, 415, 422, 503)
_DELETE_ERRORS = errors(400, 401, 403, 404, 422, 503)
_GRAPH = answer(
    "The graph",
    content(GRAPH_FORMATS),
    X_KG_Truncated="Present when the graph was cut at the row cap",
)
_CHANGED = {
    200: answer(
        "The graph existed and was changed: the change set",
        {"application/json": {"schema": CHANGE_SET_JSON}},
        Location="The change set's URL",
    ),
    204: answer("The graph already held exactly that; nothing was recorded"),
}
_CREATED = answer(
    "The graph was created: the change set",
    {"application/json": {"schema": CHANGE_SET_JSON}},
    Location="The change set's URL (for a POST to the Graph Store itself: the new graph's)",
)


def _write_doc(*, delete: bool = False, indirect: bool = True) -> dict[str, Any]:
    ok: dict[int, dict[str, Any]] = {200: _CHANGED[200]} if delete else {**_CHANGED, 201: _CREATED}
    return documented(
        ok,
        body=None if delete else upload_body("The graph's new content (or what to add)"),
        parameters=[*(_GRAPH_PARAMETERS if indirect else []), _COMMENT],
        auth="required",
    )


# -- indirect identification: /graph-store?graph=IRI ---------------------------------------


@router.get(
    STORE_PATH,
    summary="Read a graph (?graph=IRI) or the default graph (?default)",
    response_class=Response,
    responses=_READ_ERRORS,
    openapi_extra=documented({200: _GRAPH}, parameters=[*_GRAPH_PARAMETERS, _FORMAT]),
)
def gsp_get(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    return _read(request, settings, store, _indirect(request))


@router.put(
    STORE_PATH,
    summary="Replace a graph",
    response_class=Response,
    responses=_WRITE_ERRORS,
    openapi_extra=_write_doc(),
)
async def gsp_put(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    return await _write(request, settings, curator, _indirect(request), append=False)


@router.post(
    STORE_PATH,
    summary="Add to a graph; without ?graph, create a new one",
    response_class=Response,
    responses=_WRITE_ERRORS,
    openapi_extra=_write_doc(),
)
async def gsp_post(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    if "graph" not in request.query_params and "default" not in request.query_params:
        # Graph Store Protocol 5.5: a POST to the Graph Store itself creates a new graph, named
        # by a new URL of this Graph Store (so that it is also directly identified).
        graph = _direct(settings, f"posted/{secrets.token_hex(8)}")
        response = await _write(request, settings, curator, graph, append=True)
        if response.status_code == 201:
            response.headers["Location"] = graph
        return response
    return await _write(request, settings, curator, _indirect(request), append=True)


@router.delete(
    STORE_PATH,
    summary="Delete a graph",
    response_class=Response,
    responses=_DELETE_ERRORS,
    openapi_extra=_write_doc(delete=True),
)
async def gsp_delete(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    return await _write(request, settings, curator, _indirect(request), append=False, delete=True)


# -- direct identification: /graph-store/{path} names the graph at that URL ----------------


@router.get(
    STORE_PATH + "/{path:path}",
    summary="Read the graph this URL names",
    response_class=Response,
    responses=_READ_ERRORS,
    openapi_extra=documented({200: _GRAPH}, parameters=[_FORMAT]),
)
def gsp_get_direct(path: str, request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    return _read(request, settings, store, _direct(settings, path))


@router.put(
    STORE_PATH + "/{path:path}",
    summary="Replace the graph this URL names",
    response_class=Response,
    responses=_WRITE_ERRORS,
    openapi_extra=_write_doc(indirect=False),
)
async def gsp_put_direct(
    path: str, request: Request, settings: SettingsDep, curator: CuratorDep
) -> Response:
    return await _write(request, settings, curator, _direct(settings, path), append=False)


@router.post(
    STORE_PATH + "/{path:path}",
    summary="Add to the graph this URL names",
    response_class=Response,
    responses=_WRITE_ERRORS,
    openapi_extra=_write_doc(indirect=False),
)
async def gsp_post_direct(
    path: str, request: Request, settings: SettingsDep, curator: CuratorDep
) -> Response:
    return await _write(request, settings, curator, _direct(settings, path), append=True)


@router.delete(
    STORE_PATH + "/{path:path}",
    summary="Delete the graph this URL names",
    response_class=Response,
    responses=_DELETE_ERRORS,
    openapi_extra=_write_doc(delete=True, indirect=False),
)
async def gsp_delete_direct(
    path: str, request: Request, settings: SettingsDep, curator: CuratorDep
) -> Response:
    return await _write(
        request, settings, curator, _direct(settings, path), append=False, delete=True
    )
