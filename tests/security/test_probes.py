"""Probes: operations and uploads aimed at a listener on 127.0.0.1 that records every contact.

With no endpoint allowlisted the listener must see no contact at all, whatever the operation
(FROM, FROM NAMED, SERVICE in every spelling Oxigraph accepts, LOAD, uploads with a remote
JSON-LD context or XML external entities); with one endpoint allowlisted, exactly the calls to
that endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.api.app import create_app
from kg.startup import prepare_store
from tests.conftest import make_settings
from tests.security.listener import Listener

TOKEN = "alice-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {**AUTH, "Content-Type": "application/sparql-update"}
PASSWD_LINE = "root:x:0:0"


@pytest.fixture()
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


def app_client(root: Path, **settings: object) -> Iterator[TestClient]:
    store = prepare_store(make_settings(root, **settings), progress=False)
    try:
        app = create_app(make_settings(root, **settings), store)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        store.close()


@pytest.fixture()
def writable(mini_root: Path) -> Iterator[TestClient]:
    yield from app_client(mini_root, write_tokens=f"alice:{TOKEN}")


def queries(url: str) -> list[str]:
    """Every way found to make Oxigraph contact ``url`` from a query, and the FROM forms."""
    return [
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"SELECT * FROM <{url}/from.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o SERVICE SILENT <{url}/silent> {{ ?s ?p ?x }} }}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}/glued> {{}} }}",
        f"SELECT * WHERE {{ ?s ?p trueSERVICE <{url}/glued-true> {{}} }}",
        f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a<1)SERVICE#x>\n<{url}/lt>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ ?s ?p ?o # x\rSERVICE <{url}/cr> {{}} \n}}",
        f"SELECT * WHERE {{ ?s ?p ?a FILTER(?a != '\\u0027') SERVICE <{url}/esc> {{}} "
        "FILTER(?a != '\\u0027') }",
        f"PREFIX e: <{url}/> SELECT * WHERE {{ ?s ?p ?o SERVICE e:pname {{ ?s ?p ?x }} }}",
        f"SELECT * WHERE {{ SERVICE ?x {{ ?s ?p ?o }} VALUES ?x {{ <{url}/var> }} }}",
    ]


def updates(url: str) -> list[str]:
    return [
        f"LOAD <{url}/load.ttl>",
        "LOAD <file:///etc/passwd>",
        f"LOAD SILENT <{url}/silent.ttl> INTO GRAPH <https://w3id.org/unhr/graph/x>",
        f"LOADSILENT<{url}/glued.ttl>",
        f"INSERT DATA {{ <a:a> <a:b> 1 }} ; LOAD <{url}/second.ttl>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/where> {{ ?s ?p ?o }} }}",
        f"DELETE {{ ?s ?p ?o }} USING <{url}/using.ttl> WHERE {{ ?s ?p ?o }}",
    ]


def test_no_query_contacts_anything_when_nothing_is_allowlisted(
    client: TestClient, listener: Listener
) -> None:
    for text in queries(listener.url("")):
        response = client.get("/sparql", params={"query": text})
        assert response.status_code in (400, 403), (text, response.text)
        assert PASSWD_LINE not in response.text
    assert listener.connections == 0


def test_no_update_contacts_anything_nor_reads_a_file(
    writable: TestClient, listener: Listener
) -> None:
    for text in updates(listener.url("")):
        response = writable.post("/sparql", content=text, headers=UPDATE)
        assert response.status_code < 500, (text, response.text)
        assert PASSWD_LINE not in response.text
        if "LOAD" in text or "SERVICE" in text:
            assert response.status_code in (400, 403), (text, response.text)
    assert listener.connections == 0
    # Nothing from /etc/passwd landed in the store either.
    ask = writable.get(
        "/sparql", params={"query": 'ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), "root:")) }'}
    )
    assert ask.json()["boolean"] is False


def test_the_allowlisted_endpoint_gets_exactly_the_allowed_calls(
    mini_root: Path, listener: Listener
) -> None:
    allowed = listener.url("/answer")
    for client in app_client(mini_root, service_private_endpoints=allowed):
        for text in queries(listener.url("")):
            assert client.get("/sparql", params={"query": text}).status_code in (400, 403)
        assert listener.connections == 0
        query = f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200, response.text
    assert listener.connections == 1
    (contact,) = listener.contacts
    assert (contact.method, contact.path) == ("POST", "/answer")
    assert "SELECT * WHERE { ?s ?p ?o }" in contact.query


def test_loopback_is_refused_unless_listed_as_private(mini_root: Path, listener: Listener) -> None:
    endpoint = listener.url("/answer")
    for client in app_client(mini_root, service_endpoints=endpoint):
        query = f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}"
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["details"]["policy"] == "private-address"
        assert "KG_SERVICE_PRIVATE_ENDPOINTS" in error["message"]
        metrics = client.get("/metrics").text
        assert 'kg_policy_refusals_total{reason="private-address"} 1.0' in metrics
    assert listener.connections == 0


def test_jsonld_with_a_remote_context_is_refused_without_fetching(
    client: TestClient, listener: Listener
) -> None:
    documents = [
        {"@context": listener.url("/context.jsonld"), "@id": "https://w3id.org/unhr/id/x"},
        {"@context": [listener.url("/c1"), {"x": "http://x/"}], "@id": "http://x/a", "x": "1"},
        {"@context": {"@import": listener.url("/import")}, "@id": "http://x/a"},
    ]
    for doc in documents:
        response = client.post(
            "/validate", content=json.dumps(doc), headers={"Content-Type": "application/ld+json"}
        )
        assert response.status_code in (400, 422), response.text
        assert response.json()["error"]["code"] == "rdf-syntax-error"
    assert listener.connections == 0


def test_rdfxml_with_external_entities_is_refused_and_leaks_nothing(
    client: TestClient, listener: Listener
) -> None:
    template = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY e SYSTEM "{target}"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
        '<rdf:Description rdf:about="https://w3id.org/unhr/id/x"><rdfs:label>&e;</rdfs:label>'
        "</rdf:Description></rdf:RDF>"
    )
    for target in ("file:///etc/passwd", listener.url("/entity")):
        document = template.format(target=target)
        response = client.post(
            "/validate", content=document, headers={"Content-Type": "application/rdf+xml"}
        )
        assert response.status_code == 400, response.text
        assert "ENTITY" in response.json()["error"]["message"]
        assert PASSWD_LINE not in response.text
        # Behind that refusal, the parser itself resolves no external entity either.
        try:
            parsed = [str(q) for q in ox.parse(document.encode(), format=ox.RdfFormat.RDF_XML)]
        except SyntaxError:
            parsed = []
        assert not any(PASSWD_LINE in q for q in parsed)
    assert listener.connections == 0
