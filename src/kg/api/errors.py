"""The one place where errors become HTTP responses.

Every error body has the same shape::

    {"error": {"status": 400, "code": "sparql-syntax-error", "message": "...",
               "details": {"line": 1, "column": 25}, "request_id": "..."}}

and a write refused by the SHACL gate (422) adds the report beside it: ``{"error": …, "report":
{"conforms": false, "counts": …, "results": […]}}``.

Known errors (:class:`kg.errors.KgError`) carry their status; anything else is a 500 whose
details stay in the log, found by the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kg.errors import KgError, ValidationFailed

log = logging.getLogger("kg.api")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def allowed_methods(request: Request) -> str:
    """The methods some route answers at this path (for a 405's ``Allow`` header)."""
    allowed = {
        method
        for method in _METHODS
        for route in request.app.router.routes
        if route.matches({**request.scope, "method": method})[0] is Match.FULL
    }
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(sorted(allowed))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": request_id(request),
        }
    }
    if report is not None:
        body["report"] = report
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


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
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
