"""Rules of the write path: who may write what, what a write may say, and reverting once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.support import GRAPH, ID

from kg.api.app import create_app
from kg.startup import prepare_store

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdefgh"
TURTLE = {"Content-Type": "text/turtle"}
HEAD = """@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
NGO = (
    HEAD
    + f"""<{ID}org/ngo/rules-test> a unhr:NGO ; rdfs:label "Rules test NGO"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
"""
)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def client(mini_root: Path, repo_root: Path) -> Iterator[TestClient]:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    settings = make_settings(
        mini_root, write_tokens=f"alice:{ALICE},bob:{BOB}", schema_curators="bob"
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
            yield c
    finally:
        store.close()


def test_a_change_set_is_reverted_once(client: TestClient) -> None:
    written = client.post("/changesets", content=NGO, headers={**TURTLE, **auth(ALICE)})
    assert written.status_code == 201
    target = written.json()["id"]
    first = client.post(f"/changesets/{target}/revert", headers=auth(ALICE))
    assert first.status_code == 201 and first.json()["applied"] is True
    second = client.post(f"/changesets/{target}/revert", headers=auth(ALICE))
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "conflict" and error["details"]["reverted_by"] == first.json()["id"]
    # Reverting the revert brings the change back.
    back = client.post(f"/changesets/{first.json()['id']}/revert", headers=auth(ALICE))
    assert back.status_code == 201
    ask = f"ASK {{ <{ID}org/ngo/rules-test> a ?t }}"
    assert client.get("/sparql", params={"query": ask, "format": "json"}).json()["boolean"]


def test_the_source_of_an_ingest_must_be_described(client: TestClient) -> None:
    unknown = client.post(
        "/changesets",
        params={"source": f"{ID}source/no-such-source"},
        content=NGO,
        headers={**TURTLE, **auth(ALICE)},
    )
    assert unknown.status_code == 400
    assert "no-such-source" in unknown.json()["error"]["message"]
    known = client.post(
        "/changesets",
        params={"source": f"{ID}source/nkhr-un-advocacy"},
        content=NGO,
        headers={**TURTLE, **auth(ALICE)},
    )
    assert known.status_code == 201, known.text


@pytest.mark.parametrize(
    ("value", "datatype"),
    [("sometime", "gYear"), ("2014-13", "gYearMonth"), ("2014-02-30", "date"), ("x", "integer")],
)
def test_an_ill_typed_literal_is_refused(client: TestClient, value: str, datatype: str) -> None:
    head, _ = NGO.rsplit(" .\n", 1)
    body = head + f' ;\n  unhr:date "{value}"^^xsd:{datatype} .\n'
    for path in ("/validate", "/changesets"):
        response = client.post(path, content=body, headers={**TURTLE, **auth(ALICE)})
        report = response.json() if path == "/validate" else response.json()["report"]
        assert report["conforms"] is False
        ours = [
            r
            for r in report["results"]
            if r["severity"] == "Violation"
            and r["message"] == f"'{value}' is not a valid xsd:{datatype}"
        ]
        assert len(ours) == 1 and value in ours[0]["value"]
    refused = client.post("/changesets", content=body, headers={**TURTLE, **auth(ALICE)})
    assert refused.status_code == 422
    # The refusal names no change set: none was stored.
    assert "changeset" not in refused.json()["error"]["details"]


def test_writing_the_ontology_or_the_shapes_needs_the_schema_role(client: TestClient) -> None:
    triple = '<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#comment> "note" .\n'
    for graph in (f"{GRAPH}shapes", f"{GRAPH}ontology", f"{GRAPH}vocabularies"):
        refused = client.post(
            "/graph-store",
            params={"graph": graph},
            content=triple,
            headers={**TURTLE, **auth(ALICE)},
        )
        assert refused.status_code == 403, refused.text
        message = refused.json()["error"]["message"]
        assert graph in message and "KG_SCHEMA_CURATORS" in message
    deleted = client.delete("/graph-store", params={"graph": f"{GRAPH}shapes"}, headers=auth(ALICE))
    assert deleted.status_code == 403
    allowed = client.post(
        "/graph-store",
        params={"graph": f"{GRAPH}ontology"},
        content=triple,
        headers={**TURTLE, **auth(BOB)},
    )
    assert allowed.status_code == 200, allowed.text
