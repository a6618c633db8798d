"""Clients that just work: SPARQLWrapper's calls, as it makes them, against the real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from SPARQLWrapper import JSON, JSONLD, N3, TURTLE, XML, SPARQLWrapper

from tests.server import server

CONSTRUCT = (
    "CONSTRUCT { <https://w3id.org/unhr/id/state/PRK> ?p ?o } "
    "WHERE { <https://w3id.org/unhr/id/state/PRK> ?p ?o }"
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.support import copy_mini

    root = copy_mini(tmp_path_factory.mktemp("repo"))
    with server(root, root / "var", KG_STORE="memory") as (_, port):
        yield f"http://127.0.0.1:{port}/sparql"


def wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_select_as_json(endpoint: str) -> None:
    result = wrapper(endpoint, "SELECT ?s WHERE { ?s a ?c }", JSON).queryAndConvert()
    assert result["results"]["bindings"]  # type: ignore[index]


def test_construct_with_the_default_format(endpoint: str) -> None:
    # SPARQLWrapper's default for CONSTRUCT: format=xml and Accept: application/rdf+xml.
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) == 4


@pytest.mark.parametrize("fmt", [XML, JSONLD, TURTLE, N3])
def test_construct_in_every_format_it_asks_for(endpoint: str, fmt: str) -> None:
    result = wrapper(endpoint, CONSTRUCT, fmt).query()
    assert result.response.status == 200
    body = result.response.read()
    parsed = rdflib.Graph().parse(
        data=body, format={XML: "xml", JSONLD: "json-ld", TURTLE: "turtle", N3: "turtle"}[fmt]
    )
    assert len(parsed) == 4
