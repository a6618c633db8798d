"""Home page and health (cheap: counts the store keeps, never a query)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kg import __version__
from kg.api.deps import SettingsDep
from kg.api.service_info import ServiceInfo

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


@router.get("/", response_class=HTMLResponse, summary="Home page")
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


@router.get("/healthz", summary="Liveness and size")
def healthz(request: Request) -> dict[str, object]:
    return _info(request).health()
