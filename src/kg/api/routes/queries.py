"""``/queries``: the canned-query catalogue, each query as its own typed operation."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from kg.api.deps import get_settings, get_store
from kg.api.openapi import SPARQL_RESULTS_JSON, answer, content, documented, errors
from kg.api.routes.sparql import admission_key, charged
from kg.errors import NotAcceptable, NotFound, ParameterError
from kg.formats import HTML, JSON_RESULTS, Format, Kind, formats_for, negotiate
from kg.queries import CannedQuery, Registry, bind_parameters, with_values
from kg.query_catalogue import Enumerations
from kg.store.base import QueryRequest

PAGING = ("limit", "offset", "format")
DEFAULT_PAGE = 1000

templates = Environment(
    loader=PackageLoader("kg", "templates"), autoescape=select_autoescape(["html"])
)


def describe(query: CannedQuery, base: str) -> dict[str, Any]:
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form.value,
        "url": f"{base}/queries/{query.name}",
        "sparql_url": f"{base}/queries/{query.name}.rq",
        "parameters": [
            {
                "name": p.name,
                "type": p.kind if p.kind != "xsd" else p.datatype,
                "required": p.required,
                "default": p.default,
                "enumerated": p.enumerate,
                "description": p.description,
            }
            for p in query.parameters
        ],
    }


def _raw_parameters(request: Request) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        if len(values) > 1:
            raise ParameterError(
                f"parameter '{key}' is given {len(values)} times; give it once", parameter=key
            )
        raw[key] = values[0]
    return raw


def _int_param(raw: dict[str, str], name: str, default: int, maximum: int) -> int:
    value = raw.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise ParameterError(
            f"parameter '{name}' must be a non-negative integer; got {value!r}",
            parameter=name,
            expected="a non-negative integer",
        )
    number = int(value)
    if number > maximum:
        raise ParameterError(
            f"parameter '{name}' may be at most {maximum}; got {number}",
            parameter=name,
            expected=f"an integer up to {maximum}",
        )
    return number


def run_handler(query: CannedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        settings = get_settings(request)
        store = get_store(request)
        enumerations: Enumerations = request.app.state.enumerations
        raw = _raw_parameters(request)
        limit = _int_param(raw, "limit", query.pagination or DEFAULT_PAGE, settings.max_rows)
        offset = _int_param(raw, "offset", 0, 1_000_000_000)
        params = {k: v for k, v in raw.items() if k not in PAGING}
        bound = bind_parameters(query, params)
        for p in query.parameters:
            if p.enumerate and p.variable in bound:
                allowed = await run_in_threadpool(enumerations.values, query, p.variable)
                if allowed is not None and str(bound[p.variable]) not in allowed:
                    sample = ", ".join(allowed[:5]) + (" …" if len(allowed) > 5 else "")
                    raise ParameterError(
                        f"parameter '{p.name}' must be one of the {len(allowed)} values this "
                        f"query knows (e.g. {sample}); got {params.get(p.name, p.default)!r}",
                        parameter=p.name,
                        expected=f"one of {len(allowed)} values",
                    )
        kind = Kind.GRAPH if query.form.returns_graph else Kind.RESULTS
        extra = (HTML,) if kind is Kind.RESULTS else ()
        fmt = negotiate(
            kind, accept=request.headers.get("accept"), format_param=raw.get("format"), extra=extra
        )
        run_format = JSON_RESULTS if fmt is HTML else fmt
        text = with_values(query, bound)
        result = await run_in_threadpool(
            charged,
            request,
            store,
            lambda client: QueryRequest(
                text=text,
                form=query.form,
                format=run_format,
                max_rows=max(limit, 1),
                timeout=settings.query_timeout,
                offset=offset,
                key=admission_key(text),
                client=client,
            ),
        )
        base = f"{settings.public_url}/queries/{query.name}"

        def page(new_offset: int, fmt_name: str | None = None) -> str:
            args = {**params, "limit": str(limit), "offset": str(new_offset)}
            if fmt_name:
                args["format"] = fmt_name
            elif "format" in raw:
                args["format"] = raw["format"]
            return f"{base}?{urlencode(args)}"

        links = []
        next_url = page(offset + limit) if result.truncated else None
        prev_url = page(max(offset - limit, 0)) if offset > 0 else None
        if next_url:
            links.append(f'<{next_url}>; rel="next"')
        if prev_url:
            links.append(f'<{prev_url}>; rel="prev"')
        headers = {"Vary": "Accept", "X-KG-Rows": str(result.rows)}
        if links:
            headers["Link"] = ", ".join(links)
        if fmt is HTML:
            data = json.loads(result.body)
            html = templates.get_template("results.html").render(
                title=query.summary,
                base=settings.public_url,
                query=query,
                variables=data.get("head", {}).get("vars", []),
                rows=data.get("results", {}).get("bindings", []),
                boolean=data.get("boolean"),
                offset=offset,
                bound={k: v for k, v in params.items()},
                next_url=page(offset + limit, "html") if result.truncated else None,
                prev_url=page(max(offset - limit, 0), "html") if offset > 0 else None,
                csv_url=page(offset, "csv"),
                json_url=page(offset, "json"),
            )
            return HTMLResponse(html, headers=headers)
        return Response(result.body, media_type=fmt.content_type(), headers=headers)

    return handler


def source_handler(query: CannedQuery) -> Callable[[], PlainTextResponse]:
    def handler() -> PlainTextResponse:
        return PlainTextResponse(query.text, media_type="application/sparql-query")

    return handler


def answer_formats(query: CannedQuery) -> tuple[Format, ...]:
    """The formats a canned query answers in: a graph's, or results' and an HTML table."""
    if query.form.returns_graph:
        return formats_for(Kind.GRAPH)
    return (*formats_for(Kind.RESULTS), HTML)


def _openapi_parameters(query: CannedQuery) -> list[dict[str, Any]]:
    """The operation's parameters; an optional one given empty counts as not given (as an HTML
    form sends it), which ``allowEmptyValue`` says."""
    params: list[dict[str, Any]] = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description,
            "schema": p.openapi_schema(),
        }
        for p in query.parameters
    ]
    params += [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "page size",
            "schema": {
                "type": "integer",
                "minimum": 0,
                "default": query.pagination or DEFAULT_PAGE,
            },
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "rows to skip",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "the answer's format (overrides Accept)",
            "schema": {"type": "string", "enum": [f.name for f in answer_formats(query)]},
        },
    ]
    for param in params:
        if not param["required"]:
            param["allowEmptyValue"] = True
    return params


_CATALOGUE = {
    "type": "object",
    "required": ["queries", "count"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "queries": {
            "type": "array",
            "items": {"type": "object", "required": ["name", "summary", "url", "parameters"]},
        },
    },
}


def build_router(registry: Registry) -> APIRouter:
    router = APIRouter(tags=["Canned queries"])

    @router.get(
        "/queries",
        summary="Catalogue of canned queries (JSON or HTML)",
        responses=errors(406),
        openapi_extra=documented(
            {
                200: answer(
                    "The canned queries, their parameters and links",
                    {"application/json": {"schema": _CATALOGUE}} | content([HTML]),
                )
            },
            parameters=[
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "description": "json or html (overrides Accept)",
                    "schema": {"type": "string", "enum": ["json", HTML.name]},
                    "allowEmptyValue": True,
                }
            ],
        ),
    )
    def catalogue(request: Request) -> Response:
        settings = get_settings(request)
        accept = request.headers.get("accept", "")
        chosen = request.query_params.get("format") or None
        if chosen not in (None, "json", HTML.name):
            raise NotAcceptable(
                f"format={chosen!r} is not available for the catalogue; supported: json, html",
                supported=["application/json", HTML.media_type],
            )
        wants_html = chosen == HTML.name or ("text/html" in accept and chosen is None)
        if wants_html:
            html = templates.get_template("catalogue.html").render(
                title="Canned queries", base=settings.public_url, queries=list(registry)
            )
            return HTMLResponse(html, headers={"Vary": "Accept"})
        items = [describe(q, settings.public_url) for q in registry]
        return JSONResponse({"queries": items, "count": len(items)}, headers={"Vary": "Accept"})

    for query in registry:
        router.add_api_route(
            f"/queries/{query.name}.rq",
            source_handler(query),
            methods=["GET"],
            summary=f"SPARQL source of '{query.name}'",
            operation_id=f"source_{query.name}",
            response_class=PlainTextResponse,
            include_in_schema=False,
        )
        router.add_api_route(
            f"/queries/{query.name}",
            run_handler(query),
            methods=["GET"],
            summary=query.summary,
            description=query.description or query.summary,
            operation_id=f"query_{query.name.replace('-', '_')}",
            response_class=Response,
            responses=errors(400, 406, 429, 503),
            openapi_extra=documented(
                {
                    200: answer(
                        "The answer, one page of it",
                        content(
                            answer_formats(query),
                            schemas={JSON_RESULTS.name: SPARQL_RESULTS_JSON},
                        ),
                        Link="The next and previous pages (rel=next, rel=prev)",
                        X_KG_Rows="Rows in this page",
                    )
                },
                parameters=_openapi_parameters(query),
            ),
            tags=["Canned queries", *query.tags],
        )

    @router.get("/queries/{name}", include_in_schema=False)
    def unknown(name: str) -> Response:
        raise NotFound(
            f"no canned query named '{name}'; see /queries for the {len(registry)} there are"
        )

    return router


def install(app: FastAPI, registry: Registry) -> None:
    app.include_router(build_router(registry))
    app.state.registry = registry
