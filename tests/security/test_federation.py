"""SERVICE to allowlisted endpoints: a federated join with a second instance of this server, and
endpoints that fail, hang, flood or answer blank nodes (the listener of tests/security)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg.api.app import create_app
from kg.startup import prepare_store
from tests.conftest import make_settings
from tests.security.listener import Listener
from tests.server import server
from tests.support import copy_mini

PREFIXES = "PREFIX unhr: <https://w3id.org/unhr/ontology#>\n"
ID = "https://w3id.org/unhr/id/"
# Only the remote instance holds these notes; only PRK and KOR are states in both.
REMOTE_DATA = f"""@prefix unhr: <https://w3id.org/unhr/ontology#> .
<{ID}state/PRK> unhr:remoteNote "PRK, as the remote sees it"@en .
<{ID}state/KOR> unhr:remoteNote "KOR, as the remote sees it"@en .
<{ID}state/JPN> unhr:remoteNote "JPN, known to the remote only"@en .
"""
TIMEOUT = 1.0
MAX_BYTES = 5000


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second instance of this server, on 127.0.0.1, whose data adds the notes above."""
    root = copy_mini(tmp_path_factory.mktemp("remote") / "repo")
    (root / "data" / "remote-notes.ttl").write_text(REMOTE_DATA)
    with server(root, root.parent / "var", KG_STORE="memory") as (_, port):
        yield f"http://127.0.0.1:{port}/sparql"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


@pytest.fixture(scope="module")
def federated(
    tmp_path_factory: pytest.TempPathFactory, remote: str, listener: Listener
) -> Iterator[TestClient]:
    root = copy_mini(tmp_path_factory.mktemp("local") / "repo")
    paths = ("/answer", "/error", "/hang", "/flood", "/close")
    settings = make_settings(
        root,
        service_private_endpoints=" ".join([remote, *(listener.url(p) for p in paths)]),
        service_timeout=TIMEOUT,
        service_max_bytes=MAX_BYTES,
    )
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
            yield client
    finally:
        store.close()


def rows(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_a_federated_join_matches_the_data_of_both_instances(
    federated: TestClient, remote: str
) -> None:
    query = (
        f"{PREFIXES}SELECT ?iso ?note WHERE {{ ?state unhr:iso3 ?iso . "
        f"SERVICE <{remote}> {{ ?state unhr:remoteNote ?note }} }} ORDER BY ?iso"
    )
    assert rows(federated, query) == [
        {"iso": "KOR", "note": "KOR, as the remote sees it"},
        {"iso": "PRK", "note": "PRK, as the remote sees it"},
    ]
    metrics = federated.get("/metrics").text
    assert f'kg_service_calls_total{{endpoint="{remote}",outcome="ok"}}' in metrics


def test_the_remote_solutions_keep_their_multiplicity_and_unbound_values(
    federated: TestClient, remote: str
) -> None:
    query = (
        f"{PREFIXES}SELECT (COUNT(*) AS ?n) (COUNT(?note) AS ?noted) WHERE {{ "
        f"SERVICE <{remote}> {{ {{ ?s unhr:remoteNote ?note }} UNION {{ ?s unhr:iso3 ?iso }} }} }}"
    )
    # 3 notes, and 2 states with an ISO code (the remote holds the mini data too).
    assert rows(federated, query) == [{"n": "5", "noted": "3"}]


LOCAL_STATES = [{"iso": "KOR"}, {"iso": "PRK"}]


@pytest.mark.parametrize(
    ("path", "outcome"),
    [("/error", "failed"), ("/close", "failed"), ("/hang", "timeout"), ("/flood", "too-large")],
)
def test_a_failing_endpoint_is_a_502_unless_silent(
    federated: TestClient, listener: Listener, path: str, outcome: str
) -> None:
    endpoint = listener.url(path)
    pattern = f"SERVICE {{}} <{endpoint}> {{ ?state unhr:remoteNote ?note }}"
    query = f"{PREFIXES}SELECT ?iso WHERE {{ ?state unhr:iso3 ?iso . {pattern} }} ORDER BY ?iso"
    started = time.monotonic()
    response = federated.get("/sparql", params={"query": query.replace("{}", "", 1)})
    elapsed = time.monotonic() - started
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["code"] == "service-failed"
    assert error["details"] == {"endpoint": endpoint, "outcome": outcome}
    if outcome == "timeout":
        assert TIMEOUT <= elapsed < TIMEOUT + 4
        assert "KG_SERVICE_TIMEOUT" in error["message"]
    if outcome == "too-large":
        assert "KG_SERVICE_MAX_BYTES" in error["message"]
    # SILENT: the failed call is the one empty solution, so the join keeps the local rows.
    assert rows(federated, query.replace("{}", "SILENT", 1)) == LOCAL_STATES
    metrics = federated.get("/metrics").text
    assert f'kg_service_calls_total{{endpoint="{endpoint}",outcome="{outcome}"}}' in metrics
    assert f'endpoint="{endpoint}",outcome="silenced-{outcome}"' in metrics


def test_blank_nodes_from_an_endpoint_become_one_iri_per_label_and_call(
    federated: TestClient, listener: Listener
) -> None:
    listener.results = {
        "head": {"vars": ["b", "v"]},
        "results": {
            "bindings": [
                {"b": {"type": "bnode", "value": "r1"}, "v": {"type": "literal", "value": "1"}},
                {"b": {"type": "bnode", "value": "r1"}, "v": {"type": "literal", "value": "2"}},
                {"b": {"type": "bnode", "value": "r2"}},
            ]
        },
    }
    endpoint = listener.url("/answer")
    query = (
        f"SELECT (COUNT(DISTINCT ?b) AS ?nodes) (SUM(IF(isIRI(?b), 1, 0)) AS ?iris) "
        f"(COUNT(?v) AS ?values) WHERE {{ SERVICE <{endpoint}> {{ ?b ?p ?v }} }}"
    )
    assert rows(federated, query) == [{"nodes": "2", "iris": "3", "values": "2"}]


def test_an_endpoint_that_answers_a_triple_term_or_garbage_fails(
    federated: TestClient, listener: Listener
) -> None:
    endpoint = listener.url("/answer")
    query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
    for answer in (
        {
            "head": {"vars": ["s"]},
            "results": {"bindings": [{"s": {"type": "triple", "value": {}}}]},
        },
        {"head": {"vars": ["s } SERVICE <http://x/> {"]}, "results": {"bindings": []}},
        {
            "head": {"vars": ["s"]},
            "results": {"bindings": [{"s": {"type": "uri", "value": "a b"}}]},
        },
        {"boolean": True},
    ):
        listener.results = answer
        response = federated.get("/sparql", params={"query": query})
        assert response.status_code == 502, response.text


def test_the_service_description_announces_federation_only_when_allowed(
    federated: TestClient, client: TestClient
) -> None:
    def features(c: TestClient) -> str:
        return c.get("/sparql", headers={"Accept": "text/turtle"}).text

    assert "BasicFederatedQuery" in features(federated)
    assert "BasicFederatedQuery" not in features(client)


def test_the_setting_names_its_bad_entries(mini_root: Path) -> None:
    with pytest.raises(ValueError, match="not an absolute http or https IRI"):
        make_settings(mini_root, service_endpoints="https://ok.example/sparql, ftp://x/")
