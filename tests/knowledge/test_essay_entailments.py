"""The essay's new terms sit under the ontology's general terms, so graph/inferred answers
role-agnostic and kind-agnostic questions about them (issue 10).

The repository is loaded the way the server loads it (with the ``inferred`` graph); what each
question must find is derived with rdflib from the ontology's sub-class and sub-property axioms
and the data files, and the stored data holds none of it (no entailment is stored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from kg.layout import discover
from kg.namespaces import INFERRED_GRAPH
from kg.startup import prepare_store
from kg.store.base import Store
from tests.conftest import make_settings

UNHR = Namespace("https://w3id.org/unhr/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ID = "https://w3id.org/unhr/id/"
ESSAY = "https://w3id.org/unhr/graph/un-indispensable-2024"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[Store]:
    s = prepare_store(
        make_settings(repo_root, data_dir=tmp_path_factory.mktemp("kg")), progress=False
    )
    yield s
    s.close()


@pytest.fixture(scope="module")
def ontology(repo_root: Path) -> Graph:
    g = Graph()
    for gf in discover(repo_root, ("ontology",)):
        g.parse(gf.path, format="turtle")
    return g


@pytest.fixture(scope="module")
def data(repo_root: Path) -> Graph:
    g = Graph()
    for gf in discover(repo_root, ("data",)):
        g.parse(gf.path, format="turtle")
    return g


def sub_properties(ontology: Graph, prop: URIRef) -> set[URIRef]:
    return {p for p in ontology.transitive_subjects(RDFS.subPropertyOf, prop)}


def found(store: Store, query: str) -> set[tuple[str, ...]]:
    result = store.select(query)
    return {tuple(str(row[v]) for v in result.variables) for row in result}


@pytest.mark.parametrize(
    ("general", "specific"),
    [
        (UNHR.about, UNHR.stanceOn),
        (UNHR.involves, UNHR.attendee),
        (UNHR.involves, UNHR.actor),
        (DCTERMS.isPartOf, UNHR.inSeries),
        (DCTERMS.relation, DCTERMS.references),
        (DCTERMS.relation, DCTERMS.isVersionOf),
    ],
)
def test_a_new_property_is_found_by_its_super_property(
    store: Store, ontology: Graph, data: Graph, general: URIRef, specific: URIRef
) -> None:
    assert specific in sub_properties(ontology, general)
    used = set(data.subject_objects(specific))
    assert used, f"{specific} is stored nowhere"
    answer = found(store, f"SELECT ?s ?o WHERE {{ ?s <{general}> ?o }}")
    assert {(str(s), str(o)) for s, o in used} <= answer
    # ... and nothing of it is stored in a source graph (graph/inferred holds it).
    if (None, general, None) not in data:
        stored = found(
            store,
            f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{general}> ?o }} "
            f"FILTER(?g != <{INFERRED_GRAPH}>) }}",
        )
        assert stored == set()


def test_stances_and_statements_about_the_council_in_one_pattern(store: Store) -> None:
    about = found(
        store,
        f"SELECT ?x WHERE {{ GRAPH <{ESSAY}> {{ ?x ?p <{ID}org/unsc> }} "
        f"?x <{UNHR.about}> <{ID}org/unsc> }}",
    )
    assert {
        (f"{ID}stance/chn/opposes-unsc-consideration-of-dprk-human-rights",),
        (f"{ID}stance/kor/supports-unsc-consideration-of-dprk-human-rights",),
        (f"{ID}document/world-summit/2005-outcome",),
    } <= about


def test_new_classes_are_activities(store: Store, ontology: Graph, data: Graph) -> None:
    for cls in (UNHR.MeetingSeries, UNHR.Incident):
        assert UNHR.Activity in set(ontology.transitive_objects(cls, RDFS.subClassOf))
        members = {(str(s),) for s in data.subjects(RDF.type, cls)}
        assert members
        activities = found(store, f"SELECT ?x WHERE {{ ?x a <{UNHR.Activity}> }}")
        assert members <= activities


def test_the_attendee_shortcut_names_its_role(ontology: Graph) -> None:
    role = URIRef(f"{ID}vocab/role/attendee")
    assert ontology.value(UNHR.attendee, UNHR.shortcutRole) == role
