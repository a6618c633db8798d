"""Redaction through the API: who may redact, what the errors say, and that a restart redoes it.

The end-to-end redaction test (a real server, the journal on disk, a restart) is
``tests/test_redaction.py``; these run in process.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.support import GRAPH, ID

from kg.api.app import create_app
from kg.settings import Settings
from kg.startup import prepare_store

ALICE = "alice-token-0123456789abcdef"
ROOT = "root-admin-token-0123456789abc"
CURATOR = {"Authorization": f"Bearer {ALICE}"}
ADMIN = {"Authorization": f"Bearer {ROOT}"}
TURTLE = {"Content-Type": "text/turtle"}
UPDATE = {"Content-Type": "application/sparql-update", **CURATOR}
NGO = f"""@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}org/ngo/redaction-test> a unhr:NGO ; rdfs:label "Redaction Test NGO"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
"""
#: A triple of tests/fixtures/mini/data/source-a.ttl (its removal leaves the data valid).
FILE_TRIPLE = (
    f"<{ID}upr/PRK/1> <https://w3id.org/unhr/ontology#date> "
    '"2009"^^<http://www.w3.org/2001/XMLSchema#gYear>'
)


@pytest.fixture()
def curated_root(mini_root: Path, repo_root: Path) -> Path:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    return mini_root


def settings_for(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "store": "embedded",
        "write_tokens": f"alice:{ALICE}",
        "admin_tokens": f"root:{ROOT}",
    }
    values.update(overrides)
    return make_settings(root, **values)


@pytest.fixture()
def opened(curated_root: Path) -> Iterator[TestClient]:
    settings = settings_for(curated_root)
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client
    finally:
        store.close()


def ingest(client: TestClient, body: str = NGO) -> str:
    response = client.post("/changesets", content=body, headers={**TURTLE, **CURATOR})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_only_administrators_redact_and_errors_are_clear(opened: TestClient) -> None:
    client = opened
    target = ingest(client)
    url = f"/changesets/{target}/redact"
    reason = {"reason": "test"}
    missing = client.post(url, params=reason)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    curator = client.post(url, params=reason, headers=CURATOR)
    assert curator.status_code == 403
    assert "administrator" in curator.json()["error"]["message"]
    wrong = client.post(url, params=reason, headers={"Authorization": "Bearer " + "x" * 30})
    assert wrong.status_code == 403
    no_reason = client.post(url, headers=ADMIN)
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    # None of the refusals changed anything.
    assert [c["kind"] for c in client.get("/changesets").json()["changesets"]] == ["ingest"]

    done = client.post(url, params=reason, headers=ADMIN)
    assert done.status_code == 201, done.text
    audit = done.json()
    assert audit["redacts"] == target and audit["curator"] == "root"
    assert done.headers["location"].endswith(f"/changesets/{audit['id']}")

    again = client.post(url, params=reason, headers=ADMIN)
    assert again.status_code == 409
    assert again.json()["error"]["details"]["redacted_by"] == audit["id"]
    assert audit["id"] in again.json()["error"]["message"]
    itself = client.post(f"/changesets/{audit['id']}/redact", params=reason, headers=ADMIN)
    assert itself.status_code == 409 and "is a redaction" in itself.json()["error"]["message"]
    revert = client.post(f"/changesets/{target}/revert", headers=CURATOR)
    assert revert.status_code == 409 and "redacted" in revert.json()["error"]["message"]
    for unknown in ("cs-20000101T000000Z-abcdef", "not-an-id"):
        response = client.post(f"/changesets/{unknown}/redact", params=reason, headers=ADMIN)
        assert response.status_code == 404
        assert unknown in response.json()["error"]["message"]


def test_without_administrator_tokens_redaction_is_off(curated_root: Path) -> None:
    settings = settings_for(curated_root, store="memory", admin_tokens="")
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            target = ingest(client)
            response = client.post(
                f"/changesets/{target}/redact", params={"reason": "x"}, headers=CURATOR
            )
            assert response.status_code == 403
            assert "redaction is off" in response.json()["error"]["message"]
    finally:
        store.close()


def test_a_token_is_never_both_a_curators_and_an_administrators() -> None:
    with pytest.raises(ValueError, match="both write_tokens and admin_tokens"):
        Settings(write_tokens=f"alice:{ALICE}", admin_tokens=f"root:{ALICE}")


def has(client: TestClient, triple: str) -> bool:
    response = client.get("/sparql", params={"query": f"ASK {{ GRAPH ?g {{ {triple} }} }}"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def redact_after_revert(client: TestClient, update: str) -> dict[str, object]:
    """Write ``update`` (a deletion), revert it, redact it; the redaction's answer."""
    deleted = client.post("/sparql", content=update, headers=UPDATE)
    assert deleted.status_code == 201, deleted.text
    target = deleted.json()["id"]
    restored = client.post(f"/changesets/{target}/revert", headers=CURATOR)
    assert restored.status_code == 201, restored.text
    done = client.post(f"/changesets/{target}/redact", params={"reason": "test"}, headers=ADMIN)
    assert done.status_code == 201, done.text
    answer: dict[str, object] = done.json()
    return answer


def test_a_restart_redoes_the_redaction_where_a_file_brings_the_triple_back(
    curated_root: Path,
) -> None:
    """The content a redaction removed from a graph loaded from a file comes back when the file
    is loaded at the next start; the journal's redaction record, which names the quads only by
    keyed digest, removes it again. Blank nodes of files keep their labels from one start to the
    next (canonical labels), so the digests find them."""
    (curated_root / "data" / "witness-notes.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{ID}state/KOR> <https://example.org/seenAt> [ rdfs:label "Obscure Hamlet"@en ] .\n'
    )
    place = 'GRAPH ?g { ?b <http://www.w3.org/2000/01/rdf-schema#label> "Obscure Hamlet"@en }'
    var = curated_root / "var"
    var.mkdir()
    aside = var / "journal.jsonl.unfinished-20000101T000000000000Z"
    aside.write_bytes(b"a copy an earlier repair set aside\n")
    settings = settings_for(curated_root)
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            assert has(client, FILE_TRIPLE)
            done = redact_after_revert(client, f"DELETE DATA {{ {FILE_TRIPLE} }}")
            assert done["quads_removed"] == 1  # from the file's graph
            assert str(aside) in str(done["warning"])  # the operator is told of the old copy
            assert not has(client, FILE_TRIPLE)
            assert client.get("/sparql", params={"query": f"ASK {{ {place} }}"}).json()["boolean"]
            done = redact_after_revert(
                client,
                f"DELETE WHERE {{ GRAPH <{GRAPH}witness-notes> {{ "
                f"<{ID}state/KOR> <https://example.org/seenAt> ?b . ?b ?p ?o }} }}",
            )
            assert done["quads_removed"] == 2  # the link to the blank node, and its label
            ask = client.get("/sparql", params={"query": f"ASK {{ {place} }}"})
            assert ask.json()["boolean"] is False
    finally:
        store.close()
    journal = (var / "journal.jsonl").read_bytes()
    for gone in (b"upr/PRK/1", b"gYear", b"Obscure Hamlet", b"seenAt"):
        assert gone not in journal

    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            assert not has(client, FILE_TRIPLE)
            ask = client.get("/sparql", params={"query": f"ASK {{ {place} }}"})
            assert ask.json()["boolean"] is False
            # The rest of the files' graphs is there.
            assert has(client, f'<{ID}upr/PRK/1> ?p "First UPR of the DPRK"@en')
            assert has(client, f'<{ID}state/KOR> ?p "Republic of Korea"@en')
    finally:
        store.close()
