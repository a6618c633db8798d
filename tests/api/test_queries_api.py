"""/queries on the small fixture repository: catalogue, typed operations, paging, refusals."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from tests.support import ID

KOR = f"{ID}state/KOR"
PRK = f"{ID}state/PRK"


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_catalogue_json_and_html(client: TestClient) -> None:
    data = client.get("/queries").json()
    assert data["count"] == 2
    names = {q["name"] for q in data["queries"]}
    assert names == {"state-label", "labels-matching"}
    state = next(q for q in data["queries"] if q["name"] == "state-label")
    assert state["parameters"][0] == {
        "name": "state",
        "type": "iri",
        "required": False,
        "default": PRK,
        "enumerated": True,
        "description": "an IRI (optional)",
    }
    html = client.get("/queries", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "Label of a state" in html.text and 'name="state"' in html.text


def test_defaults_and_parameters(client: TestClient) -> None:
    default = client.get("/queries/state-label", headers={"Accept": "text/csv"})
    assert rows(default.text) == [["label"], ["Democratic People's Republic of Korea"]]
    kor = client.get("/queries/state-label", params={"state": KOR, "format": "csv"})
    assert rows(kor.text) == [["label"], ["Republic of Korea"]]


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "text/csv", "text/tab-separated-values", "text/html"],
)
def test_formats(client: TestClient, accept: str) -> None:
    response = client.get(
        "/queries/labels-matching", params={"text": "korea"}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Republic of Korea" in response.text


def test_html_shows_the_sparql(client: TestClient) -> None:
    html = client.get("/queries/labels-matching", params={"text": "korea", "format": "html"})
    assert "CONTAINS(LCASE(STR(?label)), LCASE(?_text))" in html.text.replace("&#34;", '"')


def test_source_is_served(client: TestClient) -> None:
    response = client.get("/queries/state-label.rq")
    assert response.headers["content-type"].startswith("application/sparql-query")
    assert response.text.startswith("#+ summary: Label of a state")


def test_paging_with_link_headers(client: TestClient) -> None:
    first = client.get(
        "/queries/labels-matching", params={"text": "o", "limit": 1}, headers={"Accept": "text/csv"}
    )
    assert len(rows(first.text)) == 2
    assert 'rel="next"' in first.headers["link"] and "offset=1" in first.headers["link"]
    second = client.get(
        "/queries/labels-matching",
        params={"text": "o", "limit": 1, "offset": 1},
        headers={"Accept": "text/csv"},
    )
    assert rows(second.text)[1] != rows(first.text)[1]
    assert 'rel="prev"' in second.headers["link"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"state": '">'}, "state"),
        ({"state": "} ; DROP ALL"}, "state"),
        ({"state": "https://w3id.org/unhr/id/state/FRA"}, "state"),
        ({"state": "x" * 3000}, "state"),
        ({"state": KOR, "color": "red"}, "color"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "\u00b2"}, "limit"),  # a superscript two: str.isdigit() says it is a digit
        ({"limit": "\u0663"}, "limit"),  # an Arabic-Indic three
        ({"offset": "1; DROP"}, "offset"),
    ],
)
def test_bad_values_name_the_parameter(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    before = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    ).text
    response = client.get("/queries/state-label", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad-parameter"
    assert error["details"]["parameter"] == parameter
    after = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    ).text
    assert before == after


@pytest.mark.parametrize("payload", ['">', "} ; DROP ALL", "'\"", "a\nb", "é" * 1999])
def test_string_injection_is_just_a_string(client: TestClient, payload: str) -> None:
    response = client.get(
        "/queries/labels-matching", params={"text": payload}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert rows(response.text) == [["s", "label"]]


def test_required_parameter_missing(client: TestClient) -> None:
    response = client.get("/queries/labels-matching")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "text"


def test_unknown_query_is_404(client: TestClient) -> None:
    assert client.get("/queries/nope").status_code == 404


def test_openapi_has_one_typed_operation_per_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {
        path: item["get"] for path, item in spec["paths"].items() if path.startswith("/queries/")
    }
    assert set(ops) == {"/queries/state-label", "/queries/labels-matching"}
    state = {p["name"]: p for p in ops["/queries/state-label"]["parameters"]}
    assert state["state"]["schema"] == {"type": "string", "format": "iri", "default": PRK}
    assert state["limit"]["schema"]["type"] == "integer"
    text = {p["name"]: p for p in ops["/queries/labels-matching"]["parameters"]}
    assert text["text"]["required"] is True


def test_catalogue_is_queryable_as_rdf(client: TestClient) -> None:
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
      SELECT ?name ?optional WHERE {
        GRAPH <https://w3id.org/unhr/graph/queries> {
          ?q a sh:SPARQLSelectExecutable ; sh:select ?text ; sh:parameter ?p .
          ?p sh:name ?name ; sh:optional ?optional } } ORDER BY ?name"""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert rows(response.text) == [
        ["name", "optional"],
        ["iso3", "true"],
        ["state", "true"],
        ["text", "false"],
    ]
