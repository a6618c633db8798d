"""The SPARQL 1.1 Service Description of this endpoint, built from settings and the store."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg import __version__
from kg.formats import GRAPH_FORMATS, RESULT_FORMATS
from kg.namespaces import SD, VOID
from kg.store.base import GraphInfo


def service_description(
    *,
    endpoint: str,
    graphs: list[GraphInfo],
    writable: bool = False,
    limits: str = "",
    federated_endpoints: Sequence[str] = (),
) -> Graph:
    """Describe the endpoint at ``endpoint``: only features that are true of this server.

    ``sd:BasicFederatedQuery`` is announced only when SERVICE may call ``federated_endpoints``.
    """
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    # The default graph is the set union of the named graphs; LOAD and dereferencing are
    # refused, so sd:DereferencesURIs is absent; SERVICE only when endpoints are allowlisted.
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if federated_endpoints:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        g.add((service, SD.resultFormat, URIRef(fmt.iri)))
    g.add((service, DCTERMS.title, Literal("unhr-kg SPARQL endpoint", lang="en")))
    comment = (
        "SPARQL 1.1 endpoint over the UN human-rights / DPRK knowledge graph. "
        "The default graph is the union of the named graphs, each triple counted once. "
        "LOAD and dereferencing FROM are refused. "
    )
    if federated_endpoints:
        comment += "SERVICE may call only these endpoints: " + ", ".join(federated_endpoints) + "."
    else:
        comment += "SERVICE is refused."
    if writable:
        comment += (
            " SPARQL Update is open to curators with a bearer token; every write is "
            "SHACL-validated and kept as a change set."
        )
    else:
        comment += " Read-only: no write token is configured, so updates are refused."
    if limits:
        comment += " " + limits
    g.add((service, RDFS.comment, Literal(comment, lang="en")))
    g.add((service, DCTERMS.hasVersion, Literal(__version__)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode()
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    for stats in graphs:
        named = BNode()
        inner = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(stats.name)))
        g.add((named, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        g.add((inner, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    return g
