"""What operators see: readiness, Prometheus metrics, one safe JSON log line per request."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.api.observability import JsonFormatter
from kg.startup import prepare_store
from kg.store.base import Store

TOKEN = "observed-token-0123456789ab"
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
)


@pytest.fixture()
def observed(mini_root: Path, repo_root: Path) -> Iterator[tuple[TestClient, Store]]:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    settings = make_settings(mini_root, store="embedded", write_tokens=f"alice:{TOKEN}")
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        store.close()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text."""
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()) and (
            head == name or head.startswith(name + "{")
        ):
            return float(value)
    raise AssertionError(f"no sample {name} {labels} in:\n{text}")


def test_readiness_names_its_checks(observed: tuple[TestClient, Store]) -> None:
    client, _ = observed
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"store": "ok", "workers": "ok", "journal": "ok"},
    }


def test_readiness_fails_when_the_store_process_is_gone(mini_root: Path) -> None:
    settings = make_settings(mini_root)
    store = prepare_store(settings, progress=False)
    client = TestClient(create_app(settings, store), raise_server_exceptions=False)
    store.close()  # the store process and the workers are gone
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["store"].startswith("failing")


def test_metrics_count_requests_errors_and_writes(observed: tuple[TestClient, Store]) -> None:
    client, _ = observed
    for _ in range(3):
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    assert client.get("/sparql", params={"query": "SELECT"}).status_code == 400
    assert client.get("/sparql", params={"query": SLOW, "timeout": "0.5"}).status_code == 503
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert client.get("/sparql", params={"query": service}).status_code == 403
    refused = client.post(
        "/changesets",
        content="<https://w3id.org/unhr/id/org/ngo/x> a <https://w3id.org/unhr/ontology#NGO> .",
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
    )
    assert refused.status_code == 422
    text = client.get("/metrics").text
    assert metric(text, "kg_requests_total", route="/sparql", method="GET", status="200") == 3
    assert metric(text, "kg_errors_total", code="sparql-syntax-error") == 1
    assert metric(text, "kg_errors_total", code="query-timeout") == 1
    assert metric(text, "kg_errors_total", code="forbidden") == 1
    assert metric(text, "kg_policy_refusals_total", reason="service-disabled") == 1
    assert metric(text, "kg_errors_total", code="validation-failed") == 1
    assert metric(text, "kg_writes_refused_by_shacl") == 1
    assert metric(text, "kg_changesets_accepted") == 0
    assert metric(text, "kg_pool_killed") >= 1
    assert metric(text, "kg_request_seconds_count", route="/sparql") == 6
    assert metric(text, "kg_store_triples", graph="https://w3id.org/unhr/graph/source-a") == 11


def test_one_json_line_per_request_and_never_a_token(
    observed: tuple[TestClient, Store], caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = observed
    secret = "do-not-log-this-secret-0123"
    with caplog.at_level(logging.INFO, logger="kg.access"):
        client.get(
            "/sparql",
            params={"query": "ASK {}", "access_token": secret},
            headers={"X-Request-ID": "trace-7", "Authorization": f"Bearer {secret}"},
        )
        client.post(
            "/sparql",
            content="INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {TOKEN}",
            },
        )
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "kg.access"]
    assert len(lines) == 2
    first, second = lines
    assert first["request_id"] == "trace-7" and first["route"] == "/sparql"
    assert first["status"] == 200 and len(first["query_hash"]) == 32 and first["ms"] >= 0
    assert second["client"] == "curator:alice"
    # What the server logged (the test's own HTTP client, httpx, logs the URL it requested).
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in server_side)
    everything = logged + "".join(json.dumps(line) for line in lines)
    assert secret not in everything and TOKEN not in everything
