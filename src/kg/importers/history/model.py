"""What the three converters share: the vote-event model of ``kg.importers.votes`` written as
N-Triples, reading CSV with progress, and the statistics a conversion reports.

The classes, properties and IRI patterns are those of the DPRK vote graphs
(``data/votes/votes-*-dprk.ttl``, see ``docs/modelling.md``): a ``unhr:VoteEvent`` at
``{document}/vote/{date}`` with ``unhr:onDocument``, ``unhr:votingBody``, ``unhr:voteDate``,
``unhr:inSession``, ``unhr:result``, ``unhr:modality``, the tallies and one direct triple per
state (``unhr:votedYes`` / ``votedNo`` / ``abstained`` / ``nonVoting``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kg.importers.history.ntriples import (
    RDF_TYPE,
    RDFS_LABEL,
    NTriplesWriter,
    dated,
    dcterms,
    english,
    integer,
    node,
    text,
    unhr,
)

#: Called with the number of bytes (characters) of the main input read since the last call.
Advance = Callable[[int], None]

VOTE_PROPERTIES = ("votedYes", "votedNo", "abstained", "nonVoting")
COUNT_PROPERTIES = {
    "votedYes": "yesCount",
    "votedNo": "noCount",
    "abstained": "abstainCount",
    "nonVoting": "nonVotingCount",
}


@dataclass
class ConversionStats:
    """What a conversion read and wrote."""

    rows: dict[str, int] = field(default_factory=dict)
    events: int = 0
    #: Vote events (and their documents) left to the DPRK graphs of data/votes/.
    reused_events: int = 0
    triples: int = 0
    notes: list[str] = field(default_factory=list)


def long_date(value: str) -> str:
    """``18 December 2014`` for a full date, ``December 1975`` for a month."""
    if len(value) == 7:
        d = date.fromisoformat(value + "-01")
        return f"{d:%B} {d.year}"
    d = date.fromisoformat(value)
    return f"{d.day} {d:%B} {d.year}"


def read_lines(path: Path, advance: Advance | None) -> Iterator[str]:
    """The lines of a UTF-8 text file, reporting progress every megabyte or so."""
    pending = 0
    with path.open(newline="", encoding="utf-8") as f:
        for line in f:
            pending += len(line)
            if advance is not None and pending >= 1 << 20:
                advance(pending)
                pending = 0
            yield line
    if advance is not None and pending:
        advance(pending)


def list_rows(path: Path, advance: Advance | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """The header of a CSV file and its rows as lists, streamed (faster than dicts)."""
    reader = csv.reader(read_lines(path, advance))
    return next(reader, []), reader


def dict_rows(path: Path, advance: Advance | None = None) -> Iterator[dict[str, str]]:
    """Rows of a CSV file with a header, streamed ("NA" stays the string "NA")."""
    yield from csv.DictReader(read_lines(path, advance))


@dataclass(frozen=True)
class EventRecord:
    """One vote event; ``counts`` maps a direct vote property to its tally (absent: unknown)."""

    event: str
    label: str
    document: str
    body: str
    vote_date: str
    source: str
    identifier: str
    modality: str = "recorded"
    result: str | None = None
    session: str | None = None
    counts: dict[str, int] | None = None
    members: int | None = None
    description: str | None = None
    topics: tuple[str, ...] = ()


def write_event(w: NTriplesWriter, rec: EventRecord) -> None:
    """The event's own triples (its direct vote triples are written by the converter)."""
    ev = rec.event
    w.add(ev, RDF_TYPE, unhr("VoteEvent"))
    w.add(ev, RDFS_LABEL, english(rec.label))
    w.add(ev, unhr("onDocument"), rec.document)
    w.add(ev, unhr("votingBody"), node(f"org/{rec.body}"))
    w.add(ev, unhr("voteDate"), dated(rec.vote_date))
    if rec.session is not None:
        w.add(ev, unhr("inSession"), rec.session)
    if rec.result is not None:
        w.add(ev, unhr("result"), node(f"vocab/vote-result/{rec.result}"))
    w.add(ev, unhr("modality"), node(f"vocab/vote-modality/{rec.modality}"))
    if rec.counts is not None:
        for prop in VOTE_PROPERTIES:
            if prop in rec.counts:
                w.add(ev, unhr(COUNT_PROPERTIES[prop]), integer(rec.counts[prop]))
    if rec.members is not None:
        w.add(ev, unhr("membershipCount"), integer(rec.members))
    w.add(ev, dcterms("identifier"), text(rec.identifier))
    w.add(ev, dcterms("source"), rec.source)
    if rec.description:
        w.add(ev, dcterms("description"), english(rec.description))
    for topic in rec.topics:
        w.add(ev, unhr("topic"), english(topic))


def write_session(w: NTriplesWriter, session: str, label: str, source: str) -> None:
    """A session node as ``kg.importers.votes`` writes it."""
    w.add(session, RDF_TYPE, unhr("Session"))
    w.add(session, RDFS_LABEL, english(label))
    w.add(session, dcterms("source"), source)


def clean_text(value: str) -> str:
    """Whitespace collapsed; the data sets' mojibake for an apostrophe and a no-break space
    repaired (``People?Ã†s`` → ``People's``)."""
    for bad, good in (("?Ãƒâ€ s", "'s"), ("?Ã†s", "'s"), ("Â\xa0", " "), ("\xa0", " ")):
        value = value.replace(bad, good)
    return " ".join(value.split())
