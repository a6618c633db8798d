"""The journal of change sets: a torn tail is cut, a corrupted record is not replayed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import GRAPH

from kg.store.base import ChangeSet
from kg.store.journal import Journal
from kg.terms import Quad, URIRef, literal


def _changes(n: int) -> ChangeSet:
    quad = Quad(
        URIRef("urn:x:s"), URIRef("urn:x:p"), literal(str(n)), URIRef(f"{GRAPH}changeset/cs{n}")
    )
    return ChangeSet(id=f"cs{n}", added=(quad,), meta={"comment": f"change {n}"})


def test_journal_round_trips_change_sets(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.append(_changes(1))
    journal.close()
    (replayed,) = Journal(tmp_path / "journal.jsonl").replay()
    assert replayed == _changes(1)


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
