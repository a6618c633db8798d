"""The runner's own checks fail on wrong answers, so that a W3C test passing means something.

Each case answers through a fake server (``httpx.MockTransport``), no app needed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from rdflib import Graph, URIRef
from tests.w3c.runner import (
    SERVICE_DESCRIPTION_CHECKS,
    Adaptation,
    Body,
    ExpectedResponse,
    Header,
    ManifestError,
    Request,
    Rewrite,
    Runner,
    _request,
    adapt,
    status_range,
)

TURTLE = "text/turtle; charset=utf-8"
PERSON = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://www.example/gsp/person/1> a foaf:Person ; foaf:businessCard [ foaf:name "John Doe" ] .
"""

Handler = Callable[[httpx.Request], httpx.Response]


def fake(handler: Handler) -> Runner:
    transport = httpx.MockTransport(handler)
    return Runner(httpx.Client(transport=transport, base_url="http://testserver.example"), "tok")


def request(
    path: str = "/sparql/?query=ASK%20%7B%7D",
    *,
    method: str = "GET",
    statuses: tuple[str, ...] = ("StatusCode2xx",),
    **expected: object,
) -> Request:
    return Request(method, path, (), None, ExpectedResponse(statuses, **expected))  # type: ignore[arg-type]


def answer(status: int = 200, body: str = "", content_type: str | None = None) -> Handler:
    headers = {"content-type": content_type} if content_type else {}
    return lambda _: httpx.Response(status, text=body, headers=headers)


def run(handler: Handler, *requests: Request) -> None:
    fake(handler).run_requests(requests, where="case")


def test_a_status_outside_the_expected_ones_fails() -> None:
    run(answer(204), request(statuses=("OK", "NoContent")))
    with pytest.raises(AssertionError, match="status 500, expected one of hts:StatusCode2xx"):
        run(answer(500), request())


def test_the_boolean_and_the_format_are_checked() -> None:
    ask_true = json.dumps({"head": {}, "boolean": True})
    json_type = "application/sparql-results+json"
    run(answer(200, ask_true, json_type), request(boolean=True, format="boolean"))
    with pytest.raises(AssertionError, match="boolean False, expected True"):
        run(
            answer(200, ask_true.replace("true", "false"), json_type),
            request(boolean=True, format="boolean"),
        )
    with pytest.raises(AssertionError, match="is not one of"):
        run(answer(200, "value\r\n1\r\n", "text/csv"), request(format="boolean"))
    with pytest.raises(AssertionError, match="a ASK result"):
        run(answer(200, ask_true, json_type), request(format="tabular"))
    with pytest.raises(AssertionError, match=r"'application/ld\+json; x=1' is not one of"):
        run(answer(200, "{}", "application/ld+json; x=1"), request(format="RDF"))


def test_graphs_are_compared_up_to_blank_node_names_only() -> None:
    expected = request(
        "/gsp?graph=x",
        headers=(Header("content-type", TURTLE),),
        body=Body(PERSON, "UTF-8"),
    )
    relabelled = Graph().parse(data=PERSON, format="turtle").serialize(format="nt")
    assert "_:" in relabelled
    run(answer(200, relabelled.replace("_:", "_:other"), TURTLE), expected)
    with pytest.raises(AssertionError, match="only in the answer"):
        run(answer(200, PERSON.replace("John", "Jane"), TURTLE), expected)
    with pytest.raises(AssertionError, match="Content-Type 'text/turtle', expected"):
        run(answer(200, PERSON, "text/turtle"), expected)
    run(answer(200, PERSON, "Text/Turtle;charset=UTF-8"), expected)


def test_a_location_fills_the_template_variable_of_later_requests() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(201, headers={"location": "http://testserver.example/g/1"})

    run(
        handler,
        request("/gsp", method="POST", statuses=("Created",), location_variable="$L$"),
        request("/gsp?graph=$L$", statuses=("Created",)),
    )
    assert [str(r.url) for r in seen] == [
        "http://testserver.example/graph-store",
        "http://testserver.example/graph-store?graph=http://testserver.example/g/1",
    ]
    assert all(r.headers["authorization"] == "Bearer tok" for r in seen)
    with pytest.raises(AssertionError, match="no Location header"):
        run(answer(201), request("/gsp", statuses=("Created",), location_variable="$L$"))


def test_a_refused_request_must_not_write() -> None:
    count = {"n": 0}

    def handler(req: httpx.Request) -> httpx.Response:
        if req.url.path == "/changesets":
            return httpx.Response(200, json={"count": count["n"]})
        count["n"] += 1  # the server writes, then answers 400
        return httpx.Response(400)

    with pytest.raises(AssertionError, match="refused \\(400\\) but a change set was recorded"):
        run(handler, request(statuses=("StatusCode4xx",)))


def test_rewrites_must_apply_and_manifests_must_be_understood() -> None:
    with pytest.raises(ManifestError, match="matches nothing"):
        adapt((request(),), Adaptation(why="-", rewrites=(Rewrite("CLEAR ALL", "x"),)))
    with pytest.raises(ManifestError, match="unknown status"):
        status_range("ImATeapot")
    with pytest.raises(ManifestError, match="cannot map"):
        fake(answer()).send(request("/elsewhere"))
    g = Graph().parse(
        format="turtle",
        data="""@prefix ht: <http://www.w3.org/2011/http#> .
        @prefix mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#> .
        @prefix hts: <http://www.w3.org/2011/http-statusCodes#> .
        <urn:r> ht:methodName "GET" ; ht:absolutePath "/sparql/" ; ht:httpVersion "1.1" ;
          ht:resp [ mf:expectedStatus hts:OK ] ; ht:timeout 3 .""",
    )
    with pytest.raises(ManifestError, match="does not handle"):
        _request(g, URIRef("urn:r"))


def test_the_schema_check_finds_misused_terms() -> None:
    bad = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
    <http://testserver.example/sparql> a sd:Service ; sd:endpoint "not an IRI" ;
        sd:supportedLanguage sd:SPARQL11Query ; sd:namedGraph [ a sd:NamedGraph ] ;
        sd:featur sd:UnionDefaultGraph ; sd:defaultDataset [ a sd:Graph ] ."""
    with pytest.raises(AssertionError) as caught:
        SERVICE_DESCRIPTION_CHECKS["service-description#conforms-to-schema"](
            fake(answer(200, bad, TURTLE))
        )
    message = str(caught.value)
    assert 'sd:endpoint of <http://testserver.example/sparql> is "not an IRI"' in message
    assert "uses sd:namedGraph but is not an sd:GraphCollection" in message
    assert "service-description#featur> is not a term of the vocabulary" in message
    assert ", not an sd:Dataset" in message
    with pytest.raises(AssertionError, match=r"no sd:endpoint <http://testserver\.example/sparql>"):
        SERVICE_DESCRIPTION_CHECKS["service-description#has-endpoint-triple"](
            fake(answer(200, bad.replace('"not an IRI"', "<http://elsewhere/sparql>"), TURTLE))
        )
    with pytest.raises(AssertionError, match="not as RDF"):
        SERVICE_DESCRIPTION_CHECKS["service-description#returns-rdf"](
            fake(answer(200, "<html></html>", "text/html"))
        )
