"""Entailments: the rules the ontology declares, and the ``inferred`` graph kept current.

Expected values come from the axioms written in each test or read with rdflib from the
repository's files, and the incremental upkeep is checked against a full recomputation.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, RDFS, Graph
from tests.conftest import make_settings
from tests.support import ID

from kg.api.app import create_app
from kg.formats import by_name
from kg.inference import Rules
from kg.layout import discover
from kg.namespaces import INFERRED_GRAPH
from kg.startup import prepare_store
from kg.store.base import Store
from kg.store.oxigraph.dataset import NativeDataset
from kg.store.oxigraph.entailment import Entailment
from kg.terms import Quad, Triple, URIRef

X = "urn:x:"
OWL = "http://www.w3.org/2002/07/owl#"
UNHR = "https://w3id.org/unhr/ontology#"
ORG = "http://www.w3.org/ns/org#"


def u(name: str) -> URIRef:
    return URIRef(X + name)


ONTOLOGY = [
    Triple(u("Briefing"), RDFS.subClassOf, u("Action")),
    Triple(u("Action"), RDFS.subClassOf, u("Activity")),
    Triple(u("host"), RDFS.subPropertyOf, u("involves")),
    Triple(u("involves"), URIRef(OWL + "inverseOf"), u("involvedIn")),
    Triple(u("partner"), RDF.type, URIRef(OWL + "SymmetricProperty")),
    Triple(u("within"), RDF.type, URIRef(OWL + "TransitiveProperty")),
    Triple(u("unitOf"), RDFS.subPropertyOf, u("within")),
]


def test_rules_close_subclasses_super_properties_and_inverses() -> None:
    rules = Rules.from_triples(ONTOLOGY)
    assert set(rules.conclusions(Triple(u("b"), RDF.type, u("Briefing")))) == {
        Triple(u("b"), RDF.type, u("Action")),
        Triple(u("b"), RDF.type, u("Activity")),
    }
    # host ⊑ involves, involves inverse involvedIn: one step gives both.
    assert set(rules.conclusions(Triple(u("event"), u("host"), u("ngo")))) == {
        Triple(u("event"), u("involves"), u("ngo")),
        Triple(u("ngo"), u("involvedIn"), u("event")),
    }
    assert set(rules.conclusions(Triple(u("a"), u("partner"), u("b")))) == {
        Triple(u("b"), u("partner"), u("a"))
    }


def test_transitive_chains_reach_a_fixpoint() -> None:
    rules = Rules.from_triples(ONTOLOGY)
    data = [
        Triple(u("a"), u("unitOf"), u("b")),
        Triple(u("b"), u("within"), u("c")),
        Triple(u("c"), u("within"), u("d")),
    ]
    closed = rules.closure(data)
    assert Triple(u("a"), u("within"), u("d")) in closed
    assert Triple(u("a"), u("within"), u("c")) in closed
    assert Triple(u("d"), u("within"), u("a")) not in closed


def _repo_dataset(root: Path) -> NativeDataset:
    dataset = NativeDataset()
    for gf in discover(root):
        dataset.load_file(gf.graph, gf.path, by_name("turtle"))
    return dataset


def _ontology_graphs(root: Path) -> list[str]:
    return [gf.graph for gf in discover(root, ("ontology",))]


@pytest.mark.parametrize("seed", [20261205, 3, 5])
def test_incremental_upkeep_equals_a_full_recomputation(repo_root: Path, seed: int) -> None:
    """Random removals and re-additions of data triples, followed one change at a time, leave
    the inferred graph exactly as a recomputation from scratch would."""
    dataset = _repo_dataset(repo_root)
    entailment = Entailment(dataset, _ontology_graphs(repo_root), INFERRED_GRAPH)
    entailment.materialise()
    rng = random.Random(seed)
    data_graphs = [gf.graph for gf in discover(repo_root, ("data",))]
    removed: list[Quad] = []
    for step in range(60):
        if removed and step % 3 == 2:
            back = [removed.pop(rng.randrange(len(removed))) for _ in range(min(5, len(removed)))]
            dataset.apply([], back)
            entailment.follow(back)
            continue
        graph = rng.choice(data_graphs)
        quads = dataset.graph_quads(graph)
        picked = rng.sample(quads, min(8, len(quads)))
        dataset.apply(picked, [])
        entailment.follow(picked)
        removed.extend(picked)
    followed = {q.triple for q in dataset.graph_quads(INFERRED_GRAPH)}
    Entailment(dataset, _ontology_graphs(repo_root), INFERRED_GRAPH).materialise()
    recomputed = {q.triple for q in dataset.graph_quads(INFERRED_GRAPH)}
    assert followed == recomputed
    assert len(recomputed) > 1000


@pytest.fixture(scope="module")
def repo_store(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[Store]:
    store = prepare_store(
        make_settings(repo_root, data_dir=tmp_path_factory.mktemp("kg")), progress=False
    )
    yield store
    store.close()


def test_a_subclass_instance_is_found_by_its_superclass(repo_store: Store, repo_root: Path) -> None:
    ontology = Graph()
    for gf in discover(repo_root, ("ontology",)):
        ontology.parse(gf.path, format="turtle")
    action = URIRef(UNHR + "AdvocacyAction")
    subclasses = set(ontology.transitive_subjects(RDFS.subClassOf, action))
    data = Graph()
    for gf in discover(repo_root, ("data",)):
        data.parse(gf.path, format="turtle")
    expected = {s for c in subclasses for s in data.subjects(RDF.type, c)}
    assert len(expected) > len(set(data.subjects(RDF.type, action)))
    found = repo_store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a <{action}> }}")
    assert set(found.values("x")) == expected
    # ... and a query that leaves the inferred graph out sees only what is asserted.
    asserted = repo_store.select(
        f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a <{action}> }} "
        f"FILTER(?g != <{INFERRED_GRAPH}>) }}"
    )
    assert set(asserted.values("x")) == set(data.subjects(RDF.type, action))


def test_an_inverse_is_found_both_ways(repo_store: Store, repo_root: Path) -> None:
    data = Graph()
    for gf in discover(repo_root, ("data",)):
        data.parse(gf.path, format="turtle")
    sub = URIRef(ORG + "subOrganizationOf")
    has = URIRef(ORG + "hasSubOrganization")
    pairs = set(data.subject_objects(sub)) | {(o, s) for s, o in data.subject_objects(has)}
    assert pairs
    down = repo_store.select(f"SELECT ?child ?parent WHERE {{ ?parent <{has}> ?child }}")
    up = repo_store.select(f"SELECT ?child ?parent WHERE {{ ?child <{sub}> ?parent }}")
    as_pairs = {(r["child"], r["parent"]) for r in down}
    assert as_pairs == {(r["child"], r["parent"]) for r in up}
    assert pairs <= as_pairs


TOKEN = "entailment-token-0123456789"
NGO = f"{ID}org/ngo/entailment-test"
DOC = f"""@prefix unhr: <{UNHR}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{NGO}> a unhr:NGO ; rdfs:label "Entailment test NGO"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
"""


def test_a_write_and_its_revert_update_the_inferred_graph(mini_root: Path, repo_root: Path) -> None:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    ontology = Graph()
    for gf in discover(mini_root, ("ontology",)):
        ontology.parse(gf.path, format="turtle")
    supers = set(ontology.transitive_objects(URIRef(UNHR + "NGO"), RDFS.subClassOf))
    supers.discard(URIRef(UNHR + "NGO"))
    assert supers
    settings = make_settings(mini_root, write_tokens=f"curator:{TOKEN}")
    store = prepare_store(settings, progress=False)
    query = f"SELECT ?c WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ <{NGO}> a ?c }} }}"
    try:
        with TestClient(create_app(settings, store)) as client:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            written = client.post(
                "/changesets", content=DOC, headers={**auth, "Content-Type": "text/turtle"}
            )
            assert written.status_code == 201, written.text
            assert set(store.select(query).values("c")) == supers
            reverted = client.post(f"/changesets/{written.json()['id']}/revert", headers=auth)
            assert reverted.status_code == 201, reverted.text
            assert store.select(query).values("c") == []
    finally:
        store.close()


def test_shortcuts_and_participations_entail_each_other(repo_store: Store, repo_root: Path) -> None:
    graph = Graph()
    for gf in discover(repo_root, ("ontology", "data")):
        graph.parse(gf.path, format="turtle")
    u = {
        name: URIRef(UNHR + name) for name in ("shortcutRole", "inActivity", "participant", "role")
    }
    shortcut_of = {role: s for s, role in graph.subject_objects(u["shortcutRole"])}
    participations = {
        (act, agent, graph.value(p, u["role"]))
        for p, act in graph.subject_objects(u["inActivity"])
        for agent in graph.objects(p, u["participant"])
    }
    assert participations and shortcut_of
    # A participation entails the shortcut of its role and unhr:involves.
    wanted = {
        (act, shortcut_of[role], agent)
        for act, agent, role in participations
        if role in shortcut_of
    }
    wanted |= {(act, URIRef(UNHR + "involves"), agent) for act, agent, _ in participations}
    rows = repo_store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", max_rows=1_000_000)
    union = {(r["s"], r["p"], r["o"]) for r in rows}
    assert wanted <= union
    # A shortcut with no participation behind it entails one.
    shortcut_triples = {
        (act, s, agent) for s in shortcut_of.values() for act, agent in graph.subject_objects(s)
    }
    lonely = [
        (act, s, agent)
        for act, s, agent in shortcut_triples
        if (act, agent, next(r for r, sc in shortcut_of.items() if sc == s)) not in participations
    ]
    assert lonely
    for act, s, agent in lonely:
        role = next(r for r, sc in shortcut_of.items() if sc == s)
        found = repo_store.select(
            f"SELECT ?p WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?p <{UNHR}inActivity> <{act}> ; "
            f"<{UNHR}participant> <{agent}> ; <{UNHR}role> <{role}> }} }}"
        )
        assert len(found) == 1, (act, s, agent)


def test_replacing_a_graph_keeps_the_entailments_of_a_full_recomputation(
    tmp_path: Path, repo_root: Path
) -> None:
    """A graph replacement follows only what changed; the result is a full recomputation's."""
    store = prepare_store(make_settings(repo_root, data_dir=tmp_path / "var"), progress=False)
    try:
        graphs = [gf.graph for gf in discover(repo_root, ("data",))]
        graph = next(g for g in graphs if g.endswith("nkhr-un-advocacy"))
        quads = store.quads(g=URIRef(graph), max_rows=1_000_000)
        kept = quads[: len(quads) // 2]
        store.replace_graph(graph, kept)

        def inferred() -> set[Triple]:
            return {q.triple for q in store.quads(g=URIRef(INFERRED_GRAPH), max_rows=1_000_000)}

        followed = inferred()
        store.set_entailment(_ontology_graphs(repo_root), INFERRED_GRAPH)
        recomputed = inferred()
        assert followed == recomputed
        assert len(store.quads(g=URIRef(graph), max_rows=1_000_000)) == len(set(kept))
    finally:
        store.close()
