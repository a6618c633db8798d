"""The one place where errors become HTTP responses.

Every error body has the same shape::

    {"error": {"status": 400, "code": "sparql-syntax-error", "message": "...",
               "details": {"line": 1, "column": 25}, "request_id": "..."}}

and a write refused by the SHACL gate (422) adds the report beside it: ``{"error": …, "report":
{"conforms": false, "counts": …, "results": […]}}``.

Known errors (:class:`kg.errors.KgError`) carry their status; anything else is a 500 whose
details stay in the log, found by the request id. :class:`ErrorBody` is that shape, used both to
build every error answer and to declare it in the OpenAPI document.

A method a path does not answer is a 405 whose ``Allow`` lists the methods some route answers
at that path (HEAD wherever GET works, OPTIONS everywhere); ``OPTIONS`` on an existing path is a
204 with the same ``Allow`` (a CORS preflight is answered by the CORS middleware before this).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kg.errors import KgError, ValidationFailed

log = logging.getLogger("kg.api")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


class ErrorInfo(BaseModel):
    """What went wrong, for people (``message``) and programs (``status``, ``code``)."""

    status: int = Field(description="The HTTP status, repeated.")
    code: str = Field(description="A stable machine-readable name (see kg.errors).")
    message: str = Field(description="What went wrong and what to do about it.")
    details: dict[str, Any] = Field(
        description="Specifics: line and column, the parameter, a limit, retry_after, …"
    )
    request_id: str = Field(description="Quote it when reporting a problem.")


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorInfo


class RejectedWrite(ErrorBody):
    """A write refused by the SHACL gate: the error and the SHACL report."""

    report: dict[str, Any] = Field(
        description="The SHACL report: conforms, counts by severity, results."
    )


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def allowed_methods(request: Request) -> str:
    """The methods some route answers at this path (for ``Allow``): those the routes declare,
    HEAD wherever GET works (see :mod:`kg.api.head`), and OPTIONS."""
    allowed = {
        method
        for method in _METHODS
        for route in request.app.router.routes
        if route.matches({**request.scope, "method": method})[0] is Match.FULL
    }
    if "GET" in allowed:
        allowed.add("HEAD")
    allowed.add("OPTIONS")
    return ", ".join(sorted(allowed))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
) -> JSONResponse:
    info = ErrorInfo(
        status=status,
        code=code,
        message=message,
        details=details or {},
        request_id=request_id(request),
    )
    shape = ErrorBody(error=info) if report is None else RejectedWrite(error=info, report=report)
    body = shape.model_dump(mode="json")
    request.state.error_code = code  # for the access log and the metrics
    if details and isinstance(details.get("policy"), str):
        request.state.policy_refusal = details["policy"]
    if details and "endpoint" in details and "outcome" in details:
        request.state.service_calls = [(str(details["endpoint"]), str(details["outcome"]))]
    headers = {"X-Request-ID": request_id(request)}
    if status == 405:
        headers["Allow"] = allowed_methods(request)
    if details and "retry_after" in details:
        headers["Retry-After"] = str(details["retry_after"])
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="unhr-kg"'
    return JSONResponse(body, status_code=status, headers=headers)


async def _kg_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KgError)
    if exc.status >= 500:
        log.error("request %s failed: %s", request_id(request), exc.message)
    report = exc.report if isinstance(exc, ValidationFailed) else None
    return error_response(request, exc.status, exc.code, exc.message, exc.details, report)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405 and request.method == "OPTIONS":
        # The path exists (else this would be a 404): say which methods it answers.
        return Response(status_code=204, headers={"Allow": allowed_methods(request)})
    codes = {404: "not-found", 405: "method-not-allowed"}
    return error_response(
        request, exc.status_code, codes.get(exc.status_code, "http-error"), str(exc.detail)
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"parameter": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg")}
        for e in exc.errors()
    ]
    names = ", ".join(p["parameter"] for p in problems) or "request"
    return error_response(
        request, 400, "bad-parameter", f"invalid parameter(s): {names}", {"problems": problems}
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request %s: unexpected error", request_id(request), exc_info=exc)
    return error_response(
        request,
        500,
        "internal-error",
        f"unexpected server error; quote request id {request_id(request)} when reporting it",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(KgError, _kg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
