"""The real server as a subprocess: every process it starts dies with it, whatever kills it.

For SIGTERM, SIGINT and SIGKILL: the server is given work (an accepted write, a query stopped at
its deadline, an update still running), then signalled. No process of its tree (store process,
workers, fork server) may remain 5 s later, a graceful stop must end within 10 s even with the
update running, and a restart on the same port and data directory answers within 10 s with the
acknowledged write in place.
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from kg.store.base import ChangeSet
from kg.store.journal import Journal
from kg.terms import Quad, URIRef, literal
from tests.server import process_tree, server, start, stop, wait_gone
from tests.support import GRAPH, ID

TOKEN = "lifecycle-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y }"
SLOW_UPDATE = (
    "INSERT { <urn:x:counted> <urn:x:n> ?n } WHERE { SELECT (COUNT(*) AS ?n) WHERE "
    "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y } }"
)
NGO = f"""@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}org/ngo/lifecycle> a unhr:NGO ; rdfs:label "Lifecycle NGO"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
"""


def query_count(port: int, query: str = COUNT) -> int:
    response = httpx.get(
        f"http://127.0.0.1:{port}/sparql",
        params={"query": query},
        headers={"Accept": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return int(response.text.split()[1])


@pytest.fixture()
def curated_root(mini_root: Path, repo_root: Path) -> Path:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    return mini_root


def test_kill_9_and_restart_keep_acknowledged_change_sets(mini_root: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    # A change set acknowledged before the first start: it must be there after every restart.
    journal = Journal(data_dir / "journal.jsonl")
    journal.append(
        ChangeSet(
            id="cs1",
            added=(
                Quad(
                    URIRef("urn:x:s"),
                    URIRef("urn:x:p"),
                    literal("1"),
                    URIRef(f"{GRAPH}changeset/cs1"),
                ),
            ),
        )
    )
    journal.close()
    with server(mini_root, data_dir, KG_STORE="embedded") as (proc, port):
        before = query_count(port)
        assert query_count(port, "SELECT (COUNT(*) AS ?n) WHERE { <urn:x:s> ?p ?o }") == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with server(mini_root, data_dir, KG_STORE="embedded") as (_, port):
        assert query_count(port) == before
        assert query_count(port, "SELECT (COUNT(*) AS ?n) WHERE { <urn:x:s> ?p ?o }") == 1
        # Loading again does not duplicate anything.
        graph = f"{GRAPH}source-a"
        assert (
            query_count(port, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == 11
        )


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name
)
def test_every_process_dies_with_the_server_and_it_restarts_on_the_same_port(
    curated_root: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    data_dir = tmp_path / "var"
    env = {"KG_STORE": "embedded", "KG_WRITE_TOKENS": f"curator:{TOKEN}", "KG_QUERY_TIMEOUT": "30"}
    with server(curated_root, data_dir, **env) as (proc, port):
        base = f"http://127.0.0.1:{port}"
        # Work: an accepted write, a query stopped at its deadline, an update still running.
        write = httpx.post(
            f"{base}/changesets",
            content=NGO,
            headers={**AUTH, "Content-Type": "text/turtle"},
            timeout=30,
        )
        assert write.status_code == 201, write.text
        stopped = httpx.get(f"{base}/sparql", params={"query": RUNAWAY, "timeout": "1"}, timeout=30)
        assert stopped.status_code == 503 and stopped.json()["error"]["code"] == "query-timeout"
        update_status: list[int | str] = []

        def run_update() -> None:
            try:
                response = httpx.post(
                    f"{base}/sparql",
                    content=SLOW_UPDATE,
                    headers={**AUTH, "Content-Type": "application/sparql-update"},
                    timeout=60,
                )
                update_status.append(response.status_code)
            except httpx.TransportError as exc:
                update_status.append(type(exc).__name__)

        updater = threading.Thread(target=run_update)
        updater.start()
        time.sleep(1.0)  # the update's evaluation is under way in a worker
        tree = process_tree(proc.pid)
        assert len(tree) >= 4, f"expected server, fork server, store process and workers: {tree}"
        signalled = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=10)
        stopped_after = time.monotonic() - signalled
        assert stopped_after < 10, f"the server took {stopped_after:.1f} s to stop"
        still = wait_gone(tree, timeout=5)
        assert not still, f"processes still running 5 s after {sig!r}: {still}"
        updater.join(timeout=30)
        assert update_status and update_status[0] != 200
    # The same port and data directory, at once.
    restarted = time.monotonic()
    proc2 = start(curated_root, data_dir, port, env, timeout=10)
    assert proc2 is not None, "the port is still taken"
    try:
        assert time.monotonic() - restarted < 10
        ask = f"ASK {{ <{ID}org/ngo/lifecycle> a ?type }}"
        answer = httpx.get(
            f"http://127.0.0.1:{port}/sparql", params={"query": ask, "format": "json"}, timeout=10
        )
        assert answer.json()["boolean"] is True
    finally:
        stop(proc2)
