"""Home page, health, readiness and metrics (cheap: counts the store keeps, never a query)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kg import __version__
from kg.api.deps import SettingsDep
from kg.api.openapi import answer, content, documented
from kg.api.service_info import ServiceInfo
from kg.formats import HTML

router = APIRouter(tags=["Service"])

_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>unhr-kg</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}}
textarea{{width:100%;height:12rem;font-family:monospace}}code{{background:#f3f3f3}}</style></head>
<body><h1>unhr-kg</h1>
<p>A knowledge graph of how the United Nations human-rights system has dealt with the DPRK.
{graphs} named graphs, {quads} triples.</p>
<form action="{base}/sparql" method="get">
<label for="q">SPARQL query</label>
<textarea id="q" name="query">PREFIX unhr: &lt;https://w3id.org/unhr/ontology#&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
SELECT ?body ?label WHERE {{ ?body a unhr:SubsidiaryBody ; rdfs:label ?label }} LIMIT 20</textarea>
<label>format <select name="format"><option>json</option><option>xml</option><option>csv</option>
<option>tsv</option></select></label> <button>Run</button></form>
<ul><li><a href="{base}/queries">Canned queries</a>: coalition and accountability questions</li>
<li><a href="{base}/sparql">Service Description</a> (<code>/sparql</code> without a query)</li>
<li><a href="{base}/changesets">Change sets</a>: what curators added or corrected, and when</li>
<li><a href="{base}/docs">HTTP API (OpenAPI)</a></li>
<li><a href="{base}/healthz">health</a></li></ul>
<p>Version {version}.</p></body></html>"""


def _info(request: Request) -> ServiceInfo:
    info: ServiceInfo = request.app.state.service_info
    return info


_READINESS = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="Home page",
    openapi_extra=documented({200: answer("The home page", content([HTML]))}),
)
def home(request: Request, settings: SettingsDep) -> HTMLResponse:
    health = _info(request).health()
    return HTMLResponse(
        _HOME.format(
            graphs=health["graphs"],
            quads=health["triples"],
            base=settings.public_url,
            version=__version__,
        )
    )


@router.get(
    "/healthz",
    summary="Liveness and size (always cheap)",
    openapi_extra=documented(
        {
            200: answer(
                "Alive: the version and the store's size",
                {
                    "application/json": {
                        "schema": {
                            "required": ["status", "version", "graphs", "triples"],
                            "properties": {
                                "status": {"const": "ok"},
                                "graphs": {"type": "integer", "minimum": 0},
                                "triples": {"type": "integer", "minimum": 0},
                            },
                        }
                    }
                },
            )
        }
    ),
)
def healthz(request: Request) -> dict[str, object]:
    return _info(request).health()


def _workers_check(stats: Mapping[str, int]) -> str:
    """Workers are up, or being started without failing: a worker that evaluated an update, was
    stopped at a deadline or ran a heavy query is replaced by a fresh fork, and when it was the
    last one, none is alive for a moment, yet requests are served (they wait for the fork)."""
    if stats.get("workers", 0) > 0:
        return "ok"
    if "spawn_failures" not in stats or stats.get("closed"):
        return "failing: no worker process is up"
    if stats["spawn_failures"]:
        return (
            f"failing: no worker process is up, and the last {stats['spawn_failures']} "
            "attempt(s) to start one failed (see the server log)"
        )
    return "ok"


@router.get(
    "/readyz",
    summary="Readiness: the store answers, workers are up, the journal is writable",
    openapi_extra=documented(
        {
            200: answer("Ready", {"application/json": {"schema": _READINESS}}),
            503: answer(
                "Not ready; the failing checks are named",
                {"application/json": {"schema": _READINESS}},
            ),
        }
    ),
)
def readyz(request: Request, settings: SettingsDep) -> JSONResponse:
    checks: dict[str, str] = {}
    store = request.app.state.store
    try:
        store.describe()
        checks["store"] = "ok"
    except Exception as exc:  # a dead store process is exactly what this must report
        checks["store"] = f"failing: {exc}"
    checks["workers"] = _workers_check(store.runtime_stats())
    journal_dir = settings.data_dir
    if settings.store.value == "embedded":
        writable = journal_dir.is_dir() and os.access(journal_dir, os.W_OK)
        checks["journal"] = "ok" if writable else f"failing: {journal_dir} is not writable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    openapi_extra=documented(
        {
            200: answer(
                "Metrics in the Prometheus text format",
                {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
            )
        }
    ),
)
def metrics(request: Request) -> Response:
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
