"""Evidence spans carry the words of the value they are evidence for.

``unhr:evidence`` points into the source text as given (``source/{id}#char=a,b``, character
offsets into the .txt file). For every node of a source graph that states a date or a number
(and has not marked it as the curator's identification), the text its spans cover, with
whitespace collapsed (the essay is hard-wrapped), must contain the value as the text writes it:
the year, the month by name and the day of a date ("November 2024", "October 22"); a number in
digits or in words ("111", "forty-four"). Such a node must have at least one span. A span must
lie inside its own source's text and belong to the graph of that source.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Literal
from rdflib.term import Node

from tests.knowledge.sources import (
    SOURCE_IDS,
    UNHR,
    flat,
    marks,
    source_graph,
    spans,
    text,
)

DATE_PROPERTIES = (
    UNHR.date,
    UNHR.startDate,
    UNHR.endDate,
    UNHR.establishedIn,
    UNHR.adoptionDate,
    UNHR.voteDate,
)
NUMBER_PROPERTIES = (
    UNHR.yesCount,
    UNHR.noCount,
    UNHR.abstainCount,
    UNHR.nonVotingCount,
    UNHR.membershipCount,
    UNHR.count,
    UNHR.countAtLeast,
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_UNITS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy"}


def number_words(n: int) -> set[str]:
    """How a source may write a number: digits (with or without thousands commas) or words."""
    forms = {str(n), f"{n:,}"}
    if n < 20:
        forms.add(_UNITS[n])
    elif n < 80:
        tens, unit = divmod(n, 10)
        word = _TENS[tens * 10]
        forms.add(word if unit == 0 else f"{word}-{_UNITS[unit]}")
    return forms


def date_words(value: Literal) -> list[set[str]]:
    """The parts a span must show for a date: each a set of acceptable spellings."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    assert m, f"not a date: {value!r}"
    year = m.group(1)
    parts = [{year}]
    if m.group(2):
        parts.append({MONTHS[int(m.group(2)) - 1]})
    if m.group(3):
        parts.append({str(int(m.group(3)))})
    return parts


def _contains_word(haystack: str, word: str) -> bool:
    if word.isdigit() or re.fullmatch(r"[\d,]+", word):
        return bool(re.search(rf"(?<!\d)(?<!\d,){re.escape(word)}(?!\d)(?!,\d)", haystack))
    return bool(re.search(rf"\b{re.escape(word)}\b", haystack, re.IGNORECASE))


def _year_in(haystack: str, year: str) -> bool:
    """A year in full, or as the second half of a range ("2024-25" with an en dash)."""
    return _contains_word(haystack, year) or bool(
        re.search(rf"{year[:2]}\d\d[\u2013-]{year[2:]}(?!\d)", haystack)
    )


def claims(sid: str) -> list[tuple[Node, Node, Literal]]:
    g = source_graph(sid)
    marked = marks(g)
    out = []
    for p in (*DATE_PROPERTIES, *NUMBER_PROPERTIES):
        for s, o in g.subject_objects(p):
            assert isinstance(o, Literal)
            if (s, p, o) not in marked:
                out.append((s, p, o))
    return out


def problems(sid: str) -> list[str]:
    g = source_graph(sid)
    source_text = text(sid)
    found = []
    for s, p, o in claims(sid):
        covered = [flat(source_text[a:b]) for _sid, a, b in spans(g, s)]
        where = f"<{s}> {p.n3()} {o.n3()}"  # type: ignore[union-attr]
        if not covered:
            found.append(f"no evidence span: {where}")
            continue
        joined = " | ".join(covered)
        if p in DATE_PROPERTIES:
            year, *rest = date_words(o)
            if not any(_year_in(joined, y) for y in year):
                found.append(f"span lacks year: {where}: {covered}")
            for part in rest:
                if not any(_contains_word(joined, w) for w in part):
                    found.append(f"span lacks {sorted(part)}: {where}: {covered}")
        else:
            if not any(_contains_word(joined, w) for w in number_words(int(o))):
                found.append(f"span lacks the number: {where}: {covered}")
    return found


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_spans_of_dated_and_numeric_claims_carry_the_value(sid: str) -> None:
    assert problems(sid) == []


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_spans_are_inside_their_own_source(sid: str) -> None:
    g = source_graph(sid)
    length = len(text(sid))
    for s in set(g.subjects()):
        for span_sid, a, b in spans(g, s):
            assert span_sid == sid, (s, span_sid)
            assert 0 <= a < b <= length, (s, a, b)
            assert text(sid)[a:b].strip(), (s, a, b)


def test_the_rules_catch_a_span_that_misses_the_value() -> None:
    assert number_words(44) >= {"44", "forty-four"}
    assert number_words(130000) >= {"130,000"}
    assert not _contains_word("in 2014 report", "201")
    assert _contains_word("In 2013, the UN", "2013")
    assert not _contains_word("over 130,000 entries", "130")
    assert _year_in("a non-permanent member for 2024\u201325", "2025")
    assert not _contains_word("November", "2024")
