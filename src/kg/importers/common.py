"""Shared building blocks of the importers: IRIs, CSV reading, graphs and Turtle rendering.

Nothing here holds state between calls: every importer builds a fresh :class:`rdflib.Graph`
from the CSV files under the repository root and :func:`render_turtle` turns it into text.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from kg.namespaces import ID, PREFIXES, UNHR, WD

DCTERMS = Namespace(PREFIXES["dcterms"])
SKOS = Namespace(PREFIXES["skos"])
OWL = Namespace(PREFIXES["owl"])
ORG = Namespace(PREFIXES["org"])
PROV = Namespace(PREFIXES["prov"])

#: Folders (relative to the repository root) that hold the importers' input CSVs.
REFERENCE_CSV = Path("data/reference/csv")
VOTES_CSV = Path("data/votes/csv")

#: Prefixes written in every generated file (only those used end up mattering to readers).
_BOUND = ("unhr", "org", "skos", "dcterms", "owl", "rdfs", "xsd", "wd", "prov")

GENERATED_HEADER = (
    "# GENERATED FILE: do not edit by hand.\n"
    "# Written by `kg import` / `python -m kg.importers` (src/kg/importers/) from the CSV files\n"
    "# under data/reference/csv/ and data/votes/csv/ (see the SOURCE.md beside them).\n"
    "# Regenerate with: .venv/bin/python -m kg.importers\n"
)

_SYMBOL_YEAR = re.compile(r" \((\d{4})\)$")


class ImportDataError(ValueError):
    """The input data is inconsistent (a tally that does not add up, an unknown state name…)."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV file as dicts of strings ("NA" stays the string "NA")."""
    with path.open(newline="", encoding="utf-8") as f:
        return [dict(row) for row in csv.DictReader(f)]


def iri(path: str) -> URIRef:
    """An instance IRI under ``https://w3id.org/unhr/id/``."""
    return URIRef(f"{ID}{path}")


def state(iso3: str) -> URIRef:
    if not re.fullmatch(r"[A-Z]{3}", iso3):
        raise ImportDataError(f"not an ISO 3166-1 alpha-3 code: {iso3!r}")
    return iri(f"state/{iso3}")


def org(slug: str) -> URIRef:
    return iri(f"org/{slug}")


def dataset(ident: str) -> URIRef:
    return iri(f"dataset/{ident}")


def vocab(scheme: str, notation: str) -> URIRef:
    return iri(f"vocab/{scheme}/{notation}")


def doc_path(symbol: str) -> str:
    """A document symbol in undocs.org path form: ``S/RES/2375 (2017)`` → ``S/RES/2375(2017)``."""
    return _SYMBOL_YEAR.sub(r"(\1)", symbol.strip())


def doc(symbol: str) -> URIRef:
    return iri(f"doc/{doc_path(symbol)}")


def undocs(symbol: str) -> URIRef:
    return URIRef(f"https://undocs.org/{doc_path(symbol)}")


def wikidata(qid: str) -> URIRef:
    if not re.fullmatch(r"Q[1-9][0-9]*", qid):
        raise ImportDataError(f"not a Wikidata item id: {qid!r}")
    return WD[qid]


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date_literal(value: str) -> Literal:
    """An ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` literal, by the precision given."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    raise ImportDataError(f"not a date: {value!r}")


def integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound (and no others)."""
    g = Graph(bind_namespaces="none")
    for prefix in _BOUND:
        g.bind(prefix, PREFIXES[prefix])
    return g


def render_turtle(graph: Graph) -> str:
    """Turtle text for ``graph``: sorted by rdflib, instance IRIs relative to ``@base``.

    rdflib writes subjects and objects in sorted order, so the same graph always renders to
    the same text; the header comment marks the file as generated.
    """
    body = graph.serialize(format="turtle")
    base = str(ID)
    lines = [line.replace(f"<{base}", "<") for line in body.splitlines()]
    prefixes = [line for line in lines if line.startswith("@prefix")]
    rest = [line for line in lines if not line.startswith("@prefix")]
    while rest and not rest[0].strip():
        rest.pop(0)
    text = "\n".join([f"@base <{base}> .", *prefixes, "", *rest]).rstrip() + "\n"
    return GENERATED_HEADER + "\n" + text


__all__ = [
    "DCTERMS",
    "ORG",
    "OWL",
    "PROV",
    "REFERENCE_CSV",
    "SKOS",
    "UNHR",
    "VOTES_CSV",
    "ImportDataError",
    "dataset",
    "date_literal",
    "doc",
    "doc_path",
    "en",
    "integer",
    "iri",
    "new_graph",
    "org",
    "read_csv",
    "render_turtle",
    "state",
    "undocs",
    "vocab",
    "wikidata",
]
