"""docs/curation-log.md agrees with itself, with the source texts and with the source graphs.

- one section per source, in the order of the counts table, each a table with one row per
  sentence, numbered 1, 2, 3 … without gaps;
- each row either starts with a reason for leaving the sentence out (the list at the top of the
  log) or names, in backticks, the nodes that model it;
- the counts table at the top equals what the rows say, per source and for all five: sentences,
  factual sentences (all but opinions, predictions and sentences about the source itself),
  modelled, and left out by reason;
- every node a row names exists in that source's graph, so a renamed or dropped node cannot
  leave the log behind;
- each row's opening words occur in the source text, in the order of the rows.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from rdflib import URIRef

from tests.knowledge.sources import ID, ROOT, SOURCE_IDS, flat, source_graph, text

LOG = ROOT / "docs" / "curation-log.md"
REASONS = (
    "opinion",
    "prediction",
    "about the source itself",
    "not about the UN system",
    "outside scope",
    "general",
    "summary or transition",
    "already modelled elsewhere",
    "debate detail",
)
#: Left-out reasons that make a sentence not factual.
NOT_FACTUAL = ("opinion", "prediction", "about the source itself")
COLUMNS = ("sentences", "factual", "modelled", *REASONS)
ROW = re.compile(r"^\| (\d+) \| (.+?) \| (.*) \|$")
NODE = re.compile(r"`([a-z][a-z0-9-]*/[^`\s]+)`")


@cache
def log() -> str:
    return LOG.read_text(encoding="utf-8")


def section(sid: str) -> str:
    text_ = log()
    start = text_.index(f"## `{sid}`")
    end = text_.find("\n## ", start + 3)
    return text_[start : end if end != -1 else len(text_)]


def rows(sid: str) -> list[tuple[int, str, str]]:
    found = []
    for line in section(sid).splitlines():
        m = ROW.match(line)
        if m:
            found.append((int(m.group(1)), m.group(2), m.group(3)))
    return found


def status(cell: str) -> str:
    for reason in REASONS:
        if cell == reason or cell.startswith(f"{reason} ("):
            return reason
    return "modelled"


def counted(sid: str) -> dict[str, int]:
    out = dict.fromkeys(COLUMNS, 0)
    for _n, _opening, cell in rows(sid):
        out[status(cell)] += 1
        out["sentences"] += 1
    out["factual"] = out["sentences"] - sum(out[r] for r in NOT_FACTUAL)
    return out


def counts_table() -> dict[str, dict[str, int]]:
    text_ = log()
    table = text_[text_.index("## Counts") : text_.index("\n## ", text_.index("## Counts") + 3)]
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == ["source", *COLUMNS], header
    out = {}
    for line in lines[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        out[cells[0].strip("`")] = dict(zip(COLUMNS, map(int, cells[1:]), strict=True))
    return out


def test_one_section_per_source_in_table_order() -> None:
    order = [sid for sid in counts_table() if sid != "all five"]
    assert sorted(order) == sorted(SOURCE_IDS)
    positions = [log().index(f"## `{sid}`") for sid in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_rows_are_numbered_without_gaps(sid: str) -> None:
    numbers = [n for n, _o, _c in rows(sid)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 19


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_counts_table_equals_the_rows(sid: str) -> None:
    assert counts_table()[sid] == counted(sid)


def test_counts_of_all_five_are_the_sums() -> None:
    table = counts_table()
    assert table["all five"] == {c: sum(counted(sid)[c] for sid in SOURCE_IDS) for c in COLUMNS}


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_modelled_rows_name_nodes_of_the_graph(sid: str) -> None:
    g = source_graph(sid)
    subjects = {str(t) for triple in g for t in triple if isinstance(t, URIRef)}
    missing = []
    for n, _opening, cell in rows(sid):
        names = [x for x in NODE.findall(cell) if not x.startswith("graph/")]
        if status(cell) == "modelled":
            assert names, f"{sid} row {n} is modelled but names no node: {cell}"
        for name in names:
            if "…" in name or "{" in name or name.startswith("..."):
                continue  # a pattern such as `.../participation/jbi/partner`
            if f"{ID}{name}" not in subjects:
                missing.append(f"row {n}: {name}")
    assert missing == []


def opening(cell: str) -> str:
    """The quoted opening words of a row, without a note such as "(lead)"."""
    m = re.fullmatch(r'"(.+?)"(?: \(.*\))?', cell)
    assert m, f"opening words must be quoted: {cell}"
    return flat(m.group(1))


def comparable(words: str) -> str:
    """Text as compared with opening words: straight apostrophes and quotes, and no bare numbers
    between spaces (the footnote markers some sources leave inside a sentence)."""
    words = words.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r" \d{1,3}(?= |$)", "", flat(words))


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_rows_follow_the_source_text(sid: str) -> None:
    words = comparable(text(sid))
    position = 0
    for n, cell, _reason in rows(sid):
        found = words.find(comparable(opening(cell)), position)
        assert found != -1, f"{sid} row {n}: {cell} not found after character {position}"
        position = found + 1


def test_a_wrong_count_or_a_missing_node_is_caught() -> None:
    """The checks themselves: a changed count or an unknown node would not pass."""
    sid = "nkhr-un-advocacy"
    table = counts_table()[sid]
    assert table == counted(sid)
    assert {**table, "modelled": table["modelled"] - 1} != counted(sid)
    assert status("opinion (the author's framing)") == "opinion"
    assert status("`upr/PRK/4` (November 2024); the rest is a prediction") == "modelled"
    subjects = {str(s) for s in source_graph(sid).subjects()}
    assert f"{ID}action/nkhr/1997-un-advocacy-start" in subjects
    assert opening('"Our first major" (lead)') == "Our first major"
    assert f"{ID}action/nkhr/1997-un-advocacy-start-renamed" not in subjects
