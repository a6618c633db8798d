"""The RDF term model the store port speaks: rdflib's terms, and a quad of them.

Every layer above the store (curation, canned queries, validation, routes) handles RDF as these
engine-neutral values; only a backend converts them to and from its engine's own objects.

- IRIs are :class:`rdflib.URIRef`, blank nodes :class:`rdflib.BNode`, literals
  :class:`rdflib.Literal`, always built with :func:`literal` so that the lexical form is kept
  exactly as stored (rdflib would otherwise normalise ``"01"^^xsd:integer`` to ``"1"``, and a
  quad read from the store would no longer match the stored one).
- The default graph is :data:`DEFAULT_GRAPH` (rdflib's own identifier for it). In this store the
  default graph is the set union of the named graphs.
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

__all__ = [
    "DEFAULT_GRAPH",
    "XSD_STRING",
    "BNode",
    "GraphName",
    "Literal",
    "Object",
    "Quad",
    "Subject",
    "Term",
    "Triple",
    "URIRef",
    "Variable",
    "iri",
    "literal",
]

#: The default graph of a dataset (in this store: the set union of the named graphs).
DEFAULT_GRAPH: URIRef = DATASET_DEFAULT_GRAPH_ID
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Subject = URIRef | BNode
Object = URIRef | BNode | Literal
Term = URIRef | BNode | Literal
GraphName = URIRef


class Triple(NamedTuple):
    s: Subject
    p: URIRef
    o: Object


class Quad(NamedTuple):
    """A triple in a graph; ``g`` is :data:`DEFAULT_GRAPH` for the default graph."""

    s: Subject
    p: URIRef
    o: Object
    g: GraphName = DEFAULT_GRAPH

    @property
    def triple(self) -> Triple:
        return Triple(self.s, self.p, self.o)

    @property
    def in_default_graph(self) -> bool:
        return self.g == DEFAULT_GRAPH

    def in_graph(self, graph: GraphName) -> Quad:
        return Quad(self.s, self.p, self.o, graph)


def iri(value: str) -> URIRef:
    return URIRef(value)


def literal(value: str, *, datatype: str | None = None, lang: str | None = None) -> Literal:
    """A literal with exactly this lexical form (never normalised)."""
    if lang:
        return Literal(value, lang=lang, normalize=False)
    if datatype is None or datatype == XSD_STRING:
        return Literal(value, normalize=False)
    return Literal(value, datatype=URIRef(datatype), normalize=False)
