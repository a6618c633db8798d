"""Deadlines and fair admission over HTTP: a hostile query costs a bounded amount."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.startup import prepare_store
from kg.store.base import Store

# A cross product of the whole graph with itself seven times: it never finishes in time.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
)
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture()
def pooled(mini_root: Path) -> Iterator[tuple[TestClient, Store]]:
    settings = make_settings(
        mini_root,
        query_workers=2,
        query_timeout=3.0,
        heavy_queries=1,
        heavy_queue=1,
        cheap_query_seconds=0.3,
        queue_seconds=1.0,
        # The lanes are tested here as one client sees them; per-client limits further down.
        heavy_per_client=8,
        client_budget_seconds=1000,
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        store.close()


def wait_for(condition: Any, what: str, timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds (an event), not for a guessed time."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def busy(store: Store) -> int:
    snapshot = store.runtime_stats()
    return int(snapshot["workers"] - snapshot["idle"])


def get(client: TestClient, query: str, **params: str) -> Any:
    return client.get("/sparql", params={"query": query, **params})


def test_slow_query_is_stopped_at_its_deadline(pooled: tuple[TestClient, Store]) -> None:
    client, _ = pooled
    started = time.monotonic()
    response = get(client, SLOW, timeout="1")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "query-timeout"
    assert elapsed < 2, f"the deadline was 1 s but the answer took {elapsed:.1f} s"
    # The killed worker was replaced: the server keeps answering.
    assert get(client, CHEAP).status_code == 200


def test_timeout_parameter_is_checked(pooled: tuple[TestClient, Store]) -> None:
    client, _ = pooled
    for bad in ("0", "-1", "soon", "nan", "inf"):
        response = get(client, CHEAP, timeout=bad)
        assert response.status_code == 400, bad
        assert "timeout" in response.json()["error"]["message"]


def test_cheap_query_is_answered_while_a_slow_one_runs(pooled: tuple[TestClient, Store]) -> None:
    client, store = pooled
    slow_status: list[int] = []
    worker = threading.Thread(target=lambda: slow_status.append(get(client, SLOW).status_code))
    worker.start()
    wait_for(lambda: busy(store) >= 1, "the slow query to occupy a worker")
    started = time.monotonic()
    cheap = get(client, CHEAP)
    cheap_elapsed = time.monotonic() - started
    worker.join()
    assert cheap.status_code == 200
    assert slow_status == [503]
    assert cheap_elapsed < 1.0, f"cheap query waited {cheap_elapsed:.2f} s behind the slow one"


def test_heavy_lane_is_bounded_and_says_when_to_retry(pooled: tuple[TestClient, Store]) -> None:
    client, store = pooled
    statuses: list[int] = []
    headers: list[str | None] = []

    def send() -> None:
        response = get(client, SLOW)
        statuses.append(response.status_code)
        headers.append(response.headers.get("retry-after"))

    # One heavy slot and a queue of one: of three runaways, one runs, one waits, one is refused.
    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()

    def settled() -> bool:
        snapshot = store.runtime_stats()
        return bool(snapshot["heavy_running"] == 1 and snapshot["heavy_waiting"] == 1)

    wait_for(settled, "one heavy query running and one waiting")
    assert get(client, CHEAP).status_code == 200
    for t in threads:
        t.join()
    busy = [h for s, h in zip(statuses, headers, strict=True) if s == 503 and h is not None]
    assert statuses.count(503) == 3
    assert len(busy) >= 1 and all(h.isdigit() for h in busy)


def test_a_query_that_turned_heavy_waits_for_the_heavy_lane_next_time(
    pooled: tuple[TestClient, Store],
) -> None:
    client, store = pooled
    assert get(client, SLOW, timeout="1").status_code == 503
    before = store.runtime_stats()
    # Sent again, the same query never takes a fast-lane worker: the reserve stays idle.
    results: list[int] = []
    t = threading.Thread(target=lambda: results.append(get(client, SLOW, timeout="1").status_code))
    t.start()
    wait_for(
        lambda: store.runtime_stats()["heavy_running"] == 1,
        "the known-heavy query to hold the heavy slot",
    )
    during = store.runtime_stats()
    t.join()
    assert results == [503]
    assert during["heavy"] == before["heavy"], "a known-heavy query was admitted as cheap"
    assert during["heavy_running"] == 1


def test_workers_see_data_changed_after_they_were_forked(
    pooled: tuple[TestClient, Store], mini_root: Path
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


class BrokenStore:
    """A store whose evaluation fails with an unexpected error."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def query(self, request: object) -> object:
        raise RuntimeError("disk on fire")


def test_unexpected_error_is_500_with_request_id(mini_root: Path, mini_store: Store) -> None:
    app = create_app(make_settings(mini_root), BrokenStore(mini_store))  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        response = get(client, CHEAP)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal-error"
    assert "disk on fire" not in response.text
    assert error["request_id"] and error["request_id"] == response.headers["x-request-id"]


def test_health_and_service_description_never_wait_for_a_worker(
    pooled: tuple[TestClient, Store],
) -> None:
    client, store = pooled
    # Take every worker the pool may start, then ask for health and the Service Description.
    threads = [
        threading.Thread(target=lambda: get(client, SLOW, timeout="2"), daemon=True)
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    wait_for(lambda: busy(store) >= 3, "the runaways to take the workers")
    started = time.monotonic()
    health = client.get("/healthz")
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    elapsed = time.monotonic() - started
    for t in threads:
        t.join()
    assert health.status_code == 200 and health.json()["triples"] > 0
    assert description.status_code == 200 and "sd:Service" in description.text
    assert elapsed < 0.5, f"health and the Service Description took {elapsed:.2f} s"


def test_a_client_runs_one_heavy_query_at_a_time(mini_root: Path) -> None:
    settings = make_settings(
        mini_root, query_workers=2, query_timeout=3.0, heavy_queries=2, cheap_query_seconds=0.3
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            first: list[int] = []
            t = threading.Thread(target=lambda: first.append(get(client, SLOW).status_code))
            t.start()
            wait_for(lambda: store.runtime_stats()["heavy_running"] == 1, "a heavy query")
            second = get(client, SLOW.replace("?s0", "?x0"))
            t.join()
            assert second.status_code == 429
            assert second.json()["error"]["code"] == "too-many-requests"
            assert "KG_HEAVY_PER_CLIENT" in second.json()["error"]["message"]
            assert int(second.headers["retry-after"]) >= 1
            assert first == [503]
    finally:
        store.close()


def test_a_client_past_its_budget_gets_429_while_others_are_served(mini_root: Path) -> None:
    settings = make_settings(
        mini_root,
        query_timeout=0.5,
        client_budget_seconds=0.8,
        client_budget_window=30,
        write_tokens="alice:alice-token-0123456789abcdef",
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            # Two runaways stopped at 0.5 s each spend the anonymous client's 0.8 s.
            assert get(client, SLOW).status_code == 503
            assert get(client, SLOW).status_code == 503
            refused = get(client, "ASK {}")
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 30
            # Another client (a curator, known by its token) keeps its own budget.
            curator = client.get(
                "/sparql",
                params={"query": "ASK {}"},
                headers={"Authorization": "Bearer alice-token-0123456789abcdef"},
            )
            assert curator.status_code == 200
            metrics = client.get("/metrics").text
            assert 'kg_errors_total{code="too-many-requests"} 1.0' in metrics
            assert "kg_budget_refusals 1.0" in metrics
    finally:
        store.close()
