"""The OpenAPI document says what the app answers: errors in one shape, real media types, and a
per-path ``Allow`` (checked here for every path the app serves)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.api.errors import ErrorBody, RejectedWrite
from kg.store.base import Store

TOKEN = "alice-token-0123456789abcdef"
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
#: SPARQL 1.1 result formats and the RDF syntaxes, by the media types their specs register.
RESULTS = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
GRAPHS = {"text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"}

TURTLE = b'<http://example.org/s> <http://example.org/p> "o" .'
TRIG = b'<http://example.org/g> { <http://example.org/s> <http://example.org/p> "o" . }'
NQUADS = b'<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n'
JSONLD = b'{"@id": "http://example.org/s", "http://example.org/p": "o"}'
RDFXML = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="http://example.org/s"><p xmlns="http://example.org/">o</p>
</rdf:Description></rdf:RDF>"""
#: One small document for each Content-Type an upload may have (the syntaxes' registered types
#: and their common aliases; text/plain and application/json say too little to be read).
UPLOADS = {
    "text/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "application/n-triples": TURTLE + b"\n",
    "application/trig": TRIG,
    "application/n-quads": NQUADS,
    "application/ld+json": JSONLD,
    "application/rdf+xml": RDFXML,
    "application/xml": RDFXML,
    "text/xml": RDFXML,
}


@pytest.fixture()
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method.upper() in HTTP_METHODS
    ]


def test_every_error_answer_is_documented_in_the_one_shape(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # parameter errors are 400s here, not 422s
    assert set(schemas["ErrorBody"]["required"]) == {"error"}
    info = schemas[schemas["ErrorBody"]["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(info["required"]) == {"status", "code", "message", "details", "request_id"}
    assert set(schemas["RejectedWrite"]["required"]) == {"error", "report"}
    seen: set[int] = set()
    for method, path, op in operations(spec):
        for status, response in op["responses"].items():
            if not status.startswith(("4", "5")) or path == "/readyz":
                continue
            seen.add(int(status))
            shape = "RejectedWrite" if status == "422" else "ErrorBody"
            assert response["content"] == {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}
            }, (method, path, status)
    assert seen == {400, 401, 403, 404, 406, 409, 413, 415, 422, 429, 503}


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/sparql", {400, 403, 406, 413, 429, 503}),
        ("POST", "/sparql", {400, 401, 403, 404, 406, 413, 415, 422, 429, 503}),
        ("GET", "/queries/state-label", {400, 406, 429, 503}),
        ("POST", "/validate", {400, 413, 415, 503}),
        ("POST", "/changesets", {400, 401, 403, 413, 415, 422, 503}),
        ("GET", "/changesets/{cs_id}", {404, 503}),
        ("POST", "/changesets/{cs_id}/revert", {400, 401, 403, 404, 409, 422, 503}),
        ("GET", "/graph-store", {400, 404, 406, 503}),
        ("PUT", "/graph-store/{path}", {400, 401, 403, 404, 413, 415, 422, 503}),
        ("DELETE", "/graph-store", {400, 401, 403, 404, 422, 503}),
    ],
)
def test_operations_list_the_errors_they_can_answer(
    spec: dict[str, Any], method: str, path: str, statuses: set[int]
) -> None:
    op = spec["paths"][path][method.lower()]
    assert {int(s) for s in op["responses"] if s.startswith(("4", "5"))} == statuses
    if 401 in statuses:
        assert {"bearer": []} in op["security"]
        assert "WWW-Authenticate" in op["responses"]["401"]["headers"]
    if 429 in statuses:
        assert op["responses"]["429"]["headers"]["Retry-After"]["required"] is True


def test_success_media_types_are_those_the_answers_have(spec: dict[str, Any]) -> None:
    paths = spec["paths"]

    def media(path: str, method: str = "get", status: str = "200") -> set[str]:
        return set(paths[path][method]["responses"][status]["content"])

    assert media("/sparql") == RESULTS | GRAPHS  # results, or a graph, or the description
    assert media("/sparql", "post") == RESULTS | GRAPHS
    assert media("/sparql", "post", "201") == {"application/json"}
    assert media("/queries/state-label") == RESULTS | {"text/html"}
    assert media("/queries") == {"application/json", "text/html"}
    assert media("/graph-store") == GRAPHS
    assert media("/graph-store/{path}") == GRAPHS
    assert media("/validate", "post") == {"application/json", "text/turtle"}
    assert media("/changesets", "post", "201") == {"application/json"}
    assert media("/metrics") == {"text/plain"}
    assert media("/") == {"text/html"}
    results_json = paths["/sparql"]["get"]["responses"]["200"]["content"]
    assert results_json["application/sparql-results+json"]["schema"]["required"] == ["head"]


def test_answers_have_a_documented_media_type(client: TestClient, spec: dict[str, Any]) -> None:
    documented = set(spec["paths"]["/sparql"]["get"]["responses"]["200"]["content"])
    for accept in [*RESULTS, "*/*"]:
        got = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
        assert got.headers["content-type"].split(";")[0] in documented, accept
    for accept in [*GRAPHS, "*/*"]:
        got = client.get("/sparql", headers={"Accept": accept})  # the Service Description
        assert got.headers["content-type"].split(";")[0] in documented, accept


def test_every_documented_upload_type_is_read_and_no_other(
    client: TestClient, spec: dict[str, Any]
) -> None:
    body = spec["paths"]["/validate"]["post"]["requestBody"]["content"]
    assert set(body) == {*UPLOADS, "multipart/form-data"}
    for media_type, document in UPLOADS.items():
        answer = client.post("/validate", content=document, headers={"Content-Type": media_type})
        assert answer.status_code == 200, (media_type, answer.text)
        assert answer.json()["conforms"] is True
    refused = client.post("/validate", content=b"{}", headers={"Content-Type": "application/json"})
    assert refused.status_code == 415
    # The 415 lists exactly the types that are read (it used to offer application/json too).
    assert set(refused.json()["error"]["details"]["supported"]) == set(UPLOADS)
    for path, method in [("/changesets", "post"), ("/graph-store", "put")]:
        assert set(spec["paths"][path][method]["requestBody"]["content"]) == set(body)


def test_the_error_bodies_are_built_from_the_documented_model(client: TestClient) -> None:
    answer = client.get("/sparql", params={"query": "SELECT"})
    assert answer.status_code == 400
    assert ErrorBody.model_validate(answer.json()).error.code == "sparql-syntax-error"
    shape = RejectedWrite.model_json_schema()
    assert set(shape["required"]) == {"error", "report"}


def test_parameter_validation_is_a_400_as_documented(mini_root: Path, mini_store: Store) -> None:
    settings = make_settings(mini_root, write_tokens=f"alice:{TOKEN}")
    with TestClient(create_app(settings, mini_store), raise_server_exceptions=False) as client:
        answer = client.post(
            "/changesets",
            params={"dry_run": "perhaps"},
            content=TURTLE,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
        )
    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["problems"][0]["parameter"] == "dry_run"
    spec = create_app(settings, mini_store).openapi()
    assert "400" in spec["paths"]["/changesets"]["post"]["responses"]


def concrete(path: str) -> str:
    return path.replace("{cs_id}", "cs-x").replace("{path}", "some/graph")


def test_allow_is_per_path_for_every_path(client: TestClient, spec: dict[str, Any]) -> None:
    """Every path the app serves, documented or not: a method it does not answer is a 405 whose
    Allow lists the methods it does (HEAD wherever GET, OPTIONS everywhere), and OPTIONS is a 204
    with the same Allow."""
    expected: dict[str, set[str]] = {}
    for path, item in spec["paths"].items():
        methods = {m.upper() for m in item if m.upper() in HTTP_METHODS}
        expected[concrete(path)] = methods
    # The undocumented ones: the SPARQL text of each canned query, the unknown-query page, and
    # the documentation itself.
    for path in [p for p in spec["paths"] if p.startswith("/queries/")]:
        expected[path + ".rq"] = {"GET"}
    expected["/queries/no-such-query"] = {"GET"}
    for path in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"):
        expected[path] = {"GET"}
    assert len(expected) >= 20
    for path, methods in expected.items():
        if "GET" in methods:
            methods = methods | {"HEAD"}
        methods = methods | {"OPTIONS"}
        allow = ", ".join(sorted(methods))
        options = client.options(path)
        assert (options.status_code, options.headers.get("allow")) == (204, allow), path
        for method in sorted(set(HTTP_METHODS) - methods):
            answer = client.request(method, path)
            assert answer.status_code == 405, (method, path)
            assert answer.headers["allow"] == allow, (method, path)
            if method != "HEAD":
                assert answer.json()["error"]["code"] == "method-not-allowed"
        if "HEAD" in methods:
            assert client.head(path).status_code != 405, path


def test_options_on_a_path_that_does_not_exist_is_404(client: TestClient) -> None:
    assert client.options("/no/such/path").status_code == 404


def test_the_documentation_pages_render_the_spec(client: TestClient, spec: dict[str, Any]) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text.lower()
    assert "/openapi.json" in docs.text
    redoc = client.get("/redoc")
    assert redoc.status_code == 200 and "redoc" in redoc.text.lower()
    assert "/openapi.json" in redoc.text
    # The document is valid OpenAPI that a generator can read operation by operation.
    loaded = schemathesis.openapi.from_dict(spec)
    results = list(loaded.get_all_operations())
    assert len(results) == len(operations(spec))
    for result in results:
        assert result.ok() is not None
