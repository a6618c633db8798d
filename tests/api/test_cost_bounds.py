"""Deadlines, concurrency and unexpected errors: a hostile query costs a bounded amount."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.startup import prepare_store
from kg.store.oxigraph import OxigraphStore

# A cross product of the whole graph with itself eight times: it never finishes in time.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8)) + " }"
)
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture()
def pooled(mini_root: Path) -> Iterator[tuple[TestClient, OxigraphStore]]:
    settings = make_settings(mini_root, query_workers=2, query_timeout=1.5)
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        store.close()


def test_slow_query_is_stopped_at_its_deadline(
    pooled: tuple[TestClient, OxigraphStore],
) -> None:
    client, _ = pooled
    started = time.monotonic()
    response = client.get("/sparql", params={"query": SLOW})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "query-timeout"
    assert elapsed < 6, f"the deadline was 1.5 s but the answer took {elapsed:.1f} s"
    # The killed worker was replaced: the server keeps answering.
    assert client.get("/sparql", params={"query": CHEAP}).status_code == 200


def test_cheap_query_is_answered_while_a_slow_one_runs(
    pooled: tuple[TestClient, OxigraphStore],
) -> None:
    client, _ = pooled
    slow_status: list[int] = []
    worker = threading.Thread(
        target=lambda: slow_status.append(client.get("/sparql", params={"query": SLOW}).status_code)
    )
    worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    cheap = client.get("/sparql", params={"query": CHEAP})
    cheap_elapsed = time.monotonic() - started
    worker.join()
    assert cheap.status_code == 200
    assert slow_status == [503]
    assert cheap_elapsed < 1.0, f"cheap query waited {cheap_elapsed:.2f} s behind the slow one"


def test_workers_see_data_changed_after_they_were_forked(
    pooled: tuple[TestClient, OxigraphStore], mini_root: Path
) -> None:
    client, store = pooled
    query = "SELECT (COUNT(*) AS ?n) WHERE { <urn:x:s> ?p ?o }"
    before = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert before.text.split()[1] == "0"
    (mini_root / "data" / "extra.ttl").write_text("<urn:x:s> <urn:x:p> 1 .\n")
    from kg.bootstrap import load_all

    load_all(store, mini_root, progress=False)
    after = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert after.text.split()[1] == "1"


def test_unexpected_error_is_500_with_request_id(mini_root: Path) -> None:
    class BrokenStore(OxigraphStore):
        def execute(self, request: object) -> object:  # type: ignore[override]
            raise RuntimeError("disk on fire")

    store = BrokenStore(kind="memory")
    app = create_app(make_settings(mini_root), store)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sparql", params={"query": CHEAP})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal-error"
    assert "disk on fire" not in response.text
    assert error["request_id"] and error["request_id"] == response.headers["x-request-id"]
