"""The canned-query catalogue as RDF, and the allowed values of enumerated parameters.

Each query is described as a SHACL ``sh:SPARQLSelectExecutable`` (or Ask/Construct) in the
graph ``graph/queries``: title, description, keywords, parameters and the query text, so that
the catalogue can be queried through ``/sparql`` like everything else.
"""

from __future__ import annotations

import json
import threading

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg.formats import RESULT_FORMATS
from kg.namespaces import GRAPH, ID
from kg.queries import CannedQuery, Registry
from kg.sparql.evaluate import QueryRequest
from kg.sparql.operation import Form, where_clause
from kg.store.base import Store

CATALOGUE_GRAPH = f"{GRAPH}queries"
SH = "http://www.w3.org/ns/shacl#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SCHEMA_KEYWORDS = NamedNode("http://schema.org/keywords")
XSD = "http://www.w3.org/2001/XMLSchema#"
_EXECUTABLE = {
    Form.SELECT: "SPARQLSelectExecutable",
    Form.ASK: "SPARQLAskExecutable",
    Form.CONSTRUCT: "SPARQLConstructExecutable",
    Form.DESCRIBE: "SPARQLExecutable",
}
_TEXT_PREDICATE = {Form.SELECT: "select", Form.ASK: "ask", Form.CONSTRUCT: "construct"}


def query_iri(query: CannedQuery) -> NamedNode:
    return NamedNode(f"{ID}query/{query.name}")


def catalogue_quads(registry: Registry, base_url: str) -> list[Quad]:
    graph = NamedNode(CATALOGUE_GRAPH)
    quads: list[Quad] = []

    def add(s: NamedNode | BlankNode, p: NamedNode, o: NamedNode | BlankNode | Literal) -> None:
        quads.append(Quad(s, p, o, graph))

    for q in registry:
        node = query_iri(q)
        add(node, RDF_TYPE, NamedNode(SH + "SPARQLExecutable"))
        add(node, RDF_TYPE, NamedNode(SH + _EXECUTABLE[q.form]))
        add(node, RDFS_LABEL, Literal(q.summary, language="en"))
        add(node, NamedNode(DCT + "title"), Literal(q.summary, language="en"))
        if q.description:
            add(node, RDFS_COMMENT, Literal(q.description, language="en"))
        for tag in q.tags:
            add(node, SCHEMA_KEYWORDS, Literal(tag))
        add(node, NamedNode(DCT + "identifier"), Literal(q.name))
        add(node, NamedNode("http://schema.org/url"), NamedNode(f"{base_url}/queries/{q.name}"))
        predicate = _TEXT_PREDICATE.get(q.form, "select")
        add(node, NamedNode(SH + predicate), Literal(q.text))
        for p in q.parameters:
            param = BlankNode()
            add(node, NamedNode(SH + "parameter"), param)
            add(param, NamedNode(SH + "path"), NamedNode(f"{ID}query/{q.name}/param/{p.name}"))
            add(param, NamedNode(SH + "name"), Literal(p.name))
            add(param, NamedNode(SH + "description"), Literal(p.description, language="en"))
            add(
                param,
                NamedNode(SH + "optional"),
                Literal(str(not p.required).lower(), datatype=NamedNode(XSD + "boolean")),
            )
            if p.kind == "iri":
                add(param, NamedNode(SH + "nodeKind"), NamedNode(SH + "IRI"))
            else:
                datatype = p.datatype or {
                    "integer": XSD + "integer",
                    "decimal": XSD + "decimal",
                    "boolean": XSD + "boolean",
                    "lang": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                }.get(p.kind, XSD + "string")
                add(param, NamedNode(SH + "datatype"), NamedNode(datatype))
            if p.default is not None:
                add(param, NamedNode(SH + "defaultValue"), Literal(p.default))
    return quads


def publish(store: Store, registry: Registry, base_url: str) -> int:
    """Replace the catalogue graph in ``store``; return its size."""
    return store.replace_graph_with(CATALOGUE_GRAPH, catalogue_quads(registry, base_url))


class Enumerations:
    """Allowed values of enumerated parameters, computed from the graph and cached per version."""

    def __init__(self, store: Store, *, timeout: float) -> None:
        self._store = store
        self._timeout = timeout
        self._cache: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def values(self, query: CannedQuery, variable: str) -> tuple[str, ...]:
        key = (query.name, variable)
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] == self._store.version:
                return cached[1]
        split = where_clause(query.text)
        if split is None:
            return ()
        prologue, group = split
        text = f"{prologue}SELECT DISTINCT ?{variable} WHERE {group} ORDER BY ?{variable}"
        request = QueryRequest(text, Form.SELECT, RESULT_FORMATS[0], 100_000, self._timeout)
        data = json.loads(self._store.execute(request).body)
        found = tuple(
            row[variable]["value"] for row in data["results"]["bindings"] if variable in row
        )
        with self._lock:
            self._cache[key] = (self._store.version, found)
        return found
