"""kill -9 in the middle of a burst of writes: every acknowledged change set survives, whole."""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path

import httpx

from tests.server import server
from tests.support import GRAPH, ID

TOKEN = "durability-token-0123456789"
BODY = """@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{id}org/ngo/burst-{n}> a unhr:NGO ; rdfs:label "Burst NGO {n}"@en ;
  dcterms:source <{id}source/nkhr-un-advocacy> .
"""


def test_acknowledged_change_sets_survive_kill_9(
    mini_root: Path, repo_root: Path, tmp_path: Path
) -> None:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    data_dir = tmp_path / "var"
    env = {"KG_WRITE_TOKENS": f"curator:{TOKEN}", "KG_STORE": "embedded"}
    acknowledged: dict[str, int] = {}
    in_flight: set[int] = set()
    failures: list[str] = []
    stop = threading.Event()

    def burst(port: int, start: int) -> None:
        n = start
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as client:
            while not stop.is_set() and n < start + 400:
                in_flight.add(n)
                try:
                    response = client.post(
                        "/changesets",
                        content=BODY.format(id=ID, n=n),
                        headers={"Content-Type": "text/turtle"},
                    )
                except httpx.TransportError:
                    return
                if response.status_code != 201:  # an assert here would only end the thread
                    failures.append(f"{response.status_code}: {response.text[:300]}")
                    return
                acknowledged[response.json()["id"]] = n
                in_flight.discard(n)
                n += 2

    with server(mini_root, data_dir, **env) as (proc, port):
        writers = [threading.Thread(target=burst, args=(port, i)) for i in range(2)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        stop.set()
        for w in writers:
            w.join(timeout=30)
    assert not failures, failures
    assert len(acknowledged) >= 20

    with server(mini_root, data_dir, **env) as (_, port):
        listed = httpx.get(f"http://127.0.0.1:{port}/changesets", timeout=30).json()
        present = {c["id"] for c in listed["changesets"]}
        # Every acknowledged change set is there; beyond them at most the writes that were
        # under way when the server died (journalled, but the answer never reached us).
        assert set(acknowledged) <= present
        assert len(present - set(acknowledged)) <= len(in_flight)
        # No partial change set: each NGO the log holds has all three of its triples.
        # What the change sets asserted (the inferred graph adds the NGOs' superclasses).
        query = f"""SELECT ?ngo (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?ngo ?p ?o }}
            FILTER(STRSTARTS(STR(?ngo), "{ID}org/ngo/burst-") && ?g != <{GRAPH}inferred>)
            }} GROUP BY ?ngo"""
        response = httpx.get(
            f"http://127.0.0.1:{port}/sparql",
            params={"query": query},
            headers={"Accept": "text/csv"},
            timeout=30,
        )
        counts = [int(line.split(",")[1]) for line in response.text.splitlines()[1:]]
        assert len(counts) == len(present)
        assert set(counts) == {3}
