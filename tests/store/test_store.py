"""Store backends: idempotent loads, the set-union default graph, durability."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad
from tests.support import GRAPH

from kg.bootstrap import Outcome, load_all
from kg.formats import RESULT_FORMATS
from kg.settings import Settings
from kg.sparql.evaluate import QueryRequest
from kg.sparql.operation import Form
from kg.store import ChangeSet, open_store
from kg.store.journal import Journal
from kg.store.oxigraph import OxigraphStore

CSV = RESULT_FORMATS[2]


def count(store: OxigraphStore, where: str = "?s ?p ?o") -> int:
    request = QueryRequest(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", Form.SELECT, CSV, 10, 10.0
    )
    return int(store.execute(request).body.split()[1])


@pytest.mark.parametrize("kind", ["memory", "embedded", "disk"])
def test_load_is_idempotent_and_follows_file_changes(mini_root: Path, kind: str) -> None:
    store = open_store(
        Settings(root=mini_root, store=kind, data_dir=mini_root / "var", query_workers=0)
    )
    try:
        first = load_all(store, mini_root, progress=False)
        assert {r.outcome for r in first} == {Outcome.LOADED}
        triples = store.quad_count()
        second = load_all(store, mini_root, progress=False)
        assert {r.outcome for r in second} == {Outcome.UNCHANGED}
        assert store.quad_count() == triples
        # A changed file replaces its graph: the old triple goes, the new one comes.
        path = mini_root / "data" / "source-b.ttl"
        path.write_text(path.read_text().replace('"2010"', '"2011"'))
        third = {r.name: r.outcome for r in load_all(store, mini_root, progress=False)}
        assert third["source-b"] is Outcome.LOADED and third["source-a"] is Outcome.UNCHANGED
        assert count(store, '?s ?p "2010"^^<http://www.w3.org/2001/XMLSchema#gYear>') == 0
        assert count(store, '?s ?p "2011"^^<http://www.w3.org/2001/XMLSchema#gYear>') == 1
        # The shared triple stays in the default graph while one graph still asserts it.
        prk = "<https://w3id.org/unhr/id/state/PRK> a ?c"
        assert count(store, prk) == 1
        path.unlink()
        dropped = {r.name: r.outcome for r in load_all(store, mini_root, progress=False)}
        assert dropped["source-b"] is Outcome.DROPPED
        assert f"{GRAPH}source-b" not in store.graph_names()
        assert count(store, prk) == 1
    finally:
        store.close()


def test_disk_store_keeps_data_across_reopen(mini_root: Path) -> None:
    settings = Settings(root=mini_root, store="disk", data_dir=mini_root / "var", query_workers=0)
    store = open_store(settings)
    load_all(store, mini_root, progress=False)
    n = count(store)
    store.close()
    del store
    reopened = open_store(settings)
    try:
        assert count(reopened) == n
        assert {r.outcome for r in load_all(reopened, mini_root, progress=False)} == {
            Outcome.UNCHANGED
        }
    finally:
        reopened.close()


def _changes(n: int) -> ChangeSet:
    return ChangeSet(
        id=f"cs{n}",
        add_nquads=f'<urn:x:s> <urn:x:p> "{n}" <{GRAPH}changeset/cs{n}> .\n',
        meta={"comment": f"change {n}"},
    )


def test_embedded_store_replays_journalled_change_sets(mini_root: Path) -> None:
    settings = Settings(
        root=mini_root, store="embedded", data_dir=mini_root / "var", query_workers=0
    )
    store = open_store(settings)
    load_all(store, mini_root, progress=False)
    store.apply(_changes(1))
    store.apply(_changes(2))
    store.close()
    reopened = open_store(settings)
    try:
        load_all(reopened, mini_root, progress=False)
        assert reopened.replay_journal() == 2
        assert count(reopened, "<urn:x:s> <urn:x:p> ?o") == 2
    finally:
        reopened.close()


def test_journal_drops_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append(_changes(1))
    journal.append(_changes(2))
    journal.close()
    good = path.read_bytes()
    # A crash in the middle of the third write leaves half a line.
    with open(path, "ab") as fh:
        fh.write(json.dumps({"id": "cs3", "add": "<urn:x:s> <urn:x:p>"}).encode()[:30])
    replayed = [c.id for c in Journal(path).replay()]
    assert replayed == ["cs1", "cs2"]
    assert path.read_bytes() == good


def test_journal_refuses_a_corrupted_record(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append(_changes(1))
    journal.close()
    record = json.loads(path.read_text())
    record["add"] = record["add"].replace('"1"', '"999"')
    with open(path, "a") as fh:
        fh.write(json.dumps(record) + "\n")
    assert [c.id for c in Journal(path).replay()] == ["cs1"]


def test_change_set_removal_keeps_triples_other_graphs_assert(mini_root: Path) -> None:
    store = OxigraphStore(kind="memory")
    try:
        store.add_quads(
            [
                Quad(
                    NamedNode("urn:x:s"), NamedNode("urn:x:p"), Literal("v"), NamedNode("urn:g:1")
                ),
                Quad(
                    NamedNode("urn:x:s"), NamedNode("urn:x:p"), Literal("v"), NamedNode("urn:g:2")
                ),
            ]
        )
        assert count(store, "<urn:x:s> ?p ?o") == 1
        store.apply(ChangeSet(id="r", remove_nquads='<urn:x:s> <urn:x:p> "v" <urn:g:1> .\n'))
        assert count(store, "<urn:x:s> ?p ?o") == 1
        store.apply(ChangeSet(id="r2", remove_nquads='<urn:x:s> <urn:x:p> "v" <urn:g:2> .\n'))
        assert count(store, "<urn:x:s> ?p ?o") == 0
    finally:
        store.close()


def test_disk_store_answers_in_threads_and_sees_writes(mini_root: Path) -> None:
    from kg.startup import prepare_store

    settings = Settings(
        root=mini_root, store="disk", data_dir=mini_root / "var", query_workers=2, query_timeout=5.0
    )
    store = prepare_store(settings, progress=False)
    try:
        n = count(store)
        store.apply(_changes(7))
        assert count(store) == n + 1
        assert count(store, "<urn:x:s> <urn:x:p> ?o") == 1
    finally:
        store.close()
