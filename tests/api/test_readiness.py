"""Readiness while the worker pool replaces its workers (found by the load test).

A worker that evaluated an update (its copy of the dataset changed), was stopped at a deadline or
ran a heavy query is not reused: the pool forks a new one. When that was the last live worker,
for a moment no worker process is alive, yet the server serves all along (a request waits for
the fork). ``/readyz`` must not report it unready then, or a load balancer would take a healthy
server out of rotation; it must still fail when no worker can be started.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.errors import StoreError
from kg.startup import prepare_store
from kg.store.base import Store, UpdateRequest
from kg.workers.pool import WorkerPool


@pytest.fixture()
def served(mini_root: Path) -> Iterator[tuple[TestClient, Store, WorkerPool]]:
    settings = make_settings(mini_root, store="embedded")
    store = prepare_store(settings, progress=False)
    pool = store._pool  # type: ignore[attr-defined]  # the pool behind the store
    assert isinstance(pool, WorkerPool)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store, pool
    finally:
        store.close()


def retire_every_worker(store: Store) -> None:
    """Run an update's effect (what the write path does for a SPARQL update) on each idle
    worker: each one is retired afterwards, as its copy of the dataset changed."""

    def settled() -> bool:
        stats = store.runtime_stats()
        return stats["workers"] == stats["idle"] >= 1  # none busy

    wait_for(settled, "idle workers, none busy")
    for n in range(store.runtime_stats()["idle"]):
        store.update_effect(
            UpdateRequest(
                text=f"INSERT DATA {{ <urn:x:s> <urn:x:p> {n} }}",
                target_graph="https://w3id.org/unhr/graph/changeset/cs-test",
                timeout=10,
                max_changes=10,
            )
        )


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_ready_while_the_last_worker_is_replaced(
    served: tuple[TestClient, Store, WorkerPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store, pool = served
    forking, release = threading.Event(), threading.Event()
    real_spawn = pool._spawn

    def slow_spawn() -> Any:
        forking.set()
        release.wait(10)
        return real_spawn()

    monkeypatch.setattr(pool, "_spawn", slow_spawn)
    try:
        retire_every_worker(store)
        assert forking.wait(10)
        assert store.runtime_stats()["workers"] == 0  # the moment the load test caught
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
    finally:
        release.set()
    wait_for(lambda: store.runtime_stats()["idle"] >= 1, "the new worker")
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_not_ready_when_no_worker_can_be_started(
    served: tuple[TestClient, Store, WorkerPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store, pool = served
    real_spawn = pool._spawn

    def failing_spawn() -> Any:
        raise StoreError("cannot fork a worker (a test)")

    monkeypatch.setattr(pool, "_spawn", failing_spawn)
    retire_every_worker(store)
    wait_for(lambda: client.get("/readyz").status_code == 503, "readiness to fail")
    checks = client.get("/readyz").json()["checks"]
    assert checks["workers"].startswith("failing") and checks["store"] == "ok"
    monkeypatch.setattr(pool, "_spawn", real_spawn)
    wait_for(lambda: client.get("/readyz").status_code == 200, "readiness to come back")
