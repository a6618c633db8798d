"""Curators: ``/validate``, ``/changesets`` (ingest, list, revert) and the Graph Store Protocol."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kg.api.auth import CuratorDep
from kg.api.body import read_body
from kg.api.deps import SettingsDep, StoreDep
from kg.api.multipart import rdf_parts
from kg.curation.changes import Change, changeset_graph
from kg.curation.service import CurationService
from kg.errors import BadRequest, NotFound, ValidationFailed
from kg.formats import Kind, negotiate, rdf_upload_format
from kg.sparql.iris import check_absolute_iri
from kg.sparql.operation import Form
from kg.store.base import QueryRequest
from kg.terms import Quad
from kg.validation import ValidationReport

router = APIRouter(tags=["Curation"])
UPLOAD_GRAPH = "urn:x-kg:upload"


def curation_service(request: Request) -> CurationService:
    svc: CurationService = request.app.state.curation
    return svc


def _parse(request: Request, body: bytes, *, into_graph: str) -> list[Quad]:
    """An upload's quads: the format from Content-Type, parsed in a worker (bounded).

    ``multipart/form-data`` (the Graph Store Protocol's POST of files) is several documents,
    merged.
    """
    content_type = request.headers.get("content-type", "")
    service = curation_service(request)
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        quads: list[Quad] = []
        for part, fmt in rdf_parts(body, content_type):
            quads += service.parse(part, fmt, into_graph=into_graph)
        return quads
    return service.parse(body, rdf_upload_format(content_type), into_graph=into_graph)


def _report_response(request: Request, report: ValidationReport, status: int = 200) -> Response:
    accept = request.headers.get("accept", "")
    if "text/turtle" in accept and "json" not in accept.split(",")[0]:
        return Response(
            report.to_turtle(), status_code=status, media_type="text/turtle; charset=utf-8"
        )
    return JSONResponse(report.to_json(), status_code=status)


def change_response(request: Request, change: Change, *, dry_run: bool = False) -> Response:
    if not change.report.conforms:
        raise ValidationFailed(
            f"the change would leave {change.report.counts()['Violation']} SHACL "
            "violation(s); nothing was written",
            report=change.report.to_json(),
        )
    payload = change.to_json(with_quads=dry_run)
    if dry_run:
        return JSONResponse(payload, status_code=200)
    base = request.app.state.settings.public_url
    # The change set is always new; a Graph Store write answers 201 only when it created the
    # graph, 200 when it replaced, added to or deleted an existing one.
    status = 200 if change.meta.get("created") == "false" else 201
    return JSONResponse(
        payload, status_code=status, headers={"Location": f"{base}/changesets/{change.id}"}
    )


@router.post("/validate", summary="SHACL report for a posted document (never writes)")
async def validate(request: Request, settings: SettingsDep) -> Response:
    """Body in Turtle, TriG, N-Triples, N-Quads or JSON-LD (RDF/XML without DOCTYPE).

    Validated against `shapes/` together with the stored data it refers to; the answer is the
    SHACL report as JSON (focus node, path, value, message, severity, shape) or Turtle.
    """
    body = await read_body(request, settings.max_body_bytes)

    def work() -> ValidationReport:
        quads = _parse(request, body, into_graph=UPLOAD_GRAPH)
        return curation_service(request).validate_quads(quads)

    return _report_response(request, await run_in_threadpool(work))


@router.post("/changesets", summary="Ingest a curator's document as a new change set")
async def ingest(
    request: Request,
    settings: SettingsDep,
    curator: CuratorDep,
    source: Annotated[str | None, Query(description="IRI of the source document")] = None,
    comment: Annotated[str | None, Query(max_length=2000)] = None,
    dry_run: Annotated[bool, Query(description="show what would change; write nothing")] = False,
) -> Response:
    body = await read_body(request, settings.max_body_bytes)
    if source is not None and not source.startswith(("http://", "https://")):
        raise BadRequest(f"source must be an http(s) IRI, got {source!r}")

    def work() -> Change:
        quads = _parse(request, body, into_graph=UPLOAD_GRAPH)
        if not quads:
            raise BadRequest("the document holds no triples")
        return curation_service(request).ingest(
            quads, curator=curator, source=source, comment=comment, dry_run=dry_run
        )

    return change_response(request, await run_in_threadpool(work), dry_run=dry_run)


@router.get("/changesets", summary="Accepted change sets, oldest first")
def list_changesets(request: Request) -> dict[str, Any]:  # a sync route: runs in a thread
    items = curation_service(request).list()
    return {"changesets": items, "count": len(items)}


@router.get("/changesets/{cs_id}", summary="One change set")
def get_changeset(request: Request, cs_id: str) -> dict[str, Any]:
    for item in curation_service(request).list():
        if item["id"] == cs_id:
            return item
    raise NotFound(f"no change set '{cs_id}'")


@router.post("/changesets/{cs_id}/revert", summary="Revert a change set (as a new change set)")
def revert(
    request: Request,
    cs_id: str,
    curator: CuratorDep,
    comment: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    change = curation_service(request).revert(cs_id, curator=curator, comment=comment)
    return change_response(request, change)


def _graph_param(request: Request) -> str | None:
    graph = request.query_params.get("graph")
    default = "default" in request.query_params
    if (graph is None) == (not default):
        if graph is None:
            raise BadRequest("give exactly one of ?graph=IRI or ?default")
        raise BadRequest("give ?graph=IRI or ?default, not both")
    return None if graph is None else check_absolute_iri(graph, "graph")


@router.get("/graph-store", summary="Graph Store Protocol: read")
def gsp_get(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    graph = _graph_param(request)
    fmt = negotiate(
        Kind.GRAPH,
        accept=request.headers.get("accept"),
        format_param=request.query_params.get("format"),
    )
    if graph is not None and graph not in store.describe().graph_names():
        raise NotFound(f"graph <{graph}> does not exist")
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    result = store.query(
        QueryRequest(
            text,
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


async def _gsp_write(
    request: Request, settings: Any, curator: str, *, append: bool, delete: bool = False
) -> Response:
    graph = _graph_param(request)
    if graph is None:
        raise BadRequest(
            "the default graph is the union of the named graphs and cannot be "
            "written directly; write to a named graph with ?graph=IRI"
        )
    body = b"" if delete else await read_body(request, settings.max_body_bytes)
    comment = request.query_params.get("comment")

    def work() -> Change | None:
        quads = None if delete else _parse(request, body, into_graph=graph)
        return curation_service(request).replace_graph(
            graph, quads, curator=curator, comment=comment, append=append
        )

    change = await run_in_threadpool(work)
    if change is None:  # the graph already holds exactly that: nothing to record
        return Response(status_code=204)
    return change_response(request, change)


@router.put("/graph-store", summary="Graph Store Protocol: replace a graph")
async def gsp_put(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    return await _gsp_write(request, settings, curator, append=False)


@router.post("/graph-store", summary="Graph Store Protocol: add to a graph")
async def gsp_post(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    return await _gsp_write(request, settings, curator, append=True)


@router.delete("/graph-store", summary="Graph Store Protocol: delete a graph")
async def gsp_delete(request: Request, settings: SettingsDep, curator: CuratorDep) -> Response:
    return await _gsp_write(request, settings, curator, append=False, delete=True)


__all__ = ["changeset_graph", "router"]
