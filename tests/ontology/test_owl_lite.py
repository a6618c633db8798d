"""The ontology stays inside OWL Lite, documents every term, and declares every term used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.layout import discover
from kg.namespaces import UNHR

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "ontology.ttl"

#: Every construct outside OWL Lite, one row per offending triple.
OWL_LITE_LINT = """
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
SELECT ?s ?p ?o ?why WHERE {
  {
    ?s ?p ?o .
    FILTER (?p IN (owl:unionOf, owl:complementOf, owl:oneOf, owl:hasValue, owl:disjointWith,
                   owl:propertyChainAxiom, owl:hasKey, owl:qualifiedCardinality,
                   owl:minQualifiedCardinality, owl:maxQualifiedCardinality, owl:onDatatype,
                   owl:withRestrictions, owl:disjointUnionOf, owl:propertyDisjointWith,
                   owl:imports, owl:hasSelf, owl:onClass, owl:onDataRange))
    BIND ("construct outside OWL Lite" AS ?why)
  } UNION {
    ?s ?p ?o .
    FILTER (?p IN (owl:cardinality, owl:minCardinality, owl:maxCardinality))
    FILTER (xsd:integer(str(?o)) > 1)
    BIND ("cardinality other than 0 or 1" AS ?why)
  } UNION {
    ?s ?p ?o .
    FILTER (?p IN (rdfs:domain, rdfs:range) && isBlank(?o))
    BIND ("anonymous class in domain or range" AS ?why)
  } UNION {
    ?s ?p ?o .
    FILTER (?p IN (owl:equivalentClass, owl:equivalentProperty) && (isBlank(?o) || isBlank(?s)))
    BIND ("equivalence with an anonymous class" AS ?why)
  } UNION {
    ?s a ?t .
    FILTER (?t IN (owl:AllDisjointClasses, owl:AllDisjointProperties, owl:NamedIndividual,
                   owl:NegativePropertyAssertion, owl:DataRange, rdfs:Datatype))
    BIND ("OWL 2 or DL-only declaration" AS ?why)
  } UNION {
    ?s owl:intersectionOf ?list .
    ?list rdf:rest*/rdf:first ?o .
    FILTER (isBlank(?o))
    FILTER NOT EXISTS { ?o a owl:Restriction }
    BIND (owl:intersectionOf AS ?p)
    BIND ("intersection of something other than named classes and restrictions" AS ?why)
  } UNION {
    ?s owl:allValuesFrom|owl:someValuesFrom ?o .
    FILTER (isBlank(?o))
    BIND (owl:allValuesFrom AS ?p)
    BIND ("restriction on an anonymous class" AS ?why)
  }
}
"""

BAD_ONTOLOGY = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
<http://example.org/onto> a owl:Ontology ; owl:imports <http://www.w3.org/ns/org> .
ex:A a owl:Class ; owl:unionOf ( ex:B ex:C ) .
ex:B a owl:Class ; owl:disjointWith ex:C .
ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:hasValue ex:x ] ,
    [ a owl:Restriction ; owl:onProperty ex:p ; owl:cardinality "2"^^xsd:nonNegativeInteger ] ,
    [ a owl:Restriction ; owl:onProperty ex:p ; owl:maxCardinality 1 ] .
ex:D a owl:Class ; owl:complementOf ex:A .
ex:E a owl:Class ; owl:oneOf ( ex:x ex:y ) .
ex:p a owl:ObjectProperty ; rdfs:domain [ a owl:Class ; owl:unionOf ( ex:A ex:B ) ] .
"""


def lint(graph: Graph) -> list[tuple[str, str, str, str]]:
    rows = graph.query(OWL_LITE_LINT)
    return sorted((str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows)  # type: ignore[index]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def _local_terms(g: Graph, kinds: tuple[URIRef, ...]) -> list[URIRef]:
    terms = {s for k in kinds for s in g.subjects(RDF.type, k)}
    return sorted(t for t in terms if isinstance(t, URIRef) and t.startswith(str(UNHR)))


def test_ontology_is_owl_lite(ontology: Graph) -> None:
    assert lint(ontology) == []


def test_lint_finds_each_forbidden_construct() -> None:
    g = Graph().parse(data=BAD_ONTOLOGY, format="turtle")
    found = {(p.rsplit("#", 1)[-1], why) for _s, p, _o, why in lint(g)}
    assert ("unionOf", "construct outside OWL Lite") in found
    assert ("hasValue", "construct outside OWL Lite") in found
    assert ("disjointWith", "construct outside OWL Lite") in found
    assert ("complementOf", "construct outside OWL Lite") in found
    assert ("oneOf", "construct outside OWL Lite") in found
    assert ("imports", "construct outside OWL Lite") in found
    assert ("cardinality", "cardinality other than 0 or 1") in found
    assert ("domain", "anonymous class in domain or range") in found
    # maxCardinality 1 is allowed: exactly one cardinality row.
    assert sum(1 for _s, _p, _o, why in lint(g) if why.startswith("cardinality")) == 1


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef("https://w3id.org/unhr/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) is not None
    assert ontology.value(onto, OWL.versionIRI) is not None
    dcterms = "http://purl.org/dc/terms/"
    for p in ("title", "description", "license"):
        assert ontology.value(onto, URIRef(dcterms + p)) is not None, p
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [onto]


def _has_en(g: Graph, s: URIRef, p: URIRef) -> bool:
    return any(isinstance(o, Literal) and o.language == "en" for o in g.objects(s, p))


def test_every_term_is_documented(ontology: Graph) -> None:
    classes = _local_terms(ontology, (OWL.Class,))
    props = _local_terms(ontology, (OWL.ObjectProperty, OWL.DatatypeProperty))
    assert len(classes) >= 70, len(classes)
    assert len(props) >= 100, len(props)
    for term in classes + props:
        assert _has_en(ontology, term, RDFS.label), f"{term}: no rdfs:label@en"
        assert _has_en(ontology, term, RDFS.comment), f"{term}: no rdfs:comment@en"
    for prop in props:
        assert ontology.value(prop, RDFS.domain) is not None, f"{prop}: no rdfs:domain"
        assert ontology.value(prop, RDFS.range) is not None, f"{prop}: no rdfs:range"


def test_domains_and_ranges_are_ours_or_datatypes(ontology: Graph) -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for prop in _local_terms(ontology, (OWL.ObjectProperty, OWL.DatatypeProperty)):
        dom = ontology.value(prop, RDFS.domain)
        rng = ontology.value(prop, RDFS.range)
        assert isinstance(dom, URIRef) and dom.startswith(str(UNHR)), f"{prop} domain {dom}"
        assert (dom, RDF.type, OWL.Class) in ontology, f"{prop}: domain {dom} not declared"
        if (prop, RDF.type, OWL.DatatypeProperty) in ontology:
            assert rng == RDFS.Literal or str(rng).startswith(xsd), f"{prop} range {rng}"
        else:
            assert isinstance(rng, URIRef) and rng.startswith(str(UNHR)), f"{prop} range {rng}"
            assert (rng, RDF.type, OWL.Class) in ontology, f"{prop}: range {rng} not declared"


def test_imprecise_dates_document_their_datatypes(ontology: Graph) -> None:
    dates = [
        p
        for p in _local_terms(ontology, (OWL.DatatypeProperty,))
        if ontology.value(p, RDFS.range) == RDFS.Literal
        and p.split("#")[1] not in ("venue", "topic", "basedIn")
    ]
    assert len(dates) == 9, dates
    for p in dates:
        comment = str(ontology.value(p, RDFS.comment))
        for dt in ("xsd:date", "xsd:gYearMonth", "xsd:gYear"):
            assert dt in comment, f"{p}: comment does not name {dt}"


def test_external_terms_are_declared_locally(ontology: Graph) -> None:
    """Every non-unhr IRI used as a class or property in an axiom is declared with a label."""
    builtin = (
        "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2001/XMLSchema#",
    )
    used: set[URIRef] = set()
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.inverseOf, RDFS.domain, RDFS.range):
        for s, o in ontology.subject_objects(p):
            used.update(t for t in (s, o) if isinstance(t, URIRef))
    used.update(o for o in ontology.objects(None, OWL.onProperty) if isinstance(o, URIRef))
    external = sorted(
        t for t in used if not t.startswith(str(UNHR)) and not str(t).startswith(builtin)
    )
    assert len(external) >= 30
    for t in external:
        assert (t, RDF.type, None) in ontology, f"{t} is used but not declared"
        assert ontology.value(t, RDFS.label) is not None, f"{t} has no label"


def test_reused_properties_of_the_contract_are_declared(ontology: Graph) -> None:
    dcterms = "http://purl.org/dc/terms/"
    org = "http://www.w3.org/ns/org#"
    names = [
        dcterms + n
        for n in ("source", "title", "creator", "publisher", "issued", "identifier", "license")
    ]
    names += [org + n for n in ("subOrganizationOf", "hasSubOrganization", "unitOf")]
    names += ["http://www.w3.org/2004/02/skos/core#altLabel"]
    for n in names:
        t = URIRef(n)
        kinds = set(ontology.objects(t, RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}, n
        assert _has_en(ontology, t, RDFS.label) and _has_en(ontology, t, RDFS.comment), n


def test_contract_terms_are_declared(ontology: Graph) -> None:
    """Every unhr: term docs/modelling.md names (prefixed or in the class list) is declared."""
    text = (ROOT / "docs" / "modelling.md").read_text(encoding="utf-8")
    classes = text[text.index("## Classes") : text.index("## Properties")]
    names = set(re.findall(r"`(?:unhr:)?([A-Z][A-Za-z0-9]*)`", classes))
    names |= set(re.findall(r"unhr:([A-Za-z][A-Za-z0-9]*)", text))
    assert len(names) >= 120, len(names)
    missing = sorted(n for n in names if (UNHR[n], RDF.type, None) not in ontology)
    assert missing == []


def _used_unhr_terms(path: Path) -> set[str]:
    g = Graph().parse(path, format="turtle")
    found: set[str] = set()
    for triple in g:
        for t in triple:
            if isinstance(t, URIRef) and t.startswith(str(UNHR)):
                found.add(t[len(str(UNHR)) :])
            elif isinstance(t, Literal) and t.datatype and t.datatype.startswith(str(UNHR)):
                found.add(t.datatype[len(str(UNHR)) :])
    return found


def test_every_used_unhr_term_is_declared(ontology: Graph) -> None:
    files = [gf.path for gf in discover(ROOT, dirs=("ontology", "shapes", "data"))]
    assert len(files) >= 3  # ontology, vocabularies, shapes at least
    declared = {
        t[len(str(UNHR)) :]
        for t in ontology.subjects(RDF.type, None)
        if isinstance(t, URIRef) and t.startswith(str(UNHR))
    }
    undeclared: dict[str, list[str]] = {}
    for path in files:
        for name in sorted(_used_unhr_terms(path) - declared):
            undeclared.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert undeclared == {}
