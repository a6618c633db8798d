"""Curators: ``/validate`` and ``/changesets`` (ingest, list, revert); administrators: redact."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kg.api.auth import AdminDep, CuratorDep
from kg.api.body import read_body
from kg.api.deps import SettingsDep
from kg.api.multipart import rdf_parts
from kg.api.openapi import (
    CHANGE_SET_JSON,
    VALIDATION_REPORT_JSON,
    answer,
    content,
    documented,
    errors,
    upload_body,
)
from kg.curation.changes import Change, changeset_graph
from kg.curation.service import CurationService
from kg.errors import BadRequest, NotFound, ValidationFailed
from kg.formats import by_name, rdf_upload_format
from kg.terms import Quad
from kg.validation import ValidationReport

router = APIRouter(tags=["Curation"])
UPLOAD_GRAPH = "urn:x-kg:upload"


def curation_service(request: Request) -> CurationService:
    svc: CurationService = request.app.state.curation
    return svc


def parse_upload(request: Request, body: bytes, *, into_graph: str) -> list[Quad]:
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


_ACCEPTED = answer(
    "Accepted: the new change set",
    {"application/json": {"schema": CHANGE_SET_JSON}},
    Location="The change set's URL",
) | {
    "links": {
        "ChangeSet": {
            "operationId": "changeset_get",
            "parameters": {"cs_id": "$response.body#/id"},
            "description": "The change set just recorded",
        },
        "Revert": {
            "operationId": "changeset_revert",
            "parameters": {"cs_id": "$response.body#/id"},
            "description": "Undo it (as a new change set)",
        },
    }
}
_WRITE_ERRORS = (400, 401, 403, 413, 415, 422, 503)


@router.post(
    "/validate",
    summary="SHACL report for a posted document (never writes)",
    responses=errors(400, 413, 415, 503),
    openapi_extra=documented(
        {
            200: answer(
                "The SHACL report (conforms or not)",
                {"application/json": {"schema": VALIDATION_REPORT_JSON}}
                | content([by_name("turtle")]),
            )
        },
        body=upload_body("The document to validate"),
    ),
)
async def validate(request: Request, settings: SettingsDep) -> Response:
    """Body in Turtle, TriG, N-Triples, N-Quads or JSON-LD (RDF/XML without DOCTYPE).

    Validated against `shapes/` together with the stored data it refers to; the answer is the
    SHACL report as JSON (focus node, path, value, message, severity, shape) or Turtle.
    """
    body = await read_body(request, settings.max_body_bytes)

    def work() -> ValidationReport:
        quads = parse_upload(request, body, into_graph=UPLOAD_GRAPH)
        return curation_service(request).validate_quads(quads)

    return _report_response(request, await run_in_threadpool(work))


@router.post(
    "/changesets",
    summary="Ingest a curator's document as a new change set",
    status_code=201,
    responses=errors(*_WRITE_ERRORS),
    openapi_extra=documented(
        {
            200: answer(
                "dry_run: the change that would be made (with its quads), nothing written",
                {"application/json": {"schema": CHANGE_SET_JSON}},
            ),
            201: _ACCEPTED,
        },
        body=upload_body("The document to add"),
        auth="required",
    ),
)
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
        quads = parse_upload(request, body, into_graph=UPLOAD_GRAPH)
        if not quads:
            raise BadRequest("the document holds no triples")
        return curation_service(request).ingest(
            quads, curator=curator, source=source, comment=comment, dry_run=dry_run
        )

    return change_response(request, await run_in_threadpool(work), dry_run=dry_run)


@router.get(
    "/changesets",
    summary="Accepted change sets, oldest first",
    description=(
        "Each with its curator (a name, or a pseudonym: KG_CURATOR_IDENTITY), time, kind, "
        "comment and source. A redacted change set says so (`redacted`, `redactions`: by which "
        "redaction, who, when, why, and digests of its text before); a redaction (kind "
        "`redact`) names what it redacted (`redacts`, `redacted_from`)."
    ),
    responses=errors(503),
    openapi_extra=documented(
        {
            200: answer(
                "The change sets",
                {
                    "application/json": {
                        "schema": {
                            "required": ["changesets", "count"],
                            "properties": {
                                "changesets": {"type": "array", "items": {"type": "object"}},
                                "count": {"type": "integer", "minimum": 0},
                            },
                        }
                    }
                },
            )
        }
    ),
)
def list_changesets(request: Request) -> dict[str, Any]:  # a sync route: runs in a thread
    items = curation_service(request).list()
    return {"changesets": items, "count": len(items)}


@router.get(
    "/changesets/{cs_id}",
    summary="One change set",
    operation_id="changeset_get",
    responses=errors(404, 503),
    openapi_extra=documented(
        {
            200: answer(
                "The change set",
                {"application/json": {"schema": {"required": ["id", "kind"]}}},
            )
        }
    ),
)
def get_changeset(request: Request, cs_id: str) -> dict[str, Any]:
    for item in curation_service(request).list():
        if item["id"] == cs_id:
            return item
    raise NotFound(f"no change set '{cs_id}'")


@router.post(
    "/changesets/{cs_id}/revert",
    summary="Revert a change set (as a new change set)",
    operation_id="changeset_revert",
    status_code=201,
    responses=errors(400, 401, 403, 404, 409, 422, 503),
    openapi_extra=documented({201: _ACCEPTED}, auth="required"),
)
def revert(
    request: Request,
    cs_id: str,
    curator: CuratorDep,
    comment: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    change = curation_service(request).revert(cs_id, curator=curator, comment=comment)
    return change_response(request, change)


@router.post(
    "/changesets/{cs_id}/redact",
    summary="Redact a change set (administrators only)",
    operation_id="changeset_redact",
    status_code=201,
    responses=errors(400, 401, 403, 404, 409, 503),
    openapi_extra=documented(
        {
            201: answer(
                "The redaction's audit record (a change set of kind `redact`)",
                {"application/json": {"schema": {"type": "object", "required": ["id"]}}},
                Location="The redaction's URL",
            )
        },
        auth="required",
    ),
    description=(
        "Removes everything the change set added or removed from every graph that holds it "
        "now, from the text of every change set that mentions it (a revert, a later edit), "
        "with their comments, and from the journal on disk; records who redacted it, when, "
        "why and keyed digests of what was removed, as a new change set of kind `redact`. "
        "Needs an administrator's token (KG_ADMIN_TOKENS): 401 without a token, 403 with "
        "another one; 404 for an unknown change set; 409 when it was already redacted."
    ),
)
def redact(
    request: Request,
    cs_id: str,
    admin: AdminDep,
    reason: Annotated[
        str,
        Query(
            min_length=1,
            max_length=2000,
            description="Why (public: say why without repeating what is removed)",
        ),
    ],
) -> Response:
    audit = curation_service(request).redact(cs_id, admin=admin, reason=reason)
    base = request.app.state.settings.public_url
    return JSONResponse(
        audit, status_code=201, headers={"Location": f"{base}/changesets/{audit['id']}"}
    )


__all__ = ["changeset_graph", "router"]
