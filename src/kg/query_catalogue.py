"""The canned-query catalogue as RDF, and the allowed values of enumerated parameters.

Each query is described as a SHACL ``sh:SPARQLSelectExecutable`` (or Ask/Construct) in the
graph ``graph/queries``: title, description, keywords, parameters and the query text, so that
the catalogue can be queried through ``/sparql`` like everything else.
"""

from __future__ import annotations

import logging
import threading

from kg.errors import QueryTimeout, ServerBusy
from kg.namespaces import CATALOGUE_GRAPH, ID
from kg.queries import CannedQuery, Registry
from kg.sparql.operation import Form, where_clause
from kg.store.base import Store
from kg.terms import BNode, Literal, Quad, URIRef, literal

log = logging.getLogger(__name__)


SH = "http://www.w3.org/ns/shacl#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")
SCHEMA_KEYWORDS = URIRef("http://schema.org/keywords")
XSD = "http://www.w3.org/2001/XMLSchema#"
_EXECUTABLE = {
    Form.SELECT: "SPARQLSelectExecutable",
    Form.ASK: "SPARQLAskExecutable",
    Form.CONSTRUCT: "SPARQLConstructExecutable",
    Form.DESCRIBE: "SPARQLExecutable",
}
_TEXT_PREDICATE = {Form.SELECT: "select", Form.ASK: "ask", Form.CONSTRUCT: "construct"}


def query_iri(query: CannedQuery) -> URIRef:
    return URIRef(f"{ID}query/{query.name}")


def catalogue_quads(registry: Registry, base_url: str) -> list[Quad]:
    graph = URIRef(CATALOGUE_GRAPH)
    quads: list[Quad] = []

    def add(s: URIRef | BNode, p: URIRef, o: URIRef | BNode | Literal) -> None:
        quads.append(Quad(s, p, o, graph))

    for q in registry:
        node = query_iri(q)
        add(node, RDF_TYPE, URIRef(SH + "SPARQLExecutable"))
        add(node, RDF_TYPE, URIRef(SH + _EXECUTABLE[q.form]))
        add(node, RDFS_LABEL, literal(q.summary, lang="en"))
        add(node, URIRef(DCT + "title"), literal(q.summary, lang="en"))
        if q.description:
            add(node, RDFS_COMMENT, literal(q.description, lang="en"))
        for tag in q.tags:
            add(node, SCHEMA_KEYWORDS, literal(tag))
        add(node, URIRef(DCT + "identifier"), literal(q.name))
        add(node, URIRef("http://schema.org/url"), URIRef(f"{base_url}/queries/{q.name}"))
        predicate = _TEXT_PREDICATE.get(q.form, "select")
        add(node, URIRef(SH + predicate), literal(q.text))
        for p in q.parameters:
            param = BNode()
            add(node, URIRef(SH + "parameter"), param)
            add(param, URIRef(SH + "path"), URIRef(f"{ID}query/{q.name}/param/{p.name}"))
            add(param, URIRef(SH + "name"), literal(p.name))
            add(param, URIRef(SH + "description"), literal(p.description, lang="en"))
            add(
                param,
                URIRef(SH + "optional"),
                literal(str(not p.required).lower(), datatype=XSD + "boolean"),
            )
            if p.kind == "iri":
                add(param, URIRef(SH + "nodeKind"), URIRef(SH + "IRI"))
            else:
                datatype = p.datatype or {
                    "integer": XSD + "integer",
                    "decimal": XSD + "decimal",
                    "boolean": XSD + "boolean",
                    "lang": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                }.get(p.kind, XSD + "string")
                add(param, URIRef(SH + "datatype"), URIRef(datatype))
            if p.default is not None:
                add(param, URIRef(SH + "defaultValue"), literal(p.default))
    return quads


def publish(store: Store, registry: Registry, base_url: str) -> int:
    """Replace the catalogue graph in ``store``; return its size."""
    return store.replace_graph(CATALOGUE_GRAPH, catalogue_quads(registry, base_url))


class Enumerations:
    """Allowed values of enumerated parameters, computed from the graph and cached per version.

    The values come from the query's own WHERE group, evaluated in a worker with a deadline. If
    that evaluation is too expensive (deadline passed, or the server is busy), the check is
    skipped for this store version rather than retried on every request: an unknown value then
    simply matches nothing.
    """

    def __init__(self, store: Store, *, timeout: float) -> None:
        self._store = store
        self._timeout = timeout
        self._cache: dict[tuple[str, str], tuple[int, tuple[str, ...] | None]] = {}
        self._lock = threading.Lock()

    def values(self, query: CannedQuery, variable: str) -> tuple[str, ...] | None:
        """The allowed values, or None when they could not be computed in time."""
        key = (query.name, variable)
        version = self._store.version
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached[0] == version:
                return cached[1]
        split = where_clause(query.text)
        if split is None:
            return None
        prologue, group = split
        text = f"{prologue}SELECT DISTINCT ?{variable} WHERE {group} ORDER BY ?{variable}"
        found: tuple[str, ...] | None
        try:
            rows = self._store.select(text, timeout=self._timeout, max_rows=100_000)
            found = tuple(str(v) for v in rows.values(variable))
        except (QueryTimeout, ServerBusy) as exc:
            log.warning("enumerating %s of %s skipped: %s", variable, query.name, exc.message)
            found = None
        with self._lock:
            self._cache[key] = (version, found)
        return found
