"""The journal of change sets never loses an acknowledged change set silently.

Every start either gives back every acknowledged change set, or refuses with a message naming
the file and the record. Only a last write that was cut short before it was acknowledged is
dropped, and then after a copy of the file is moved aside.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from tests.support import GRAPH

from kg.store.base import ChangeSet, Purge
from kg.store.journal import Journal, JournalDamaged, cut
from kg.terms import BNode, Quad, URIRef, literal


def change(n: int) -> ChangeSet:
    graph = URIRef(f"{GRAPH}changeset/cs{n}")
    node = BNode(f"b{n}")
    return ChangeSet(
        id=f"cs{n}",
        added=(
            Quad(URIRef("urn:x:s"), URIRef("urn:x:p"), literal(f"value {n}"), graph),
            Quad(URIRef("urn:x:s"), URIRef("urn:x:q"), node, graph),
            Quad(
                node,
                URIRef("urn:x:r"),
                literal(str(n), datatype="http://www.w3.org/2001/XMLSchema#integer"),
                graph,
            ),
        ),
        removed=(Quad(URIRef("urn:x:t"), URIRef("urn:x:p"), literal(f"old {n}"), graph),),
        meta={"curator": "alice", "kind": "ingest"},
    )


def write(path: Path, count: int) -> list[ChangeSet]:
    journal = Journal(path)
    written = [change(n) for n in range(1, count + 1)]
    for c in written:
        journal.append(c)
    journal.close()
    return written


def replay(path: Path) -> list[ChangeSet]:
    journal = Journal(path)
    try:
        return list(journal.replay())
    finally:
        journal.close()


def test_journal_round_trips_change_sets(tmp_path: Path) -> None:
    written = write(tmp_path / "journal.jsonl", 3)
    assert replay(tmp_path / "journal.jsonl") == written
    # Replaying again, and appending after a replay, keeps the numbering.
    journal = Journal(tmp_path / "journal.jsonl")
    list(journal.replay())
    journal.append(change(4))
    journal.close()
    assert replay(tmp_path / "journal.jsonl") == [*written, change(4)]


def test_a_write_cut_short_before_it_was_acknowledged_is_dropped_after_a_copy(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    written = write(path, 2)
    good = path.read_bytes()
    # A crash in the middle of the third write: half a line, and the head still says two.
    with open(path, "ab") as fh:
        fh.write(json.dumps({"seq": 3, "id": "cs3", "add": "<urn:x:s> <urn:x:p>"}).encode()[:30])
    torn = path.read_bytes()
    assert replay(path) == written
    assert path.read_bytes() == good
    (aside,) = tmp_path.glob("journal.jsonl.unfinished-*")
    assert aside.read_bytes() == torn


def test_a_damaged_record_in_the_middle_stops_the_start_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    write(path, 52)
    lines = path.read_bytes().splitlines(keepends=True)
    flipped = bytearray(lines[4])
    flipped[len(flipped) // 2] ^= 0x01
    lines[4] = bytes(flipped)
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()
    with pytest.raises(JournalDamaged) as info:
        replay(path)
    message = info.value.message
    assert str(path) in message and "record 5" in message and "47 more record(s)" in message
    assert "kg journal cut 5" in message
    assert path.read_bytes() == before
    # The way out the message names: keep the four change sets before the damage.
    aside = cut(path, 5)
    assert aside.read_bytes() == before
    assert [c.id for c in replay(path)] == ["cs1", "cs2", "cs3", "cs4"]


def test_a_lost_acknowledged_record_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    write(path, 5)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:4]))  # the last acknowledged record is gone
    with pytest.raises(JournalDamaged, match=r"holds 4 complete change set\(s\), but 5"):
        replay(path)


@pytest.mark.parametrize("seed", range(8))
def test_fuzz_every_start_restores_everything_or_refuses(tmp_path: Path, seed: int) -> None:
    """Random byte flips and truncations of a journal of 50 change sets (and of its head)."""
    rng = random.Random(seed)
    path = tmp_path / "journal.jsonl"
    written = write(path, 50)
    pristine = path.read_bytes()
    head = path.with_name("journal.jsonl.head")
    pristine_head = head.read_bytes()
    outcomes = {"restored": 0, "refused": 0}
    for _ in range(25):
        data = bytearray(pristine)
        head_data = bytearray(pristine_head)
        kind = rng.choice(["flip", "flips", "truncate", "flip+truncate", "head"])
        if "flip" in kind:
            for _ in range(1 if kind != "flips" else rng.randint(2, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        if "truncate" in kind:
            del data[rng.randrange(len(data)) :]
        if kind == "head":
            head_data[rng.randrange(len(head_data))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(data))
        head.write_bytes(bytes(head_data))
        try:
            got = replay(path)
        except JournalDamaged as exc:
            assert str(path) in exc.message or str(head) in exc.message
            assert "will not start" in exc.message
            outcomes["refused"] += 1
        else:
            assert got == written, f"{kind}: a start gave back {len(got)} of 50 change sets"
            outcomes["restored"] += 1
        for stray in tmp_path.glob("journal.jsonl.*-*"):
            stray.unlink()
    assert outcomes["refused"] > 0


SECRET = "value 2"
GRAPH_M = URIRef(f"{GRAPH}metadata")


def scrub(c: ChangeSet) -> ChangeSet:
    """The edit a redaction of change set 2's literal would make."""
    added = tuple(q for q in c.added if str(q.o) != SECRET)
    return c if added == c.added else ChangeSet(c.id, c.removed, added, c.meta)


def redaction_record() -> ChangeSet:
    return ChangeSet(
        id="cs-redact",
        added=(Quad(URIRef("urn:x:r"), URIRef("urn:x:redacts"), URIRef("urn:x:cs2"), GRAPH_M),),
        meta={"curator": "root", "kind": "redact"},
        purge=Purge(key="00" * 32, graphs=("g" * 64,), quads=("q" * 64,)),
    )


def test_a_rewrite_replaces_the_file_and_keeps_untouched_records_byte_for_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    written = write(path, 3)
    before = path.read_bytes().splitlines(keepends=True)
    assert SECRET.encode() in before[1]
    journal = Journal(path)
    assert list(journal.replay()) == written
    journal.rewrite(scrub, redaction_record())
    journal.append(change(5))  # appending goes on after a rewrite
    journal.close()
    after = path.read_bytes().splitlines(keepends=True)
    assert SECRET.encode() not in path.read_bytes()
    assert after[0] == before[0] and after[2] == before[2]
    assert json.loads(after[1])["seq"] == 2 and json.loads(after[3])["seq"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.jsonl", "journal.jsonl.head"]
    replayed = replay(path)
    assert replayed == [written[0], scrub(written[1]), written[2], redaction_record(), change(5)]
    assert replayed[1] != written[1]


def test_a_rewrite_interrupted_before_its_head_is_recognised_not_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    written = write(path, 2)  # the last record is the one the rewrite changes
    head = path.with_name("journal.jsonl.head")
    old_head = head.read_bytes()
    journal = Journal(path)
    list(journal.replay())
    journal.rewrite(scrub, redaction_record())
    journal.close()
    # The server died after the rename and before the new head: the head is the old one.
    head.write_bytes(old_head)
    expected = [written[0], scrub(written[1]), redaction_record()]
    assert replay(path) == expected
    assert json.loads(head.read_bytes())["records"] == 3
    # The exception is narrow: a head that names neither state is still damage.
    head.write_bytes(json.dumps({"records": 2, "sha256": "0" * 64}).encode())
    with pytest.raises(JournalDamaged):
        replay(path)


def test_a_rewrite_that_stopped_before_its_rename_leaves_the_journal_as_it_was(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    written = write(path, 2)
    # What a rewrite leaves when it dies while writing its new file.
    path.with_name("journal.jsonl.tmp").write_bytes(b'{"seq": 1, "id": "half')
    assert replay(path) == written
    assert not path.with_name("journal.jsonl.tmp").exists()
