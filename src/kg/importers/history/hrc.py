"""``hrc-votes``: every recorded vote of the Human Rights Council 2006-2024 (unhrc-votes).

Input folder (``shared/data/unhrc-votes/``): ``all-vote-data.csv`` (one row per vote:
symbol, date, catalogue title) and ``all-votes.csv`` (one row per state, one column per vote,
in the same order: ``1`` yes, ``0`` no, ``2`` abstain, ``3`` member present without a vote,
``4`` not a member). Both are small (under 0.5 MB) and read whole.

Traps handled here (``shared/data/unhrc-votes/SOURCE.md``):

- **Symbols**: ``A/HRC/RES/…`` resolutions and ``A/HRC/DEC/…`` decisions (adopted: result
  ``adopted``), ``A/HRC/{session}/L.{n}`` drafts and amendments (no result: the data set does
  not say); three typos are repaired (``A/HRC/DEC22/117``, ``A/HRC/RES/56/L.30``-``L.36`` for
  the amendments ``A/HRC/56/L.30``…, ``… as orally revised``).
- **Members**: codes 0-3 are members; ``unhr:membershipCount`` is how many the vote records
  (46 on a few votes after the United States left in 2018), ``unhr:nonVoting`` the members
  present without a vote. Eight votes record no member at all: they keep document, date and
  title but no tallies.
- A/HRC/RES/25/25 (2014, on the Commission of Inquiry) is missing from the data set.
- The DPRK resolutions of ``data/votes/votes-hrc-dprk.ttl`` are left to that graph.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TextIO

from kg.importers.common import ImportDataError
from kg.importers.history.model import (
    Advance,
    ConversionStats,
    EventRecord,
    clean_text,
    long_date,
    read_lines,
    write_event,
    write_session,
)
from kg.importers.history.ntriples import (
    RDF_TYPE,
    RDFS_LABEL,
    RDFS_SEE_ALSO,
    NTriplesWriter,
    dated,
    dcterms,
    english,
    iri,
    node,
    text,
    unhr,
)
from kg.importers.history.subset import DprkSubset, hrc_subset
from kg.importers.member_states import load_member_states
from kg.importers.votes import ordinal

VOTE_DATA = "all-vote-data.csv"
VOTES = "all-votes.csv"
FILES = (VOTE_DATA, VOTES)
VERSION = "hrc-votes/1"

CODES = {"1": "votedYes", "0": "votedNo", "2": "abstained", "3": "nonVoting"}
NOT_MEMBER = "4"
_TITLE = re.compile(r"(.*?)\s*:?\s*(?:resolution|decision|amendment)\s*/", re.S)
_SESSION = re.compile(r"A/HRC/(?:RES/|DEC/)?(\d+)/")


def symbol_of(raw: str) -> str:
    """The document symbol behind a column header, with the data set's typos repaired."""
    value = raw.strip().removesuffix(" as orally revised").strip()
    value = re.sub(r"^A/HRC/DEC(\d)", r"A/HRC/DEC/\1", value)
    value = re.sub(r"^A/HRC/RES/(\d+)/L\.", r"A/HRC/\1/L.", value)
    if not re.fullmatch(r"A/HRC/(RES/|DEC/)?(S-)?\d+/(L\.)?\d+", value):
        raise ImportDataError(f"{VOTE_DATA}: not a Human Rights Council symbol: {raw!r}")
    return value


def title_of(summary: str) -> str:
    m = _TITLE.match(summary)
    return clean_text(m[1] if m else summary)


def convert(
    folder: Path,
    root: Path,
    out: TextIO,
    advance: Advance | None = None,
    *,
    subset: DprkSubset | None = None,
) -> ConversionStats:
    """Write the ``hrc-votes`` graph as N-Triples to ``out`` (see :func:`.ga.convert`)."""
    subset = hrc_subset(root) if subset is None else subset
    known = {s.iso3 for s in load_member_states(root)}
    w = NTriplesWriter(out)
    stats = ConversionStats()
    votes = list(csv.DictReader(read_lines(folder / VOTE_DATA, advance)))
    matrix = list(csv.reader(read_lines(folder / VOTES, advance)))
    stats.rows = {VOTE_DATA: len(votes), VOTES: max(0, len(matrix) - 1)}
    header, rows = matrix[0], matrix[1:]
    columns = header[1:]
    if [v["Resolution"] for v in votes] != columns:
        raise ImportDataError(f"{VOTES}: its columns are not the rows of {VOTE_DATA}")
    for row in rows:
        if row[0] not in known:
            raise ImportDataError(f"{VOTES}: unknown country code {row[0]!r}")
        if len(row) != len(header):
            raise ImportDataError(f"{VOTES}: {row[0]}: {len(row) - 1} codes, {len(columns)} votes")
        bad = [c for c in row[1:] if c not in CODES and c != NOT_MEMBER]
        if bad:
            raise ImportDataError(f"{VOTES}: {row[0]}: unknown vote codes {sorted(set(bad))}")
    source = node("dataset/unhrc-votes")
    planned = []
    for j, v in enumerate(votes):
        symbol = symbol_of(v["Resolution"])
        vote_date = date.fromisoformat(v["Date"].strip().replace("/", "-")).isoformat()
        planned.append((j, v, symbol, vote_date))
    keys = Counter((symbol, vote_date) for _, _, symbol, vote_date in planned)
    sessions: set[int] = set()
    for j, v, symbol, vote_date in planned:
        raw = v["Resolution"]
        suffix = f"-c{j + 1}" if keys[(symbol, vote_date)] > 1 else ""
        doc = node(f"doc/{symbol}")
        event = iri(f"{doc[1:-1]}/vote/{vote_date}{suffix}")
        if event[1:-1] in subset.described or f"column={raw}" in subset.events:
            stats.reused_events += 1
            continue
        stats.events += 1
        title = title_of(v["Summary"])
        kind = symbol.split("/")[2]
        if doc[1:-1] not in subset.described:
            _write_document(w, doc, symbol, kind, title, vote_date, source, raw)
        m = _SESSION.match(symbol)
        session = None
        if m is not None:
            number = int(m[1])
            sessions.add(number)
            session = node(f"session/hrc/{number}")
        ballots = [(r[0], r[j + 1]) for r in rows if r[j + 1] in CODES]
        tally = Counter(CODES[code] for _, code in ballots)
        write_event(
            w,
            EventRecord(
                event=event,
                label=f"Recorded vote on {symbol} in the Human Rights Council, "
                f"{long_date(vote_date)}",
                document=doc,
                body="hrc",
                vote_date=vote_date,
                source=source,
                identifier=f"unhrc-votes column={raw}",
                result="adopted" if kind in ("RES", "DEC") else None,
                session=session,
                counts={p: tally[p] for p in CODES.values()} if ballots else None,
                members=len(ballots) or None,
            ),
        )
        for iso3, code in ballots:
            w.add(event, unhr(CODES[code]), node(f"state/{iso3}"))
    for number in sorted(sessions):
        session = node(f"session/hrc/{number}")
        if session[1:-1] not in subset.described:
            label = f"{ordinal(number)} regular session of the Human Rights Council"
            write_session(w, session, label, source)
    stats.triples = w.triples
    return stats


def _write_document(
    w: NTriplesWriter,
    doc: str,
    symbol: str,
    kind: str,
    title: str,
    vote_date: str,
    source: str,
    raw: str,
) -> None:
    if kind in ("RES", "DEC"):
        w.add(doc, RDF_TYPE, unhr("Resolution" if kind == "RES" else "Decision"))
        w.add(doc, RDFS_LABEL, english(f"{symbol}: {title}" if title else symbol))
        if title:
            w.add(doc, dcterms("title"), english(title))
        w.add(doc, unhr("adoptedBy"), node("org/hrc"))
        w.add(doc, unhr("adoptionDate"), dated(vote_date))
    else:
        w.add(doc, RDF_TYPE, unhr("DraftResolution"))
        about = f" on “{title}”" if title else ""
        w.add(doc, RDFS_LABEL, english(f"{symbol}: draft or amendment{about}"))
        if raw.strip().endswith("as orally revised"):
            w.add(doc, dcterms("description"), english("Put to the vote as orally revised."))
    w.add(doc, unhr("documentSymbol"), text(symbol))
    w.add(doc, RDFS_SEE_ALSO, iri(f"https://undocs.org/{symbol}"))
    w.add(doc, dcterms("source"), source)
