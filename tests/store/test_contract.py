"""The store contract (:mod:`kg.store.base`), run against every backend.

A backend is a fixture that opens a store over a repository root, loads it and starts it. A new
backend (an external SPARQL engine) only adds its fixture to ``BACKENDS``; every case below then
runs against it. Expected values come from the fixture files (parsed here with rdflib) and from
the SPARQL 1.1 Update specification, not from the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph
from tests.jobs import CountGraphs, Pid, ResourceSize, Segfault, Spin
from tests.server import alive, cpu_seconds, process_tree
from tests.support import GRAPH, ID

from kg.bootstrap import Outcome, load_all
from kg.errors import NotFound, PayloadTooLarge, QueryTimeout, SparqlSyntaxError, StoreError
from kg.formats import by_name
from kg.settings import Settings
from kg.sparql.operation import Form
from kg.startup import prepare_store
from kg.store.base import ChangeSet, QueryRequest, Store, UpdateRequest
from kg.terms import DEFAULT_GRAPH, BNode, Quad, URIRef, literal

XSD = "http://www.w3.org/2001/XMLSchema#"
TARGET = f"{GRAPH}changeset/cs-test"
PRK = URIRef(f"{ID}state/PRK")
STATE = URIRef("https://w3id.org/unhr/ontology#State")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
UNHR = "https://w3id.org/unhr/ontology#"


@dataclass
class Backend:
    name: str
    persistent: bool
    open: Callable[[Path], Store]


def _oxigraph(kind: str, data_dir: Path) -> Callable[[Path], Store]:
    def open_(root: Path) -> Store:
        settings = Settings(
            root=root,
            store=kind,
            data_dir=data_dir,
            query_workers=1,
            query_timeout=10.0,
        )  # type: ignore[call-arg]
        return prepare_store(settings, progress=False)

    return open_


BACKENDS = {
    "memory": lambda tmp: Backend("memory", False, _oxigraph("memory", tmp / "var")),
    "embedded": lambda tmp: Backend("embedded", True, _oxigraph("embedded", tmp / "var")),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    factory: Callable[[Path], Backend] = BACKENDS[request.param]
    return factory(tmp_path)


@pytest.fixture()
def store(backend: Backend, mini_root: Path) -> Iterator[Store]:
    opened = backend.open(mini_root)
    try:
        yield opened
    finally:
        opened.close()


def file_triples(root: Path, name: str) -> int:
    return len(Graph().parse(root / "data" / f"{name}.ttl", format="turtle"))


def count(store: Store, where: str = "?s ?p ?o") -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(rows.rows[0]["n"])


def effect(store: Store, text: str, max_changes: int = 1000) -> tuple[set[Quad], set[Quad]]:
    delta = store.update_effect(UpdateRequest(text, TARGET, 10.0, max_changes))
    return set(delta.removed), set(delta.added)


# --------------------------------------------------------------------------- the dataset


def test_describe_counts_each_graph_as_its_file(store: Store, mini_root: Path) -> None:
    described = {g.name: g.triples for g in store.describe().graphs}
    for name in ("source-a", "source-b", "mini-sources"):
        assert described[f"{GRAPH}{name}"] == file_triples(mini_root, name)
    assert store.describe().union_default_graph is True


def test_default_graph_is_the_set_union(store: Store, mini_root: Path) -> None:
    # source-a and source-b both assert <state/PRK> a unhr:State: the union holds it once.
    assert count(store, f"<{PRK}> a <{STATE}>") == 1
    assert count(store, f"GRAPH ?g {{ <{PRK}> a <{STATE}> }}") == 2
    union: set[tuple[object, object, object]] = set()
    for name in ("source-a", "source-b", "mini-sources"):
        union.update(Graph().parse(mini_root / "data" / f"{name}.ttl", format="turtle"))
    expected = len(union)
    graphs = f"FILTER(STRSTARTS(STR(?g), '{GRAPH}source') || ?g = <{GRAPH}mini-sources>)"
    assert count(store, f"GRAPH ?g {{ ?s ?p ?o }} {graphs}") == sum(
        file_triples(mini_root, n) for n in ("source-a", "source-b", "mini-sources")
    )
    rows = store.select(
        "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
        + graphs.replace("?g", "?g")
        + " }"
    )
    assert len(rows) == expected


def test_load_is_idempotent_and_follows_file_changes(store: Store, mini_root: Path) -> None:
    version = store.version
    assert {r.outcome for r in load_all(store, mini_root, progress=False)} == {Outcome.UNCHANGED}
    assert store.version == version
    path = mini_root / "data" / "source-b.ttl"
    path.write_text(path.read_text().replace('"2010"', '"2011"'))
    changed = {r.name: r.outcome for r in load_all(store, mini_root, progress=False)}
    assert changed["source-b"] is Outcome.LOADED and changed["source-a"] is Outcome.UNCHANGED
    assert store.version > version
    assert count(store, f'?s ?p "2010"^^<{XSD}gYear>') == 0
    assert count(store, f'?s ?p "2011"^^<{XSD}gYear>') == 1
    path.unlink()
    dropped = {r.name: r.outcome for r in load_all(store, mini_root, progress=False)}
    assert dropped["source-b"] is Outcome.DROPPED
    assert f"{GRAPH}source-b" not in store.describe().graph_names()
    # The shared triple stays in the union while source-a still asserts it.
    assert count(store, f"<{PRK}> a <{STATE}>") == 1


# --------------------------------------------------------------------------- reading


def test_select_answers_terms_and_a_quad_read_back_can_be_removed(store: Store) -> None:
    added = (
        Quad(PRK, URIRef("urn:x:n"), literal("7", datatype=XSD + "integer"), URIRef(TARGET)),
        Quad(PRK, URIRef("urn:x:n"), literal("sometime", datatype=XSD + "gYear"), URIRef(TARGET)),
        Quad(PRK, URIRef("urn:x:n"), literal("Nordkorea", lang="de"), URIRef(TARGET)),
    )
    store.apply(ChangeSet("cs-lex", added=added))
    rows = store.select(f"SELECT ?n WHERE {{ <{PRK}> <urn:x:n> ?n }}")
    assert {(str(v), getattr(v, "datatype", None)) for v in rows.values("n")} == {
        ("7", URIRef(XSD + "integer")),
        ("sometime", URIRef(XSD + "gYear")),
        ("Nordkorea", None),
    }
    # Reading quads back gives the stored quads exactly, so they can be removed again.
    found = store.quads(PRK, URIRef("urn:x:n"), None, URIRef(TARGET))
    assert set(found) == set(added)
    store.apply(ChangeSet("cs-lex-2", removed=tuple(found)))
    assert count(store, f"<{PRK}> <urn:x:n> ?n") == 0


def test_select_binds_terms_never_text(store: Store) -> None:
    rows = store.select(
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        bindings={"s": PRK},
    )
    assert [str(r["label"]) for r in rows] == ["Democratic People's Republic of Korea"]
    hostile = literal('"} ; DROP ALL #')
    assert len(store.select("SELECT ?o WHERE { ?s ?p ?o }", bindings={"o": hostile})) == 0


def test_row_caps(store: Store) -> None:
    rows = store.select("SELECT ?s WHERE { ?s ?p ?o }", max_rows=3)
    assert len(rows) == 3 and rows.truncated
    response = store.query(
        QueryRequest("SELECT ?s WHERE { ?s ?p ?o }", Form.SELECT, by_name("csv"), 2, 10.0)
    )
    assert response.truncated and response.rows == 2
    assert len(response.body.decode().strip().splitlines()) == 3  # header and two rows


def test_quads_of_the_default_graph_are_the_union(store: Store) -> None:
    in_union = store.quads(PRK, RDF_TYPE, STATE, DEFAULT_GRAPH)
    everywhere = store.quads(PRK, RDF_TYPE, STATE)
    assert len(in_union) == 1
    assert {str(q.g) for q in everywhere} == {
        str(DEFAULT_GRAPH),
        f"{GRAPH}source-a",
        f"{GRAPH}source-b",
    }


def test_query_serialises_in_the_requested_format(store: Store) -> None:
    response = store.query(
        QueryRequest(
            f"CONSTRUCT {{ <{PRK}> ?p ?o }} WHERE {{ <{PRK}> ?p ?o }}",
            Form.CONSTRUCT,
            by_name("ntriples"),
            100,
            10.0,
        )
    )
    graph = Graph().parse(data=response.body.decode(), format="nt")
    assert len(graph) == response.rows == 4


def test_jobs_read_the_store_and_its_prepared_resources(store: Store) -> None:
    assert store.run(CountGraphs()) == len(store.describe().graphs)
    assert store.run(ResourceSize("ontology")) == 2  # the mini ontology's two triples


def test_syntax_errors_are_positioned(store: Store) -> None:
    with pytest.raises(SparqlSyntaxError) as info:
        store.select("SELECT ?s WHERE { ?s ?p }")
    assert info.value.details["line"] == 1


# --------------------------------------------------------------------------- writing


def test_apply_is_versioned_and_keeps_triples_other_graphs_assert(store: Store) -> None:
    before = store.version
    store.apply(ChangeSet("r1", removed=(Quad(PRK, RDF_TYPE, STATE, URIRef(f"{GRAPH}source-b")),)))
    assert store.version > before
    assert count(store, f"<{PRK}> a <{STATE}>") == 1  # source-a still asserts it
    store.apply(ChangeSet("r2", removed=(Quad(PRK, RDF_TYPE, STATE, URIRef(f"{GRAPH}source-a")),)))
    assert count(store, f"<{PRK}> a <{STATE}>") == 0
    described = {g.name: g.triples for g in store.describe().graphs}
    assert described[f"{GRAPH}source-b"] == 2


def test_a_graph_emptied_by_a_change_disappears(store: Store) -> None:
    quads = store.quads(None, None, None, URIRef(f"{GRAPH}source-b"))
    store.apply(ChangeSet("empty", removed=tuple(quads)))
    assert f"{GRAPH}source-b" not in store.describe().graph_names()


def test_persistent_backends_replay_their_change_sets(backend: Backend, mini_root: Path) -> None:
    store = backend.open(mini_root)
    quad = Quad(URIRef("urn:x:s"), URIRef("urn:x:p"), literal("kept"), URIRef(TARGET))
    try:
        store.apply(ChangeSet("cs-kept", added=(quad,)))
    finally:
        store.close()
    reopened = backend.open(mini_root)
    try:
        assert count(reopened, "<urn:x:s> <urn:x:p> ?o") == (1 if backend.persistent else 0)
    finally:
        reopened.close()


# --------------------------------------------------------------------------- update effects


def test_update_effect_of_data_operations(store: Store) -> None:
    removed, added = effect(store, 'PREFIX x: <urn:x:> INSERT DATA { x:a x:p "1" }')
    assert added == {Quad(URIRef("urn:x:a"), URIRef("urn:x:p"), literal("1"), URIRef(TARGET))}
    assert not removed
    # Deleting a triple that is not there changes nothing; deleting from the union removes the
    # triple from every graph that asserts it.
    assert effect(store, 'DELETE DATA { <urn:x:a> <urn:x:p> "1" }') == (set(), set())
    removed, added = effect(store, f"DELETE DATA {{ <{PRK}> a <{STATE}> }}")
    assert {str(q.g) for q in removed} == {f"{GRAPH}source-a", f"{GRAPH}source-b"}
    assert not added
    # Nothing was applied.
    assert count(store, f"<{PRK}> a <{STATE}>") == 1


def test_update_effect_of_where_operations(store: Store) -> None:
    removed, added = effect(store, f"INSERT {{ ?s <urn:x:seen> true }} WHERE {{ ?s a <{STATE}> }}")
    assert not removed
    assert {q.s for q in added} == {PRK, URIRef(f"{ID}state/KOR")}
    assert {q.g for q in added} == {URIRef(TARGET)}
    # A blank node in an INSERT template is a new node for every solution.
    _, added = effect(
        store, f"INSERT {{ ?s <urn:x:note> [ <urn:x:v> 1 ] }} WHERE {{ ?s a <{STATE}> }}"
    )
    notes = {q.o for q in added if q.p == URIRef("urn:x:note")}
    assert len(notes) == 2 and all(isinstance(n, BNode) for n in notes)
    # WITH names the graph the templates write and the WHERE reads.
    removed, _ = effect(
        store,
        f"WITH <{GRAPH}source-b> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{PRK}>) }}",
    )
    assert removed == {Quad(PRK, RDF_TYPE, STATE, URIRef(f"{GRAPH}source-b"))}


def test_update_operations_see_the_effect_of_earlier_ones(store: Store) -> None:
    # SPARQL 1.1 Update: operations run in order, each on the result of the previous one.
    removed, added = effect(
        store,
        'INSERT DATA { <urn:x:a> <urn:x:p> "1" } ; '
        "INSERT { <urn:x:b> <urn:x:q> ?o } WHERE { ?x <urn:x:p> ?o }",
    )
    assert not removed
    assert {(str(q.s), str(q.o)) for q in added} == {("urn:x:a", "1"), ("urn:x:b", "1")}
    # An insert then a delete of the same triple: no net change.
    assert effect(
        store, 'INSERT DATA { <urn:x:a> <urn:x:p> "1" } ; DELETE WHERE { <urn:x:a> ?p ?o }'
    ) == (set(), set())


def test_update_effect_of_graph_management(store: Store) -> None:
    b = f"{GRAPH}source-b"
    removed, _ = effect(store, f"CLEAR GRAPH <{b}>")
    assert len(removed) == 3 and {str(q.g) for q in removed} == {b}
    _, added = effect(store, f"COPY <{b}> TO <urn:x:g>")
    assert len(added) == 3 and {str(q.g) for q in added} == {"urn:x:g"}
    removed, added = effect(store, f"MOVE <{b}> TO <urn:x:g>")
    assert len(removed) == 3 and len(added) == 3
    with pytest.raises(NotFound, match="urn:x:missing"):
        effect(store, "DROP GRAPH <urn:x:missing>")
    assert effect(store, "DROP SILENT GRAPH <urn:x:missing>") == (set(), set())


def test_update_effect_is_bounded(store: Store) -> None:
    with pytest.raises(PayloadTooLarge):
        effect(store, "INSERT { ?a <urn:x:p> ?c } WHERE { ?a ?b ?c . ?d ?e ?f }", max_changes=10)
    with pytest.raises(SparqlSyntaxError) as info:
        effect(store, 'INSERT DATA { <urn:x:a> <urn:x:p> "1" ')
    assert info.value.details["column"] > 0


# --------------------------------------------------------------------------- deadlines


def assert_cpu_freed(store: Store, started: float, deadline: float) -> None:
    """Stopped within deadline + 1 s, and no process of the store burns CPU afterwards."""
    assert time.monotonic() - started < deadline + 1
    tree = process_tree(store.process_ids()["store"])  # type: ignore[attr-defined]
    first = cpu_seconds(tree)
    time.sleep(1.0)
    spent = cpu_seconds(tree) - first
    assert spent < 0.1, f"the store's processes used {spent:.2f} s of CPU after the deadline"


RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y . "
    "?q ?r ?t . ?u ?v ?w }"
)


def test_a_runaway_query_is_stopped_and_its_cpu_freed(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query(QueryRequest(RUNAWAY, Form.SELECT, by_name("json"), 10, 1.0))
    assert_cpu_freed(store, started, 1.0)
    assert count(store) > 0  # and the store keeps answering


def test_a_runaway_internal_read_is_stopped(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.select(RUNAWAY, timeout=1.0)
    assert_cpu_freed(store, started, 1.0)


def test_a_runaway_update_is_stopped(store: Store) -> None:
    started = time.monotonic()
    text = (
        "INSERT { <urn:x:n> <urn:x:v> ?n } WHERE { SELECT" + RUNAWAY.removeprefix("SELECT") + " }"
    )
    with pytest.raises(QueryTimeout):
        store.update_effect(UpdateRequest(text, TARGET, 1.0, 1000))
    assert_cpu_freed(store, started, 1.0)


def test_a_runaway_job_is_stopped_even_in_python_code(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.run(Spin(), timeout=1.0)
    assert_cpu_freed(store, started, 1.0)
    tree = process_tree(store.process_ids()["store"])  # type: ignore[attr-defined]
    assert store.run(Pid()) in tree


def test_a_crashing_worker_fails_its_request_only(store: Store) -> None:
    with pytest.raises(StoreError, match="died"):
        store.run(Segfault())
    assert count(store) > 0
    first = store.run(Pid())
    assert alive({first})


def test_blank_nodes_replay_to_exactly_the_state_they_produced(
    backend: Backend, mini_root: Path
) -> None:
    """Delete a blank-node-heavy graph, revert it, restart: the graph is as its file says."""
    (mini_root / "data" / "nested.ttl").write_text(
        "@prefix x: <urn:x:> .\n"
        + "".join(
            f"x:s{i} x:p [ x:q {i} ; x:r [ x:q {i} ; x:r ( x:a x:b [ x:c {i} ] ) ] ] .\n"
            for i in range(30)
        )
    )
    expected = file_triples(mini_root, "nested")
    graph = URIRef(f"{GRAPH}nested")
    store = backend.open(mini_root)
    try:
        quads = store.quads(None, None, None, graph)
        assert len(quads) == expected
        store.apply(ChangeSet("cs-drop", removed=tuple(quads)))
        store.apply(ChangeSet("cs-back", added=tuple(quads)))
        assert len(store.quads(None, None, None, graph)) == expected
    finally:
        store.close()
    reopened = backend.open(mini_root)
    try:
        again = reopened.quads(None, None, None, graph)
        assert len(again) == expected
        assert {q for q in again} == set(quads)
        assert count(reopened, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == expected
    finally:
        reopened.close()


def test_a_runaway_validation_is_stopped(backend: Backend, repo_root: Path) -> None:
    """SHACL validation runs where a deadline can stop it too (a large upload, a short deadline)."""
    from kg.curation.checks import ValidateChange

    store = backend.open(repo_root)
    try:
        graph = URIRef(f"{GRAPH}upload")
        added = tuple(
            Quad(URIRef(f"{ID}org/ngo/bulk-{n}"), RDF_TYPE, URIRef(f"{UNHR}NGO"), graph)
            for n in range(20_000)
        )
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            store.run(ValidateChange((), added), timeout=1.0)
        assert_cpu_freed(store, started, 1.0)
        # A small validation still answers.
        report = store.run(ValidateChange((), added[:1]), timeout=30.0)
        assert not report.conforms  # an NGO without a label or a source
    finally:
        store.close()
