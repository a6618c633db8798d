"""Evidence spans carry the words of the value they are evidence for.

``unhr:evidence`` points into the source text as given (``source/{id}#char=a,b``, character
offsets into the .txt file). For every node of a source graph that states a date or a number
(and has not marked it as the curator's identification), the text its spans cover, with
whitespace collapsed (the essay is hard-wrapped), must contain the value as the text writes it:
the year, the month by name and the day of a date ("November 2024", "October 22"); a number in
digits, in words or as an ordinal ("111", "forty-four", "third", "77th"); a duration as its
number and unit ("six years", "one-year", "24 months", "4.5 years"). Such a node must have at
least one span. A span must lie inside its own source's text and belong to the graph of that
source.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Literal
from rdflib.term import Node

from tests.knowledge.sources import (
    DCTERMS,
    SOURCE_IDS,
    UNHR,
    flat,
    marks,
    source_graph,
    spans,
    text,
)

XSD_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
DATE_PROPERTIES = (
    UNHR.date,
    UNHR.startDate,
    UNHR.endDate,
    UNHR.establishedIn,
    UNHR.adoptionDate,
    UNHR.voteDate,
    UNHR.initialEndDate,
    UNHR.vacantSince,
)
DURATION_PROPERTIES = (
    UNHR.gapSincePrevious,
    UNHR.duration,
    DCTERMS.accrualPeriodicity,
)
NUMBER_PROPERTIES = (
    UNHR.yesCount,
    UNHR.noCount,
    UNHR.abstainCount,
    UNHR.nonVotingCount,
    UNHR.membershipCount,
    UNHR.count,
    UNHR.countAtLeast,
    UNHR.sessionNumber,
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
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")


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


def ordinal_words(n: int) -> set[str]:
    """How a source may write an ordinal: "third", "3rd", "77th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    forms = {f"{n}{suffix}"}
    if 1 <= n <= len(_ORDINALS):
        forms.add(_ORDINALS[n - 1])
    return forms


def duration_words(value: Literal) -> set[str]:
    """How a source may write an xsd:duration of years and months: "six years", "one-year",
    "24 months", "4.5 years" (stores may normalise P24M to P2Y, so both units are offered)."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", str(value))
    assert m and str(value) != "P", f"not a duration of years and months: {value!r}"
    months = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
    amounts: list[tuple[set[str], str]] = [(number_words(months), "month")]
    if months % 12 == 0:
        amounts.append((number_words(months // 12), "year"))
    elif months % 6 == 0:
        amounts.append(({f"{months / 12:g}"}, "year"))
    return {f"{n}{sep}{unit}" for ns, unit in amounts for n in ns for sep in (" ", "-")}


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
    if re.search(r"[ -](month|year)$", word):  # a duration: "six years", "one-year", "4.5 years"
        return bool(re.search(rf"(?<![\w.,]){re.escape(word)}s?\b", haystack, re.IGNORECASE))
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
    for p in (*DATE_PROPERTIES, *DURATION_PROPERTIES, *NUMBER_PROPERTIES):
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
        elif p in DURATION_PROPERTIES:
            if not any(_contains_word(joined, w) for w in duration_words(o)):
                found.append(f"span lacks the duration: {where}: {covered}")
        else:
            forms = number_words(int(o))
            if p == UNHR.sessionNumber:
                forms |= ordinal_words(int(o))
            if not any(_contains_word(joined, w) for w in forms):
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
    assert ordinal_words(3) == {"third", "3rd"} and "77th" in ordinal_words(77)
    assert {"six year", "6-year", "72 month"} <= duration_words(
        Literal("P6Y", datatype=XSD_DURATION)
    )
    assert _contains_word("the first in six years", "six year")
    assert not _contains_word("the first in sixty years", "six year")
    assert _contains_word("every 4.5 years", "4.5 year")
    assert not _contains_word("every 14.5 years", "4.5 year")
    assert "24 month" in duration_words(Literal("P2Y", datatype=XSD_DURATION))
