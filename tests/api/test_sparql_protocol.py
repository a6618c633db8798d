"""The SPARQL 1.1 Protocol matrix on /sparql, through the public HTTP surface."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import pytest
import rdflib
from fastapi.testclient import TestClient
from tests.support import GRAPH, ID, UNHR

PREFIX = f"PREFIX unhr: <{UNHR}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
QUERIES = {
    "select": PREFIX + "SELECT ?s ?label WHERE { ?s a unhr:State ; rdfs:label ?label } ORDER BY ?s",
    "ask": PREFIX + "ASK { ?s a unhr:State }",
    "construct": PREFIX + "CONSTRUCT { ?s a unhr:State } WHERE { ?s a unhr:State }",
    "describe": f"DESCRIBE <{ID}state/KOR>",
}
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def send(client: TestClient, method: str, query: str, accept: str) -> object:
    headers = {"Accept": accept}
    if method == "GET":
        return client.get("/sparql", params={"query": query}, headers=headers)
    if method == "POST-form":
        return client.post(
            "/sparql",
            content=urlencode({"query": query}),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
    return client.post(
        "/sparql",
        content=query.encode(),
        headers={**headers, "Content-Type": "application/sparql-query"},
    )


def check_results(body: bytes, fmt: str, form: str) -> None:
    text = body.decode()
    if form == "ask":
        if fmt == "json":
            assert json.loads(text)["boolean"] is True
        elif fmt == "xml":
            assert "<boolean>true</boolean>" in text
        else:
            assert "true" in text
        return
    if fmt == "json":
        rows = json.loads(text)["results"]["bindings"]
        assert [r["s"]["value"] for r in rows] == [f"{ID}state/KOR", f"{ID}state/PRK"]
    elif fmt == "xml":
        assert text.count("<result>") == 2
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["s", "label"]
        assert rows[1] == [f"{ID}state/KOR", "Republic of Korea"]
    else:
        lines = text.strip().split("\n")
        assert lines[0] == "?s\t?label"
        assert lines[1].startswith(f"<{ID}state/KOR>\t")


def check_graph(body: bytes, fmt: str, form: str) -> None:
    g = rdflib.Graph().parse(data=body, format=fmt)
    kor = rdflib.URIRef(f"{ID}state/KOR")
    if form == "construct":
        assert set(g.subjects()) == {kor, rdflib.URIRef(f"{ID}state/PRK")}
    else:
        assert (kor, rdflib.RDFS.label, rdflib.Literal("Republic of Korea", lang="en")) in g


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("form", ["select", "ask"])
@pytest.mark.parametrize("media_type", list(RESULT_TYPES))
def test_select_and_ask_in_every_format(
    client: TestClient, method: str, form: str, media_type: str
) -> None:
    response = send(client, method, QUERIES[form], media_type)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"]
    check_results(response.content, RESULT_TYPES[media_type], form)


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("form", ["construct", "describe"])
@pytest.mark.parametrize("media_type", list(GRAPH_TYPES))
def test_construct_and_describe_in_every_format(
    client: TestClient, method: str, form: str, media_type: str
) -> None:
    response = send(client, method, QUERIES[form], media_type)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    check_graph(response.content, GRAPH_TYPES[media_type], form)


def test_q_values_decide(client: TestClient) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = send(client, "GET", QUERIES["select"], accept)
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": QUERIES["select"], "format": "tsv"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_browser_accept_gets_xml_results_for_select(client: TestClient) -> None:
    # A browser accepts application/xml (q=0.9) before */*: SPARQL XML results, not JSON.
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = send(client, "GET", QUERIES["select"], accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_406_lists_supported_formats(client: TestClient) -> None:
    response = send(client, "GET", QUERIES["select"], "image/png")
    assert response.status_code == 406
    error = response.json()["error"]
    assert error["code"] == "not-acceptable"
    assert "application/sparql-results+json" in error["details"]["supported"]
    assert "text/csv" in error["message"]


def test_406_for_graph_format_on_select(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": QUERIES["select"], "format": "turtle"})
    assert response.status_code == 406


def test_syntax_error_is_400_with_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "sparql-syntax-error"
    assert error["details"]["line"] == 2
    assert error["details"]["column"] > 0
    assert "line 2" in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


def test_not_a_query_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "hello world"})
    assert response.status_code == 400


def test_two_queries_are_400(client: TestClient) -> None:
    response = client.post(
        "/sparql?" + urlencode({"query": "ASK {}"}),
        content="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "protocol-error"
    repeated = client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert repeated.status_code == 400


def test_query_and_update_together_are_400(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=urlencode({"query": "ASK {}", "update": "CLEAR ALL"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400


def test_update_is_refused_on_a_read_only_server(client: TestClient) -> None:
    response = client.post(
        "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]
    assert send(client, "GET", QUERIES["ask"], "application/sparql-results+json").status_code == 200


def test_update_sent_as_query_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/x.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_outbound_access_is_refused(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_load_sent_as_a_query_is_an_update_and_never_runs(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "LOAD <file:///etc/passwd>"})
    assert response.status_code == 400
    assert "update was sent as 'query'" in response.json()["error"]["message"]


def test_from_a_stored_graph_selects_it(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}source-b> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.text.split()[1] == "3"


def test_union_default_graph_counts_a_shared_triple_once(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}state/PRK> a ?c }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.text.split()[1] == "1"
    per_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{ID}state/PRK> a ?c }} }}"
    response = client.get("/sparql", params={"query": per_graph}, headers={"Accept": "text/csv"})
    assert response.text.split()[1] == "2"


def test_default_graph_uri_and_named_graph_uri(client: TestClient) -> None:
    query = f"SELECT ?d WHERE {{ <{ID}upr/PRK/1> <{UNHR}date> ?d }}"
    response = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": f"{GRAPH}source-b"},
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.text.split()[1:] == ["2010"]
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = client.get(
        "/sparql",
        params={"query": named, "named-graph-uri": f"{GRAPH}source-a"},
        headers={"Accept": "text/csv"},
    )
    assert response.text.split()[1:] == [f"{GRAPH}source-a"]


def test_a_dataset_graph_that_is_not_stored_is_empty_and_never_fetched(
    client: TestClient,
) -> None:
    # SPARQL 1.1 Protocol: the dataset holds an empty graph; nothing is dereferenced.
    for param in ("default-graph-uri", "named-graph-uri"):
        response = client.get(
            "/sparql",
            params={
                "query": "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                param: "file:///etc/passwd",
            },
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200
        if param == "default-graph-uri":
            # The named graphs are all there (only the default graph was chosen).
            assert response.json()["boolean"] is True
    only_missing = client.get(
        "/sparql",
        params={
            "query": "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            "default-graph-uri": "file:///etc/passwd",
            "named-graph-uri": "http://127.0.0.1:9/nothing",
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert only_missing.json()["boolean"] is False


def test_service_description_without_query(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(g.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.endpoint, rdflib.URIRef("http://testserver.example/sparql")) in g
    assert (service, sd.feature, sd.UnionDefaultGraph) in g
    assert (service, sd.feature, sd.BasicFederatedQuery) not in g
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) not in g
    names = {str(o) for o in g.objects(None, sd.name)}
    assert {f"{GRAPH}source-a", f"{GRAPH}source-b"} <= names


def test_head_works_where_get_does(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": QUERIES["ask"]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert client.head("/sparql").status_code == 200


def test_cors_preflight_and_read(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    read = client.get(
        "/sparql", params={"query": QUERIES["ask"]}, headers={"Origin": "https://yasgui.example"}
    )
    assert read.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sparql", "GET, HEAD, OPTIONS, POST"),
        ("DELETE", "/queries", "GET, HEAD, OPTIONS"),
        ("PATCH", "/graph-store", "DELETE, GET, HEAD, OPTIONS, POST, PUT"),
        ("PUT", "/validate", "OPTIONS, POST"),
    ],
)
def test_method_not_allowed_is_405_naming_what_the_route_allows(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path, content="x")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method-not-allowed"
    assert response.headers["allow"] == allowed


def test_unsupported_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content="x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_oversized_body_is_413(client: TestClient) -> None:
    body = "ASK {} #" + "x" * 11_000_000
    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    # The body limit answered, before the body was read (not the query-length limit).
    error = response.json()["error"]
    assert error["details"]["limit"] == 10_000_000 and "request body" in error["message"]


def test_oversized_query_is_413(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="ASK {} #" + "x" * 200_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["details"]["limit"] == 100_000 and "KG_MAX_QUERY_BYTES" in error["message"]


def test_row_cap_truncates_and_says_so(mini_root: object, mini_store: object) -> None:
    from tests.conftest import make_settings

    from kg.api.app import create_app

    app = create_app(make_settings(mini_root, max_rows=1), mini_store)  # type: ignore[arg-type]
    with TestClient(app) as capped:
        response = capped.get("/sparql", params={"query": QUERIES["select"]})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 1
    assert "true" in response.headers["x-kg-truncated"]


@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/queries", "/queries/state-label", "/openapi.json", "/changesets"]
)
def test_head_everywhere_get_works(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_service_description_announces_the_limits(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.text, format="turtle")
    comments = " ".join(str(o) for o in g.objects(None, rdflib.RDFS.comment))
    for words in ("at most 10 s", "429 with Retry-After", "nest at most 256 deep", "per client"):
        assert words in comments, words
