"""Writing N-Triples line by line: the converted data sets are too large for an rdflib graph.

Terms are rendered once and reused as strings (a state's IRI is written hundreds of thousands
of times); pyoxigraph renders them, so IRIs are checked and literals escaped as N-Triples wants.
Output order is the order of the calls, so a converter that reads its input in a fixed order
writes the same bytes every time.
"""

from __future__ import annotations

from typing import TextIO

import pyoxigraph as ox

from kg.namespaces import ID, PREFIXES, UNHR

XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDFS_SEE_ALSO = "<http://www.w3.org/2000/01/rdf-schema#seeAlso>"


def iri(value: str) -> str:
    """An IRI in N-Triples form (raises ValueError when it is not a valid IRI)."""
    return str(ox.NamedNode(value))


def unhr(local: str) -> str:
    return f"<{UNHR}{local}>"


def dcterms(local: str) -> str:
    return f"<{DCTERMS}{local}>"


def node(path: str) -> str:
    """An instance IRI under https://w3id.org/unhr/id/."""
    return iri(f"{ID}{path}")


def text(value: str, lang: str | None = None) -> str:
    return str(ox.Literal(value, language=lang))


def english(value: str) -> str:
    return text(value, "en")


def typed(value: str, datatype: str) -> str:
    return str(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))


def integer(value: int) -> str:
    return typed(str(value), "integer")


def dated(value: str) -> str:
    """``xsd:date`` for yyyy-mm-dd, ``xsd:gYearMonth`` for yyyy-mm, ``xsd:gYear`` for yyyy."""
    kind = {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(value))
    if kind is None:
        raise ValueError(f"not a date: {value!r}")
    return typed(value, kind)


class NTriplesWriter:
    """Writes triples of pre-rendered terms and counts them."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.triples = 0

    def add(self, s: str, p: str, o: str) -> None:
        self._out.write(f"{s} {p} {o} .\n")
        self.triples += 1
