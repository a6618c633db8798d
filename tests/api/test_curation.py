"""Curators: /validate, SHACL-gated atomic writes, change sets, revert, auth, concurrency."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.support import GRAPH, ID

from kg.api.app import create_app
from kg.startup import prepare_store
from kg.store.base import Store as OxigraphStore

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdefgh"
AUTH = {"Authorization": f"Bearer {ALICE}"}
TURTLE = {"Content-Type": "text/turtle"}
PREFIXES = """@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
NGO = f"{ID}org/ngo/test-ngo"
GOOD = (
    PREFIXES
    + f"""<{NGO}> a unhr:NGO ; rdfs:label "Test NGO"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
"""
)
BAD = PREFIXES + f"<{NGO}> a unhr:NGO .\n"
DUMP = f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{GRAPH}metadata>) }}"


@pytest.fixture()
def curated_root(mini_root: Path, repo_root: Path) -> Path:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    return mini_root


@pytest.fixture()
def writer(curated_root: Path) -> Iterator[tuple[TestClient, OxigraphStore]]:
    settings = make_settings(
        curated_root, store="embedded", write_tokens=f"alice:{ALICE},bob:{BOB}"
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client, store
    finally:
        store.close()


def dump(client: TestClient) -> list[str]:
    response = client.get("/sparql", params={"query": DUMP}, headers={"Accept": "text/csv"})
    return sorted(response.text.splitlines()[1:])


def test_validate_reports_and_never_writes(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    before = dump(client)
    good = client.post("/validate", content=GOOD, headers=TURTLE)
    assert good.status_code == 200 and good.json()["conforms"] is True
    bad = client.post("/validate", content=BAD, headers=TURTLE)
    assert bad.status_code == 200
    report = bad.json()
    assert report["conforms"] is False
    paths = {r["path"] for r in report["results"] if r["severity"] == "Violation"}
    assert paths == {
        "http://purl.org/dc/terms/source",
        "http://www.w3.org/2000/01/rdf-schema#label",
    }
    assert all(r["focus_node"] == NGO and r["shape"] for r in report["results"])
    turtle = client.post("/validate", content=BAD, headers={**TURTLE, "Accept": "text/turtle"})
    assert "sh:ValidationReport" in turtle.text
    assert dump(client) == before


def test_validate_parse_errors_have_positions(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    response = client.post("/validate", content=PREFIXES + '<a:b> <a:c> "x .\n', headers=TURTLE)
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert details["line"] == 4 and details["column"] >= 1


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "application/rdf+xml",
            # The server's own guard, before any XML parser sees the entity.
            "<!ENTITY>",
        ),
        (
            # A well-formed document whose DOCTYPE the XML parser alone would accept.
            '<?xml version="1.0"?><!DOCTYPE rdf:RDF>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "application/rdf+xml",
            "<!DOCTYPE>",
        ),
        (
            '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x:a", "name": "x"}',
            "application/ld+json",
            "context",
        ),
    ],
)
def test_hostile_documents_are_refused(
    writer: tuple[TestClient, OxigraphStore], body: str, content_type: str, message: str
) -> None:
    client, _ = writer
    response = client.post("/validate", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_invalid_ingest_is_refused_whole(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    before = dump(client)
    mixed = GOOD.replace("test-ngo", "good-ngo") + f"<{NGO}> a unhr:NGO .\n"
    response = client.post("/changesets", content=mixed, headers={**TURTLE, **AUTH})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation-failed"
    assert body["report"]["conforms"] is False
    assert dump(client) == before
    assert client.get("/changesets").json()["count"] == 0


def test_valid_ingest_becomes_a_change_set(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    response = client.post(
        "/changesets",
        content=GOOD,
        headers={**TURTLE, **AUTH},
        params={"comment": "add a test NGO", "source": f"{ID}source/nkhr-un-advocacy"},
    )
    assert response.status_code == 201, response.text
    change = response.json()
    assert change["added"] == 3 and change["removed"] == 0 and change["curator"] == "alice"
    assert response.headers["location"].endswith(f"/changesets/{change['id']}")
    query = (
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{NGO}> a ?t }} "
        f"FILTER(?g != <{GRAPH}inferred>) }}"
    )
    rows = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert rows.text.split()[1:] == [f"{GRAPH}changeset/{change['id']}"]
    listed = client.get("/changesets").json()["changesets"]
    assert [(c["id"], c["curator"], c["comment"], c["kind"]) for c in listed] == [
        (change["id"], "alice", "add a test NGO", "ingest")
    ]
    assert listed[0]["source"] == f"{ID}source/nkhr-un-advocacy"


def test_revert_restores_the_exact_previous_state(
    writer: tuple[TestClient, OxigraphStore],
) -> None:
    client, _ = writer
    before = dump(client)
    first = client.post("/changesets", content=GOOD, headers={**TURTLE, **AUTH}).json()
    assert dump(client) != before
    reverted = client.post(f"/changesets/{first['id']}/revert", headers=AUTH)
    assert reverted.status_code == 201, reverted.text
    assert dump(client) == before
    kinds = [c["kind"] for c in client.get("/changesets").json()["changesets"]]
    assert kinds == ["ingest", "revert"]


def test_dry_run_writes_nothing(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    before = dump(client)
    response = client.post(
        "/changesets", content=GOOD, headers={**TURTLE, **AUTH}, params={"dry_run": "true"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["applied"] is False and body["conforms"] is True
    assert body["added_nquads"].count(f"<{NGO}>") == 3
    assert dump(client) == before
    assert client.get("/changesets").json()["count"] == 0


def test_tokens(writer: tuple[TestClient, OxigraphStore], mini_root: Path) -> None:
    client, _ = writer
    missing = client.post("/changesets", content=GOOD, headers=TURTLE)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/changesets", content=GOOD, headers={**TURTLE, "Authorization": "Bearer " + "x" * 30}
    )
    assert wrong.status_code == 403
    bob = client.post(
        "/changesets", content=GOOD, headers={**TURTLE, "Authorization": f"Bearer {BOB}"}
    )
    assert bob.status_code == 201 and bob.json()["curator"] == "bob"


def test_read_only_server_refuses_writes(client: TestClient) -> None:
    response = client.post("/changesets", content=GOOD, headers={**TURTLE, **AUTH})
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]


def test_sparql_update_is_gated_and_recorded(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    update_headers = {"Content-Type": "application/sparql-update", **AUTH}
    invalid = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{GRAPH}x> {{ <{NGO}> a "
        f"<https://w3id.org/unhr/ontology#NGO> }} }}",
        headers=update_headers,
    )
    assert invalid.status_code == 422, invalid.text
    label = f'<{ID}state/KOR> <http://www.w3.org/2000/01/rdf-schema#label> "Republic of Korea"@en'
    delete = client.post("/sparql", content=f"DELETE DATA {{ {label} }}", headers=update_headers)
    # Deleting the only label breaks the shapes: refused, nothing changes.
    assert delete.status_code == 422
    alt = f'<{ID}state/KOR> <http://www.w3.org/2004/02/skos/core#altLabel> "South Korea"@en'
    insert = client.post("/sparql", content=f"INSERT DATA {{ {alt} }}", headers=update_headers)
    assert insert.status_code == 201, insert.text
    ask = client.get("/sparql", params={"query": f"ASK {{ {alt} }}"})
    assert ask.json()["boolean"] is True
    load = client.post("/sparql", content="LOAD <file:///etc/passwd>", headers=update_headers)
    assert load.status_code == 403
    anonymous = client.post(
        "/sparql",
        content=f"INSERT DATA {{ {alt} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert anonymous.status_code == 401


def test_graph_store_protocol(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    graph = f"{GRAPH}curated/test"
    put = client.put(
        "/graph-store", params={"graph": graph}, content=GOOD, headers={**TURTLE, **AUTH}
    )
    assert put.status_code == 201, put.text  # created
    got = client.get("/graph-store", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert got.status_code == 200 and "Test NGO" in got.text
    # Graph Store Protocol 5.3/5.4: replacing or adding to an existing graph is 200 or 204.
    again = client.put(
        "/graph-store", params={"graph": graph}, content=GOOD, headers={**TURTLE, **AUTH}
    )
    assert again.status_code == 204
    replaced = client.put(
        "/graph-store",
        params={"graph": graph},
        content=GOOD.replace("Test NGO", "Renamed NGO"),
        headers={**TURTLE, **AUTH},
    )
    assert replaced.status_code == 200, replaced.text
    boundary = "kg-test-boundary"
    extra = f'<{NGO}> <http://www.w3.org/2004/02/skos/core#altLabel> "TN"@en .\n'
    multipart = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=file; filename=a.ttl\r\n"
        f"Content-Type: text/turtle\r\n\r\n{extra}\r\n--{boundary}--\r\n"
    )
    posted = client.post(
        "/graph-store",
        params={"graph": graph},
        content=multipart,
        headers={**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["added"] == 1
    delete = client.delete("/graph-store", params={"graph": graph}, headers=AUTH)
    assert delete.status_code == 200
    assert client.get("/graph-store", params={"graph": graph}).status_code == 404
    bad_iri = client.get("/graph-store", params={"graph": "http://e/g x>"})
    assert bad_iri.status_code == 400 and "graph" in bad_iri.json()["error"]["message"]
    metadata = client.put(
        "/graph-store",
        params={"graph": f"{GRAPH}metadata"},
        content=GOOD,
        headers={**TURTLE, **AUTH},
    )
    assert metadata.status_code == 403
    default = client.put("/graph-store?default", content=GOOD, headers={**TURTLE, **AUTH})
    assert default.status_code == 400


def test_concurrent_writers_both_land(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    statuses: list[int] = []

    def write(name: str) -> None:
        body = GOOD.replace("test-ngo", name)
        statuses.append(
            client.post("/changesets", content=body, headers={**TURTLE, **AUTH}).status_code
        )

    threads = [threading.Thread(target=write, args=(f"ngo-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201, 201]
    assert client.get("/changesets").json()["count"] == 2


def test_update_with_where_and_revert(writer: tuple[TestClient, OxigraphStore]) -> None:
    client, _ = writer
    before = dump(client)
    headers = {"Content-Type": "application/sparql-update", **AUTH}
    skos = "http://www.w3.org/2004/02/skos/core#"
    insert = client.post(
        "/sparql",
        headers=headers,
        content=(
            f"PREFIX skos: <{skos}> INSERT {{ GRAPH <{GRAPH}curated/aliases> {{ ?s skos:altLabel "
            f"?short }} }} WHERE {{ ?s <https://w3id.org/unhr/ontology#iso3> ?short }}"
        ),
    )
    assert insert.status_code == 201, insert.text
    assert insert.json()["added"] == 2
    # Deleting from the default graph deletes the triple from every graph asserting it.
    delete = client.post(
        "/sparql",
        headers=headers,
        content=(f'PREFIX skos: <{skos}> DELETE WHERE {{ ?s skos:altLabel "KOR" }}'),
    )
    assert delete.status_code == 201, delete.text
    assert delete.json()["removed"] == 1
    changes = client.get("/changesets").json()["changesets"]
    for change in reversed(changes):
        assert client.post(f"/changesets/{change['id']}/revert", headers=AUTH).status_code == 201
    assert dump(client) == before


def test_oversized_documents_are_refused_before_validation(curated_root: Path) -> None:
    settings = make_settings(
        curated_root, store="memory", write_tokens=f"alice:{ALICE}", max_write_triples=2
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            for path in ("/validate", "/changesets"):
                response = client.post(path, content=GOOD, headers={**TURTLE, **AUTH})
                assert response.status_code == 413
                assert "KG_MAX_WRITE_TRIPLES" in response.json()["error"]["message"]
    finally:
        store.close()
