"""Every value a source graph holds but its source text does not print carries a curator mark.

Which values need a mark is derived here from the five source texts, independently of the marks
themselves (docs/modelling.md, "Curator-identification marks"):

- a document symbol (``unhr:documentSymbol``) that the text does not print;
- a UN document node (``doc/…``) described in the graph whose symbol the text does not print:
  the graph must then hold its symbol as a marked ``unhr:documentSymbol`` (the mark covers the IRI);
  a triple pointing to such a document from a graph that does not give its symbol is marked;
- a date whose year, month (by name) or day the text does not print;
- an IRI, minted in the graph, that embeds a year the text does not print: the node needs a
  marked date or symbol in the graph;
- a session or UPR cycle number (``session/unga/69``, ``upr/cycle/2``) that the text does not
  print as a number or an ordinal: the triple pointing to it is marked.

Each needed mark must exist in the same graph, name exactly the stored triple and give a basis
from ``vocab/identification-basis``; and every mark must name a triple of its own graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from tests.knowledge.sources import (
    DCTERMS,
    ID,
    RDF,
    SOURCE_IDS,
    UNHR,
    flat,
    marks,
    source_graph,
    text,
)

DATE_PROPERTIES = (
    UNHR.date,
    UNHR.startDate,
    UNHR.endDate,
    UNHR.establishedIn,
    UNHR.adoptionDate,
    UNHR.voteDate,
    UNHR.admissionDate,
    UNHR.year,
    UNHR.initialEndDate,
    UNHR.vacantSince,
    DCTERMS.issued,
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
ORDINALS = {
    1: ("first", "1st"),
    2: ("second", "2nd"),
    3: ("third", "3rd"),
    4: ("fourth", "4th"),
}
BASES = {
    "symbol-not-printed",
    "date-not-stated",
    "general-knowledge",
    "data-set",
    "entity-identified",
}


def _printed_symbol(symbol: str, words: str) -> bool:
    """Is a UN symbol printed in the text (ignoring the space before a bracketed year)?"""
    compact = words.replace(" (", "(")
    return symbol in words or symbol.replace(" (", "(") in compact


def _symbol_of(iri: Node) -> str | None:
    local = str(iri).removeprefix(str(ID))
    if not local.startswith("doc/") or local == str(iri):
        return None
    path = local.removeprefix("doc/")
    # the document itself, not a part of it (…/rec/…, …/finding/…, …/vote/…, …/participation/…)
    path = re.split(r"/(?:rec|finding|para|vote|participation|follow-up)/", path)[0]
    return path


def _year_printed(year: str, words: str) -> bool:
    """A year is printed in full ("2024") or as the end of a range ("2024-25", with an en dash)."""
    if re.search(rf"(?<!\d){year}(?!\d)", words):
        return True
    return bool(re.search(rf"(?<!\d){year[:2]}\d\d[\u2013-]{year[2:]}(?!\d)", words))


def _date_parts_missing(value: Literal, words: str) -> list[str]:
    lexical = str(value)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", lexical)
    assert m, f"not a date: {value!r}"
    missing = []
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not _year_printed(year, words):
        missing.append(year)
    if month and MONTHS[int(month) - 1] not in words:
        missing.append(MONTHS[int(month) - 1])
    if day and not re.search(rf"(?<!\d){int(day)}(?!\d)", words):
        missing.append(day)
    return missing


def _ordinal_printed(n: int, words: str) -> bool:
    lowered = words.lower()
    names = ORDINALS.get(n, ())
    return any(re.search(rf"\b{re.escape(x)}\b", lowered) for x in names) or bool(
        re.search(rf"(?<!\d){n}(st|nd|rd|th)\b", lowered)
    )


def needed_marks(sid: str) -> Iterator[tuple[str, Node, Node, Node | None]]:
    """(why, subject, predicate, object or None) for every value of graph ``sid`` that the text
    does not print. A None object means "some value of this predicate on this subject"."""
    g = source_graph(sid)
    words = flat(text(sid))
    for s, sym in g.subject_objects(UNHR.documentSymbol):
        if not _printed_symbol(str(sym), words):
            yield ("symbol not printed", s, UNHR.documentSymbol, sym)
    for s in set(g.subjects()):
        symbol = _symbol_of(s)
        if symbol is None or str(s) != f"{ID}doc/{symbol}":
            continue
        if not _printed_symbol(symbol, words) and g.value(s, UNHR.documentSymbol) is None:
            yield ("document node without its (unprinted) symbol", s, UNHR.documentSymbol, None)
    described = {s for s in g.subjects(UNHR.documentSymbol)}
    for s, p, o in g:
        symbol = _symbol_of(o)
        if symbol is None or p in (RDF.subject, RDF.object) or o in described:
            continue
        if str(o) == f"{ID}doc/{symbol}" and not _printed_symbol(symbol, words):
            yield ("points to a document whose symbol is not printed", s, p, o)
    for p in DATE_PROPERTIES:
        for s, value in g.subject_objects(p):
            assert isinstance(value, Literal)
            if _date_parts_missing(value, words):
                yield (
                    "date not printed: " + ", ".join(_date_parts_missing(value, words)),
                    s,
                    p,
                    value,
                )
    for s in set(g.subjects()):
        if not isinstance(s, URIRef) or not str(s).startswith(str(ID)) or _symbol_of(s):
            continue
        if (s, RDF.type, None) not in g:
            continue  # described here, minted elsewhere
        local = str(s).removeprefix(str(ID))
        if local.startswith("curation/"):
            continue  # a mark's own IRI names its source id, not a date
        for year in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", local):
            if not _year_printed(year, words):
                yield (f"IRI embeds unprinted year {year}", s, DCTERMS.date, None)
    for p, pattern in (
        (UNHR.inSession, r"session/[a-z0-9-]+/(\d+)$"),
        (UNHR.cycle, r"upr/cycle/(\d+)$"),
    ):
        for s, o in g.subject_objects(p):
            m = re.search(pattern, str(o))
            if m and not _ordinal_printed(int(m.group(1)), words):
                n = int(m.group(1))
                if not re.search(rf"(?<![\d/]){n}(?!\d)", words):
                    yield (f"number {n} not printed", s, p, o)


def _covered(g: Graph, need: tuple[str, Node, Node, Node | None]) -> bool:
    _why, s, p, o = need
    found = marks(g)
    if p == DCTERMS.date and o is None:
        # A year in an IRI: a marked date or symbol of the node, or of the node whose IRI it
        # extends (a participation under its meeting), covers it.
        date_like = (*DATE_PROPERTIES, UNHR.documentSymbol)
        return any(
            (str(s) == str(ms) or str(s).startswith(f"{ms}/")) and mp in date_like
            for ms, mp, _ in found
        )
    if o is None:
        return any(ms == s and mp == p for ms, mp, _ in found)
    return (s, p, o) in found


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_every_unprinted_value_is_marked(sid: str) -> None:
    g = source_graph(sid)
    missing = [
        f"{why}: <{s}> <{p}> {o.n3() if o is not None else '?'}"  # type: ignore[union-attr]
        for why, s, p, o in needed_marks(sid)
        if not _covered(g, (why, s, p, o))
    ]
    assert missing == [], "\n".join(sorted(set(missing)))


@pytest.mark.parametrize("sid", SOURCE_IDS)
def test_every_mark_names_a_triple_of_its_own_graph(sid: str) -> None:
    g = source_graph(sid)
    for (s, p, o), bases in marks(g).items():
        assert (s, p, o) in g, f"mark on a triple that is not in graph {sid}: {s} {p} {o}"
        assert bases and bases <= BASES, (s, p, o, bases)
    for m in g.subjects(RDF.type, UNHR.CuratorIdentification):
        assert (m, DCTERMS.source, URIRef(f"{ID}source/{sid}")) in g, m


def test_the_rules_find_unprinted_values() -> None:
    """The derivation itself: an unprinted symbol, year, month and session number are found."""
    words = "In March 2014 the 69th session adopted Resolution 2375."
    assert not _printed_symbol("A/RES/69/188", words)
    assert _printed_symbol("S/RES/2375 (2017)", "S/RES/2375(2017)")
    assert _date_parts_missing(Literal("2014-03", datatype=UNHR.x), words) == []
    assert _date_parts_missing(Literal("2014-12-22", datatype=UNHR.x), words) == ["December", "22"]
    assert _date_parts_missing(Literal("2013", datatype=UNHR.x), words) == ["2013"]
    assert _ordinal_printed(3, "its third review") and not _ordinal_printed(2, words)
