"""Workers follow writes by replaying them on their own copy (kg.workers.pool, engine.REPLAYABLE).

A write must not make the next reads wait for new worker processes, and a worker that replayed
the writes must hold exactly what a fresh fork of the store process holds: the quads of every
graph, the union default graph and the entailments kept in graph/inferred.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import make_settings
from tests.support import GRAPH, ID, UNHR

from kg.startup import prepare_store
from kg.store.base import ChangeSet, Store
from kg.terms import BNode, Quad, URIRef, literal
from kg.workers import pool as pool_module

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
TARGET = URIRef(f"{GRAPH}changeset/catch-up")
INFERRED = f"{GRAPH}inferred"


@pytest.fixture()
def store(repo_root: Path, tmp_path: Path) -> Iterator[Store]:
    opened = prepare_store(
        make_settings(repo_root, data_dir=tmp_path / "var", query_workers=2), progress=False
    )
    try:
        yield opened
    finally:
        opened.close()


def settle(store: Store) -> dict[str, int]:
    """Pool counts once the background thread has nothing left to do."""
    deadline = time.monotonic() + 20
    last: dict[str, int] = {}
    while time.monotonic() < deadline:
        snap = dict(store.runtime_stats())
        if snap == last and snap["idle"] >= 2:
            return snap
        last = snap
        time.sleep(0.2)
    raise AssertionError(f"the pool did not settle: {last}")


def everything(store: Store) -> set[Quad]:
    return set(store.quads(max_rows=2_000_000))


def seen(store: Store, n: int) -> bool:
    rows = store.select(f"SELECT ?p WHERE {{ <{ID}test/catch-up/{n}> ?p ?o }} LIMIT 1")
    return bool(rows.rows)


def subclass_instance(n: int) -> Quad:
    # unhr:Resolution is a subclass of other classes: its instances gain entailed types.
    return Quad(URIRef(f"{ID}test/catch-up/{n}"), RDF_TYPE, URIRef(UNHR + "Resolution"), TARGET)


def test_reads_after_writes_use_the_same_workers(store: Store) -> None:
    for _ in range(4):
        store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    before = settle(store)
    for n in range(15):
        store.apply(ChangeSet(f"cs-{n}", added=(subclass_instance(n),)))
        assert seen(store, n), f"write {n} not seen by the next read"
    after = settle(store)
    # Without replay every write retires the idle workers and forks new ones (15 writes, 2
    # idle workers: 30 forks); with it, no fork at all is needed.
    assert after["spawned"] - before["spawned"] <= 2, (before, after)
    assert after["caught_up"] - before["caught_up"] >= 15


def test_a_worker_that_replayed_holds_what_a_fresh_fork_holds(store: Store) -> None:
    # Graph replacements and drops first: they recompute every entailment, which would hide a
    # change set whose entailments a worker failed to follow.
    start = settle(store)["caught_up"]
    replaced = URIRef(f"{GRAPH}catch-up-replaced")
    store.replace_graph(str(replaced), [subclass_instance(102).in_graph(replaced)])
    store.drop_graph(f"{GRAPH}catch-up-missing")
    node = BNode()
    store.apply(
        ChangeSet(
            "cs-bnodes",
            added=(
                subclass_instance(100),
                Quad(URIRef(f"{ID}test/catch-up/100"), URIRef(UNHR + "sponsor"), node, TARGET),
                Quad(node, LABEL, literal("a sponsor without a name"), TARGET),
            ),
        )
    )
    store.set_metadata(TARGET, [(LABEL, literal("catch-up test graph"))])
    store.apply(ChangeSet("cs-later", added=(subclass_instance(101),)))
    store.apply(ChangeSet("cs-undo", removed=(subclass_instance(101),)))

    # The idle workers replayed the writes (none was re-forked for them) before this read.
    assert settle(store)["caught_up"] > start
    replayed = everything(store)
    inferred = {str(q.s) for q in replayed if str(q.g) == INFERRED}
    assert f"{ID}test/catch-up/100" in inferred, "entailments not followed"
    assert f"{ID}test/catch-up/101" not in inferred, "entailments of a removal not followed"

    # A change that workers cannot replay: every worker is replaced by a fresh fork.
    spawned = store.runtime_stats()["spawned"]
    store.prepare_resource("catch-up-test", [str(TARGET)])
    fresh = everything(store)
    assert store.runtime_stats()["spawned"] > spawned
    assert replayed == fresh


def test_a_worker_is_replaced_after_its_replay_allowance(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "MAX_REPLAYED", 3)
    store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    before = settle(store)
    for n in range(8):
        store.apply(ChangeSet(f"cs-allowance-{n}", added=(subclass_instance(200 + n),)))
        assert seen(store, 200 + n)
    after = settle(store)
    assert after["spawned"] - before["spawned"] >= 2, (before, after)
