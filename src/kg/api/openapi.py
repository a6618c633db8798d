"""The OpenAPI document: every operation's answers, errors included, with their media types.

Routes declare what they answer with the helpers here, so that the document says what the app
does rather than what FastAPI guesses:

* ``responses=errors(400, 406, …)``: the error statuses the operation can answer, each with the
  one error shape (:class:`kg.api.errors.ErrorBody`; a SHACL refusal, 422, adds the report) and
  the headers that come with it (``WWW-Authenticate``, ``Retry-After``);
* ``openapi_extra=documented(…)``: the success answers, their media types taken from the format
  table (:mod:`kg.formats`), the request body and its media types, and bearer authentication for
  writes.

:func:`install` makes the app serve the document built by :func:`build`, which also removes the
422 FastAPI assumes for parameter validation (this app answers that with a 400, see
:mod:`kg.api.errors`). Any path answers a method it does not support with 405 and ``Allow``, and
``OPTIONS`` with 204 and ``Allow``; OpenAPI has no place for these per path, so the document's
description says it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kg.api.errors import ErrorBody, RejectedWrite
from kg.formats import Format, by_name, upload_media_types

BEARER = "bearer"

#: What each error status means here.
_ERRORS: dict[int, str] = {
    400: (
        "Malformed request: a SPARQL or RDF syntax error (with line and column), a bad or "
        "missing parameter (named in details.parameter), a protocol error, nesting too deep."
    ),
    401: "A write without 'Authorization: Bearer <token>'.",
    403: (
        "Refused: the token is not valid for writes, the server is read-only, or the operation "
        "is never allowed here (LOAD, SERVICE, FROM a graph not stored, a protected graph)."
    ),
    404: "No such resource (graph, change set, canned query).",
    405: "The path does not answer this method; Allow lists those it does.",
    406: ("No format of this answer matches Accept or format=; details.supported lists them."),
    409: "The request contradicts the current state (e.g. a change set already reverted).",
    413: "The body, the query text or the document is over its limit (details.limit).",
    415: "The body's Content-Type is not one this operation reads.",
    422: "The write would break the SHACL shapes; nothing was written. The report says why.",
    429: "The client spent its budget of query time; retry after Retry-After seconds.",
    503: (
        "The evaluation passed its deadline and was stopped (query-timeout), or the server is "
        "busy with heavy work (server-busy, with Retry-After)."
    ),
}

_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` for these error statuses, all in the one error shape."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(statuses):
        response: dict[str, Any] = {
            "description": _ERRORS[status],
            "model": RejectedWrite if status == 422 else ErrorBody,
        }
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "The scheme to authenticate with (Bearer).",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        elif status == 429:
            response["headers"] = {"Retry-After": {**_RETRY_AFTER, "required": True}}
        elif status == 503:
            response["headers"] = {"Retry-After": _RETRY_AFTER}
        out[status] = response
    return out


def content(
    formats: Iterable[Format] = (),
    *,
    schemas: dict[str, dict[str, Any]] | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An OpenAPI ``content`` map: each format under the media type it is sent as (the first of
    its media types), with a schema where ``schemas`` has one for its name; then ``extra``."""
    out: dict[str, Any] = {}
    for fmt in formats:
        schema = (schemas or {}).get(fmt.name)
        out[fmt.media_type] = {"schema": schema} if schema is not None else {}
    out.update(extra or {})
    return out


def answer(description: str, body: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    """One success answer: its description, ``content`` (see :func:`content`) and headers."""
    out: dict[str, Any] = {"description": description}
    if body:
        out["content"] = body
    if headers:
        out["headers"] = {
            name.replace("_", "-"): {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return out


_JSON_LD_TYPE = by_name("jsonld").media_type
_JSON_LD = {"type": ["object", "array"], "description": "A JSON-LD document"}


#: A small document that conforms to the shapes: an NGO, its label and the source that states it.
TURTLE_EXAMPLE = """@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/unhr/id/org/ngo/example-ngo> a unhr:NGO ;
    rdfs:label "Example NGO"@en ;
    dcterms:source <https://w3id.org/unhr/id/source/nkhr-un-advocacy> .
"""


def upload_body(description: str, *, required: bool = True) -> dict[str, Any]:
    """The request body of an upload: one RDF document in any syntax the server reads (the list
    :func:`kg.formats.rdf_upload_format` accepts), or several as ``multipart/form-data``."""
    # A document in a text syntax has no JSON Schema: any text is sent, and read by its parser.
    body: dict[str, Any] = {
        media_type: {
            "schema": _JSON_LD
            if media_type == _JSON_LD_TYPE
            else {"description": "A document in this syntax"}
        }
        for media_type in upload_media_types()
    }
    body[by_name("turtle").media_type]["example"] = TURTLE_EXAMPLE
    body["multipart/form-data"] = {
        "schema": {
            "type": "object",
            "description": "Each part one RDF document, typed by its Content-Type or file name.",
            "additionalProperties": {"type": "string", "format": "binary"},
        }
    }
    return {"description": description, "required": required, "content": body}


def documented(
    ok: dict[int, dict[str, Any]],
    *,
    body: dict[str, Any] | None = None,
    parameters: Sequence[dict[str, Any]] = (),
    auth: str | None = None,
) -> dict[str, Any]:
    """FastAPI ``openapi_extra`` for an operation: its success answers (by status), its request
    body, extra parameters, and ``auth`` = ``"required"`` or ``"optional"`` (a bearer token)."""
    extra: dict[str, Any] = {"responses": {str(status): spec for status, spec in ok.items()}}
    if body is not None:
        extra["requestBody"] = body
    if parameters:
        extra["parameters"] = list(parameters)
    if auth == "required":
        extra["security"] = [{BEARER: []}]
    elif auth == "optional":
        extra["security"] = [{}, {BEARER: []}]
    return extra


#: SPARQL 1.1 Query Results JSON (W3C), enough to check an answer's shape.
SPARQL_RESULTS_JSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "head": {
            "type": "object",
            "properties": {
                "vars": {"type": "array", "items": {"type": "string"}},
                "link": {"type": "array", "items": {"type": "string"}},
            },
        },
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["type", "value"],
                            "properties": {
                                "type": {"enum": ["uri", "literal", "bnode", "triple"]},
                                "xml:lang": {"type": "string"},
                                "datatype": {"type": "string"},
                            },
                        },
                    },
                }
            },
        },
        "boolean": {"type": "boolean"},
    },
    "required": ["head"],
}

#: A SHACL validation report as JSON (see kg.validation.ValidationReport.to_json).
VALIDATION_REPORT_JSON: dict[str, Any] = {
    "type": "object",
    "required": ["conforms", "counts", "results"],
    "properties": {
        "conforms": {"type": "boolean"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["focus_node", "message", "severity", "shape"],
                "properties": {
                    "focus_node": {"type": "string"},
                    "path": {"type": ["string", "null"]},
                    "value": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                    "severity": {"enum": ["Violation", "Warning", "Info"]},
                    "shape": {"type": "string"},
                    "file": {"type": ["string", "null"]},
                },
            },
        },
    },
}

#: An accepted (or, with dry_run, computed) change set (see kg.curation.changes.Change).
CHANGE_SET_JSON: dict[str, Any] = {
    "type": "object",
    "required": ["id", "kind", "added", "removed", "conforms"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "applied": {"type": "boolean"},
        "added": {"type": "integer", "minimum": 0},
        "removed": {"type": "integer", "minimum": 0},
        "conforms": {"type": "boolean"},
        "report": VALIDATION_REPORT_JSON,
    },
}

_DESCRIPTION = """

**Errors.** Every error answer is JSON of one shape (schema `ErrorBody`): `{"error": {"status",
"code", "message", "details", "request_id"}}`; a write refused by the SHACL shapes (422) adds
the `report`. Each operation lists the statuses it can answer. Besides those, any path answers a
method it does not support with **405** and an `Allow` header listing the methods it does (HEAD
wherever GET works, and OPTIONS), and `OPTIONS` with 204 and the same `Allow`.

**Writes** need `Authorization: Bearer <token>` (401 without it, 403 with a token that is not
valid for writes or when the server has none configured)."""


def build(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (built once)."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=(app.description or "") + _DESCRIPTION,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
            if default_422.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]
    components = spec.setdefault("components", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(name, None)
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A curator's write token (KG_WRITE_TOKENS).",
    }
    app.openapi_schema = spec
    return spec


def install(app: FastAPI) -> None:
    """Serve :func:`build`'s document at ``/openapi.json`` (and so in ``/docs``, ``/redoc``)."""

    def openapi() -> dict[str, Any]:
        return build(app)

    app.openapi = openapi  # type: ignore[method-assign]
