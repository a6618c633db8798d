"""What the schemathesis run (tests/fuzz) found, each pinned by a test of its own.

Each of these was a 500 (a worker killed by an IRI the store cannot hold) or a request the
document says is invalid being answered as if it were valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.store.base import Store

TOKEN = "alice-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Not IRIs (RFC 3987): a control character, a bare '%', brackets outside a host, a space.
NOT_IRIS = ["http://example.org/\x7f", "http://example.org/%", "http://example.org/[a]"]


@pytest.fixture()
def writer(mini_root: Path, mini_store: Store) -> Iterator[TestClient]:
    settings = make_settings(mini_root, write_tokens=f"alice:{TOKEN}")
    with TestClient(create_app(settings, mini_store), raise_server_exceptions=False) as c:
        yield c


def assert_bad(response: object, parameter: str) -> None:
    assert getattr(response, "status_code", None) == 400, getattr(response, "text", "")
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["details"]["parameter"] == parameter
    assert "IRI" in error["message"]


@pytest.mark.parametrize("path", ["%7F", "%25", "a%5Bb%5D", "%C2%85"])
def test_a_graph_store_url_that_is_no_iri_is_a_400(writer: TestClient, path: str) -> None:
    assert_bad(writer.get(f"/graph-store/{path}"), "graph")
    assert_bad(writer.delete(f"/graph-store/{path}", headers=AUTH), "graph")
    put = writer.put(
        f"/graph-store/{path}",
        content=b"<http://example.org/s> <http://example.org/p> 1 .",
        headers={**AUTH, "Content-Type": "text/turtle"},
    )
    assert_bad(put, "graph")
    assert writer.get("/healthz").status_code == 200


@pytest.mark.parametrize("value", [*NOT_IRIS, "no scheme", "relative/path", ""])
@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_must_be_iris(client: TestClient, parameter: str, value: str) -> None:
    assert_bad(client.get("/sparql", params={"query": "ASK {}", parameter: value}), parameter)


@pytest.mark.parametrize("parameter", ["using-graph-uri", "using-named-graph-uri"])
def test_update_dataset_parameters_must_be_iris(writer: TestClient, parameter: str) -> None:
    update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> a <urn:T> } }"
    answer = writer.post("/sparql", data={"update": update, parameter: NOT_IRIS[0]}, headers=AUTH)
    assert_bad(answer, parameter)


@pytest.mark.parametrize("value", NOT_IRIS)
def test_a_canned_query_iri_the_store_cannot_hold_is_a_400(
    mini_root: Path, mini_store: Store, value: str
) -> None:
    # An IRI parameter with no list of allowed values: the value reaches the binding itself.
    (mini_root / "queries" / "of-type.rq").write_text(
        "#+ summary: Things of a type\nSELECT ?s WHERE { ?s a ?_type_iri }\n"
    )
    with TestClient(create_app(make_settings(mini_root), mini_store)) as client:
        answer = client.get("/queries/of-type", params={"type": value})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["details"]["parameter"] == "type"
        ok = client.get("/queries/of-type", params={"type": "http://example.org/T"})
        assert ok.status_code == 200


@pytest.mark.parametrize("body", [b"6358", b'"a string"', b"true", b"null", b" "])
def test_json_ld_is_an_object_or_an_array(client: TestClient, body: bytes) -> None:
    answer = client.post("/validate", content=body, headers={"Content-Type": "application/ld+json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "rdf-syntax-error"


@pytest.mark.parametrize(
    "body", [b"[]", b"{}", b'\xef\xbb\xbf\n [{"@id": "http://example.org/s"}]']
)
def test_json_ld_objects_and_arrays_are_read(client: TestClient, body: bytes) -> None:
    answer = client.post("/validate", content=body, headers={"Content-Type": "application/ld+json"})
    assert answer.status_code == 200, answer.text


def test_the_catalogue_refuses_a_format_it_does_not_have(client: TestClient) -> None:
    refused = client.get("/queries", params={"format": "xml"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not-acceptable"
    assert client.get("/queries", params={"format": ""}).json()["count"] == 2
    assert (
        client.get("/queries", params={"format": "html"})
        .headers["content-type"]
        .startswith("text/html")
    )


@pytest.mark.parametrize("timeout", ["-1", "0", "soon", "inf"])
def test_a_malformed_timeout_is_refused_even_without_a_query(
    client: TestClient, timeout: str
) -> None:
    answer = client.get("/sparql", params={"timeout": timeout})
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["parameter"] == "timeout"
    assert client.get("/sparql", params={"timeout": ""}).status_code == 200
