"""docs/modelling.md says what the data holds, and the data holds what docs/modelling.md says.

- every predicate and class stored under ``data/`` is named in the page (as ```prefix:name```);
- every ``unhr:`` term the ontology declares is named in the page, and every one named is stored
  in the data (a class: it or a sub-class types a node; a property: it is a predicate) or listed
  under "Declared but not stored", and nothing listed there is stored;
- the page's claim that no entailment is stored holds (no node typed with a class and one of its
  super-classes);
- the controlled-value table lists exactly the concepts of ``ontology/vocabularies.ttl``;
- every SPARQL example runs on the repository's graphs and returns the table shown below it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, Store
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "modelling.md"
UNHR = Namespace("https://w3id.org/unhr/ontology#")
#: The SPARQL examples of the page (update when one is added: each runs as a test).
EXAMPLES = 6
PREFIXES = {
    "unhr": "https://w3id.org/unhr/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "void": "http://rdfs.org/ns/void#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
}


def curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


@cache
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def named_in_doc() -> set[str]:
    return set(re.findall(r"`([a-z]+:[A-Za-z][A-Za-z0-9_-]*)`", doc()))


def not_stored_section() -> set[str]:
    text = doc()
    start = text.index("### Declared but not stored")
    end = text.index("\n## ", start)
    return set(re.findall(r"`(unhr:[A-Za-z0-9]+)`", text[start:end]))


@cache
def data_graph() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "data").rglob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@cache
def ontology() -> Graph:
    g = Graph()
    g.parse(ROOT / "ontology" / "ontology.ttl", format="turtle")
    return g


@cache
def vocabularies() -> Graph:
    return Graph().parse(ROOT / "ontology" / "vocabularies.ttl", format="turtle")


@cache
def _stored_predicates() -> set[str]:
    return {str(p) for p in data_graph().predicates()}


@cache
def _stored_classes() -> set[str]:
    return {str(o) for o in data_graph().objects(None, RDF.type)} | {
        str(o) for o in vocabularies().objects(None, RDF.type)
    }


def _subclasses(cls: URIRef) -> set[str]:
    return {str(cls)} | {str(s) for s in ontology().transitive_subjects(RDFS.subClassOf, cls)}


def test_every_stored_predicate_and_class_is_documented() -> None:
    named = named_in_doc()
    missing_p = sorted(curie(p) for p in _stored_predicates() if curie(p) not in named)
    assert missing_p == [], f"predicates used in data/ but not in docs/modelling.md: {missing_p}"
    missing_c = sorted(
        curie(c)
        for c in {str(o) for o in data_graph().objects(None, RDF.type)}
        if curie(c) not in named
    )
    assert missing_c == [], f"classes used in data/ but not in docs/modelling.md: {missing_c}"


def _declared_unhr() -> dict[str, URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {
        curie(str(s)): s
        for k in kinds
        for s in ontology().subjects(RDF.type, k)
        if isinstance(s, URIRef) and str(s).startswith(str(UNHR))
    }


def _is_stored(term: URIRef) -> bool:
    if (term, RDF.type, OWL.Class) in ontology():
        return bool(_subclasses(term) & _stored_classes())
    return str(term) in _stored_predicates()


def test_every_declared_term_is_documented() -> None:
    named = named_in_doc()
    missing = sorted(t for t in _declared_unhr() if t not in named)
    assert missing == [], f"declared in the ontology, not named in docs/modelling.md: {missing}"


def test_documented_terms_are_stored_or_listed_as_not_stored() -> None:
    declared = _declared_unhr()
    named = {t for t in named_in_doc() if t.startswith("unhr:")}
    undeclared = sorted(named - declared.keys())
    assert undeclared == [], f"named in docs/modelling.md but not declared: {undeclared}"
    listed = not_stored_section()
    unstored = {t for t in named if not _is_stored(declared[t])}
    assert unstored - listed == set(), "stored nowhere and not listed as not stored"
    assert {t for t in listed if _is_stored(declared[t])} == set(), "listed but stored"


def test_no_entailment_is_stored() -> None:
    """The page says each graph types a node with its most specific classes only (SKOS concepts
    also carry skos:Concept) and stores no entailed triple. (Two graphs may type one node
    differently: the 2024 essay calls S/PV.9398 a briefing, the NKDB article a meeting.)"""
    for path in sorted((ROOT / "data").rglob("*.ttl")):
        g = Graph().parse(path, format="turtle")  # one file is one named graph
        for node in set(g.subjects(RDF.type, None)):
            types = set(g.objects(node, RDF.type)) - {SKOS.Concept}
            for t in types:
                supers = {str(o) for o in ontology().transitive_objects(t, RDFS.subClassOf)}
                assert not (supers - {str(t)}) & {str(x) for x in types}, (path.name, node, t)
    for term in ("involves", "hasPart", "hasParticipation", "hasDraft"):
        assert (None, UNHR[term], None) not in data_graph(), term


def test_controlled_value_table_matches_the_vocabularies() -> None:
    text = doc()
    start = text.index("## Controlled values")
    table = text[start : text.index("\n## ", start + 3)]
    documented: dict[str, set[str]] = {}
    for scheme, concepts in re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", table, re.M):
        documented[scheme] = set(re.findall(r"`([a-z0-9-]+)`", concepts))
    v = vocabularies()
    actual: dict[str, set[str]] = {}
    for scheme in v.subjects(RDF.type, SKOS.ConceptScheme):
        name = str(scheme).rsplit("/vocab/", 1)[1]
        actual[name] = {str(v.value(c, SKOS.notation)) for c in v.subjects(SKOS.inScheme, scheme)}
    assert documented == actual


# --- examples -------------------------------------------------------------------------------


def _examples() -> list[tuple[str, list[str], list[list[str]]]]:
    out = []
    pattern = re.compile(r"```sparql\n(.*?)```\s*\n((?:\|[^\n]*\|\n)+)", re.S)
    for m in pattern.finditer(doc()):
        query, table = m.group(1), m.group(2).strip().splitlines()
        header = [c.strip() for c in table[0].strip("|").split("|")]
        rows = [[c.strip() for c in line.strip("|").split("|")] for line in table[2:]]
        out.append((query, header, rows))
    return out


def test_the_page_has_examples() -> None:
    assert len(_examples()) == EXAMPLES


@pytest.mark.parametrize("index", range(EXAMPLES))
def test_example_returns_the_table_shown(index: int, repo_store: Store) -> None:
    query, header, rows = _examples()[index]
    result = repo_store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    variables = [v.value for v in result.variables]
    assert variables == header
    got = [[sol[v].value if sol[v] is not None else "" for v in variables] for sol in result]
    assert got == rows


def test_every_kind_of_instance_iri_has_a_documented_pattern() -> None:
    """Each first path segment of an instance IRI in data/ opens a pattern of the Identifiers
    table (`state/…`, `org/…`, `curation/…` …)."""
    text = doc()
    table = text[text.index("## Identifiers") : text.index("## Classes")]
    documented = set(re.findall(r"`([a-z0-9-]+)/", table))
    base = "https://w3id.org/unhr/id/"
    used = {
        str(t)[len(base) :].split("/", 1)[0]
        for triple in data_graph()
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(base)
    }
    assert used - documented == set()
