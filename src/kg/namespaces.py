"""Namespaces and IRI bases used across the project."""

from __future__ import annotations

from rdflib import Namespace

BASE = "https://w3id.org/unhr/"
UNHR = Namespace(BASE + "ontology#")
UNHRSH = Namespace(BASE + "shapes#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("http://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "unhr": str(UNHR),
    "unhrsh": str(UNHRSH),
    "id": str(ID),
    "org": str(ORG),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": str(SCHEMA),
    "eli": str(ELI),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": str(WD),
}


def graph_iri(name: str) -> str:
    """The IRI of the named graph called ``name``."""
    return f"{GRAPH}{name}"


#: Server-maintained graphs: provenance and load bookkeeping, the canned-query catalogue, and
#: the entailments of the ontology (none of them is written by curators).
METADATA_GRAPH = graph_iri("metadata")
CATALOGUE_GRAPH = graph_iri("queries")
INFERRED_GRAPH = graph_iri("inferred")
