"""Hostile input on every route that parses: a clear 400 at a bounded cost, never a crash.

The payloads are the ones that crashed or froze the server before (deep nesting reaching the
engine's recursive parsers, a quadratic tokenizer input). After each, the server keeps serving.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.startup import prepare_store
from kg.store.base import Store

TOKEN = "hostile-token-0123456789ab"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEPTH = 5_000


def jsonld(depth: int) -> bytes:
    return (('{"@id":"http://e/s","http://e/p":' * depth) + '"x"' + "}" * depth).encode()


def turtle(depth: int) -> bytes:
    return (
        "<http://e/s> <http://e/p> " + "[ <http://e/p> " * depth + "1" + " ]" * depth + " ."
    ).encode()


def rdfxml(depth: int) -> bytes:
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        + "<rdf:Description><e:p>" * depth
        + "</e:p></rdf:Description>" * depth
        + "</rdf:RDF>"
    ).encode()


def ntriples_star(depth: int) -> bytes:
    return (
        "<< " * depth
        + "<http://e/s> <http://e/p> <http://e/o>"
        + " >> <http://e/p> <http://e/o>" * depth
        + " ."
    ).encode()


BRACES = "SELECT * WHERE " + "{" * DEPTH + "}" * DEPTH
NOTS = "SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }"
PARENS = "SELECT * WHERE { FILTER(" + "(" * DEPTH + "1" + ")" * DEPTH + ") }"
UPDATE = (
    "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> "
    + "[ <http://e/p> " * DEPTH
    + "1"
    + " ]" * DEPTH
    + " } }"
)
#: 98 KB that made the old tokenizer quadratic (about 15 s of a frozen server).
PATHOLOGICAL = "SELECT * WHERE { ?s ?p ?o } " + "a." * 49_000


@pytest.fixture()
def hostile(mini_root: Path, repo_root: Path) -> Iterator[tuple[TestClient, Store]]:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    settings = make_settings(mini_root, write_tokens=f"curator:{TOKEN}")
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        store.close()


def still_serving(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def assert_nesting_refused(response: object) -> None:
    assert response.status_code == 400, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "nesting-too-deep"
    assert "256" in error["message"] and "KG_MAX_NESTING" in error["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (jsonld(4_000), "application/ld+json"),
        (turtle(DEPTH), "text/turtle"),
        (turtle(DEPTH), "application/trig"),
        (rdfxml(DEPTH), "application/rdf+xml"),
        (ntriples_star(DEPTH), "application/n-triples"),
        (ntriples_star(DEPTH), "application/n-quads"),
    ],
    ids=["jsonld", "turtle", "trig", "rdfxml", "ntriples", "nquads"],
)
def test_deep_documents_are_refused_on_every_upload_route(
    hostile: tuple[TestClient, Store], body: bytes, content_type: str
) -> None:
    client, _ = hostile
    headers = {"Content-Type": content_type}
    # /validate needs no token: the one an anonymous client could use to crash the server.
    assert_nesting_refused(client.post("/validate", content=body, headers=headers))
    assert_nesting_refused(client.post("/changesets", content=body, headers={**headers, **AUTH}))
    assert_nesting_refused(
        client.put(
            "/graph-store",
            params={"graph": "http://e/g"},
            content=body,
            headers={**headers, **AUTH},
        )
    )
    still_serving(client)


@pytest.mark.parametrize("query", [BRACES, NOTS, PARENS], ids=["braces", "nots", "parens"])
def test_deep_queries_are_refused(hostile: tuple[TestClient, Store], query: str) -> None:
    client, _ = hostile
    assert_nesting_refused(client.get("/sparql", params={"query": query}))
    assert_nesting_refused(
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    )
    still_serving(client)


def test_deep_updates_are_refused(hostile: tuple[TestClient, Store]) -> None:
    client, _ = hostile
    assert_nesting_refused(
        client.post(
            "/sparql", content=UPDATE, headers={**AUTH, "Content-Type": "application/sparql-update"}
        )
    )
    still_serving(client)


def test_the_pathological_query_costs_little_and_blocks_no_one(
    hostile: tuple[TestClient, Store],
) -> None:
    client, _ = hostile
    answers: list[tuple[int, float]] = []

    def send() -> None:
        started = time.monotonic()
        response = client.post(
            "/sparql", content=PATHOLOGICAL, headers={"Content-Type": "application/sparql-query"}
        )
        answers.append((response.status_code, time.monotonic() - started))

    sender = threading.Thread(target=send)
    sender.start()
    cheap: list[float] = []
    while sender.is_alive():
        started = time.monotonic()
        still_serving(client)
        cheap.append(time.monotonic() - started)
    sender.join()
    ((status, elapsed),) = answers
    assert status == 400
    assert elapsed < 3, f"the 98 KB query took {elapsed:.1f} s to refuse"
    assert max(cheap, default=0) < 1.0


def test_a_worker_crash_is_a_500_and_the_server_survives(hostile: tuple[TestClient, Store]) -> None:
    """Defence in depth: if a crash got past the pre-scan, it would cost one worker only."""
    from tests.jobs import Segfault

    client, store = hostile
    with pytest.raises(Exception, match="died"):
        store.run(Segfault())
    still_serving(client)
