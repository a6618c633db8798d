"""Content negotiation over the one format table."""

from __future__ import annotations

import pytest

from kg.errors import NotAcceptable
from kg.formats import Kind, negotiate


@pytest.mark.parametrize(
    ("kind", "accept", "expected"),
    [
        (Kind.RESULTS, None, "json"),
        (Kind.RESULTS, "", "json"),
        (Kind.RESULTS, "*/*", "json"),
        (Kind.RESULTS, "text/csv", "csv"),
        (Kind.RESULTS, "application/json", "json"),
        (Kind.RESULTS, "text/csv;q=0.2, text/tab-separated-values;q=0.8", "tsv"),
        (Kind.RESULTS, "text/csv, application/sparql-results+xml", "csv"),
        (Kind.RESULTS, "application/sparql-results+xml;q=0.9, */*;q=0.1", "xml"),
        (Kind.RESULTS, "text/csv;q=0, */*", "json"),
        (Kind.GRAPH, None, "turtle"),
        (Kind.GRAPH, "application/ld+json", "jsonld"),
        (Kind.GRAPH, "application/json", "jsonld"),
        (Kind.GRAPH, "application/n-triples;q=1, text/turtle;q=0.5", "ntriples"),
        (Kind.GRAPH, "application/rdf+xml", "rdfxml"),
        (Kind.GRAPH, "application/*", "turtle"),  # application/x-turtle
    ],
)
def test_accept(kind: Kind, accept: str | None, expected: str) -> None:
    assert negotiate(kind, accept=accept).name == expected


@pytest.mark.parametrize(
    ("param", "expected"), [("csv", "csv"), ("TSV", "tsv"), ("text/csv", "csv"), ("srj", "json")]
)
def test_format_parameter_wins(param: str, expected: str) -> None:
    assert (
        negotiate(Kind.RESULTS, accept="application/sparql-results+xml", format_param=param).name
        == expected
    )


def test_unknown_format_parameter_lists_the_supported_ones() -> None:
    with pytest.raises(NotAcceptable, match="text/csv"):
        negotiate(Kind.RESULTS, accept=None, format_param="pdf")


def test_nothing_acceptable() -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(Kind.GRAPH, accept="text/csv")
    assert "text/turtle" in info.value.details["supported"]
