"""``sc-votes``: every Security Council vote on a resolution or draft 1994-2025 (unsc-voting).

Input folder (``shared/data/unsc-voting/``): ``sc_voting_1994_2025.csv``, one row per member
and vote, the rows of one vote together (``ID``); streamed one vote at a time.

Traps handled here (``shared/data/unsc-voting/SOURCE.md``, ``data/votes/csv/SOURCE.md``):

- **Dates**: the workbook read ``DD/MM/YYYY`` month-first where it could, so a stored day of 12
  or less may be the month: 1874 (2009), adopted on 12 June 2009, is stored 2009-12-06. It did
  not do so everywhere (vetoed drafts, and most votes from 2021 on, are stored right: the
  double veto on Syria of 4 October 2011 is stored 2011-10-04). Meetings are numbered in
  order, so an ambiguous date (day 12 or less, day and month different) is read the way that
  falls between the unambiguous dates of the meetings before and after it (by meeting number,
  else by the data set's ``ID`` order); where both or neither do, it is swapped, except for a
  vetoed draft. The result must fall in the ``Year`` column's year. (The DPRK subset's 26
  corrected dates come out the same.)
- **Symbols** come in several spellings (``1718 (2006)``, ``Resolution 2627 (2022)``,
  ``S/RES/2680 (2023)``, ``S/RES/2776/2025``); a few rows have resolution and draft in each
  other's column. An adopted text with a symbol is a ``unhr:Resolution`` voted on, its draft a
  ``unhr:DraftResolution`` (``unhr:draftOf``); a draft that failed is voted on itself; a vote
  with neither symbol is on ``document/unsc/{date}-vote-{ID}``.
- **Member lists attached to the wrong votes** (most of 1995, single votes of 1997, 1999,
  2001) and lists of 12 to 17 rows: a vote's per-member triples and tallies are kept only when
  its 15 recorded members are the Council of that year (``data/reference/memberships-unsc.ttl``,
  :func:`kg.importers.memberships.unsc_members_by_year`); other votes keep their document,
  date, result and agenda item.
- **Outcomes**: adopted unanimously or by majority, not adopted (veto, or too few votes) are
  recorded votes; "adopted by consensus" and "by acclamation" are adoptions without a recorded
  vote (modality ``consensus`` / ``without-vote``), so no per-member triples.
- **Sponsors** (``Submitted by``) are names; a draft gets ``unhr:sponsor`` triples only when
  every name in the cell is known (``kg.importers.state_names``).
- The DPRK votes of ``data/votes/votes-unsc-dprk.ttl`` keep their IRIs and are left to that
  graph (:mod:`kg.importers.history.subset`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

from kg.importers.common import ImportDataError, doc_path
from kg.importers.history.model import (
    Advance,
    ConversionStats,
    EventRecord,
    clean_text,
    dict_rows,
    long_date,
    write_event,
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
from kg.importers.history.subset import DprkSubset, sc_subset
from kg.importers.memberships import PERMANENT_MEMBERS, UNSC_SEATS, unsc_members_by_year
from kg.importers.state_names import StateNames

VOTES = "sc_voting_1994_2025.csv"
FILES = (VOTES,)
VERSION = "sc-votes/1"

#: Outcome wording → (result, modality); recorded votes have the modality "recorded".
OUTCOMES: dict[str, tuple[str, str]] = {
    "Adopted unanimously": ("adopted", "recorded"),
    "Adopted by majority": ("adopted", "recorded"),
    "Not adopted - veto": ("vetoed", "recorded"),
    "Not adopted - failed to receive required number of votes": ("not-adopted", "recorded"),
    "Adopted by consensus": ("adopted", "consensus"),
    "Adopted by acclamation": ("adopted-without-vote", "without-vote"),
}
VOTE_PROPERTY = {"Yes": "votedYes", "No": "votedNo", "Abstain": "abstained"}
_RESOLUTION = re.compile(r"(?:S/RES/|Resolution\s+)?(\d{1,4})\s*[(/]\s*(\d{4})\)?")
_DRAFT = re.compile(r"(?<![\w/])[Ss]/(\d{4})[/-](\d{1,5})(?!\d)")


_MEETING = re.compile(r"\s*(?:S/PV\.|PV\.)?(\d{4,5})\s*")


def _ambiguous(d: date) -> bool:
    return d.day <= 12 and d.day != d.month


def _between(anchors: list[tuple[int, date]], key: int, options: list[date]) -> list[date]:
    """The options that fall between the anchors just before and just after ``key``."""
    keys = [k for k, _ in anchors]
    i = bisect.bisect_left(keys, key)
    j = bisect.bisect_right(keys, key)
    before = anchors[i - 1][1] if i > 0 else None
    after = anchors[j][1] if j < len(anchors) else None
    return [d for d in options if (before is None or before <= d) and (after is None or d <= after)]


def vote_dates(events: list[tuple[int, dict[str, str]]]) -> dict[int, str]:
    """The real date of every vote, from ``(ID, first row)`` pairs of the whole data set."""
    stored = {ident: date.fromisoformat(row["Date"].strip()) for ident, row in events}
    meeting: dict[int, int] = {}
    for ident, row in events:
        m = _MEETING.fullmatch(row["Meeting"])
        if m is not None:
            meeting[ident] = int(m[1])
    by_meeting = sorted(
        (meeting[i], d) for i, d in stored.items() if i in meeting and not _ambiguous(d)
    )
    by_id = sorted((i, d) for i, d in stored.items() if not _ambiguous(d))
    out: dict[int, str] = {}
    for ident, row in events:
        d = stored[ident]
        if _ambiguous(d):
            options = [d, date(d.year, d.day, d.month)]
            fits = _between(by_meeting, meeting[ident], options) if ident in meeting else options
            if len(fits) != 1:
                fits = _between(by_id, ident, options)
            if len(fits) != 1:
                vetoed = row["Outcome results"].strip() == "Not adopted - veto"
                fits = [d] if vetoed else [options[1]]
            d = fits[0]
        if str(d.year) != row["Year"].strip():
            raise ImportDataError(
                f"{VOTES}: ID={ident}: date {row['Date']} is not in year {row['Year']}"
            )
        out[ident] = d.isoformat()
    return out


def resolution_symbol(cell: str) -> str | None:
    """``S/RES/{n} ({yyyy})`` from any of the data set's spellings, or None."""
    m = _RESOLUTION.fullmatch(cell.replace("\xa0", " ").strip())
    return f"S/RES/{int(m[1])} ({m[2]})" if m else None


def draft_symbol(cell: str) -> str | None:
    """The first ``S/{yyyy}/{n}`` in the cell (an oral revision, an amendment note … around it)."""
    m = _DRAFT.search(cell.replace("\xa0", " "))
    return f"S/{m[1]}/{int(m[2])}" if m else None


def sponsors(cell: str, names: StateNames) -> list[str] | None:
    """The ISO codes of the states in ``Submitted by``; None when any name is unknown."""
    value = cell.replace("_x000D_", " ").replace("\n", " ").strip()
    if not value or value.rstrip("?") in ("President", "-none-"):
        return []
    parts = re.split(r",|\band\b", value)
    out: list[str] = []
    for part in parts:
        name = re.sub(r"\(\d+\)", "", part).strip().rstrip(".").strip()
        name = re.sub(r"^the\s+", "", name)
        if not name:
            continue
        try:
            out.append(names.iso3(name))
        except ImportDataError:
            return None
    return sorted(set(out))


@dataclass(frozen=True)
class _Vote:
    ident: str
    first: dict[str, str]
    members: list[tuple[str, str]]  # (ISO alpha-3, Yes/No/Abstain)


def _votes(folder: Path, names: StateNames, advance: Advance | None) -> Iterator[_Vote]:
    """The data set's votes in file order, each with its member rows."""
    current: _Vote | None = None
    done: set[str] = set()
    for row in dict_rows(folder / VOTES, advance):
        ident = row["ID"].strip()
        if current is None or ident != current.ident:
            if ident in done:
                raise ImportDataError(f"{VOTES}: the rows of ID={ident} are not together")
            if current is not None:
                yield current
            done.add(ident)
            current = _Vote(ident, row, [])
        vote = row["Vote"].strip()
        if vote not in VOTE_PROPERTY:
            raise ImportDataError(f"{VOTES}: ID={ident}: unknown vote {vote!r}")
        current.members.append((names.iso3(row["Member State"]), vote))
    if current is not None:
        yield current


@dataclass(frozen=True)
class _Planned:
    vote: _Vote
    vote_date: str
    result: str
    modality: str
    resolution: str | None
    draft: str | None
    voted_on: str  # rendered IRI
    reliable: bool


def _plan(vote: _Vote, vote_date: str, council: dict[int, frozenset[str]]) -> _Planned:
    row = vote.first
    outcome = OUTCOMES.get(row["Outcome results"].strip())
    if outcome is None:
        raise ImportDataError(
            f"{VOTES}: ID={vote.ident}: unknown outcome {row['Outcome results']!r}"
        )
    result, modality = outcome
    res_cell, draft_cell = row["Resolution"], row["Draft"]
    if resolution_symbol(draft_cell) and draft_symbol(res_cell):  # columns swapped
        res_cell, draft_cell = draft_cell, res_cell
    resolution = resolution_symbol(res_cell) if result.startswith("adopted") else None
    draft = draft_symbol(draft_cell)
    if resolution is not None:
        voted_on = node(f"doc/{doc_path(resolution)}")
    elif draft is not None:
        voted_on = node(f"doc/{draft}")
    else:
        voted_on = node(f"document/unsc/{vote_date}-vote-{vote.ident}")
    states = [iso3 for iso3, _ in vote.members]
    reliable = (
        modality == "recorded"
        and len(states) == UNSC_SEATS
        and frozenset(states) == council.get(int(vote_date[:4]))
    )
    return _Planned(vote, vote_date, result, modality, resolution, draft, voted_on, reliable)


def convert(
    folder: Path,
    root: Path,
    out: TextIO,
    advance: Advance | None = None,
    *,
    subset: DprkSubset | None = None,
) -> ConversionStats:
    """Write the ``sc-votes`` graph as N-Triples to ``out`` (see :func:`.ga.convert`)."""
    subset = sc_subset(root) if subset is None else subset
    names = StateNames(root)
    council = unsc_members_by_year(root)
    w = NTriplesWriter(out)
    stats = ConversionStats()
    source = node("dataset/unsc-voting")
    votes = list(_votes(folder, names, advance))
    dates = vote_dates([(int(v.ident), v.first) for v in votes])
    planned = [_plan(v, dates[int(v.ident)], council) for v in votes]
    stats.rows[VOTES] = sum(len(p.vote.members) for p in planned)
    keys = Counter((p.voted_on, p.vote_date) for p in planned)
    written: set[str] = set()
    unreliable = unknown_sponsors = 0
    for p in planned:
        ident = p.vote.ident
        if ident in subset.events:
            stats.reused_events += 1
            continue
        stats.events += 1
        suffix = f"-id{ident}" if keys[(p.voted_on, p.vote_date)] > 1 else ""
        event = iri(f"{p.voted_on[1:-1]}/vote/{p.vote_date}{suffix}")
        item = clean_text(p.vote.first["Agenda item"])
        for doc in _documents(p, item, source, names):
            if doc.iri not in written and doc.iri[1:-1] not in subset.described:
                written.add(doc.iri)
                if doc.write(w) is False:
                    unknown_sponsors += 1
        on = p.resolution or p.draft
        what = on if on is not None else "a proposal"
        when = long_date(p.vote_date)
        label = {
            "recorded": f"Vote in the Security Council on {what}, {when}",
            "consensus": f"Adoption of {what} by the Security Council by consensus, {when}",
            "without-vote": f"Adoption of {what} by the Security Council by acclamation, {when}",
        }[p.modality]
        if suffix:
            label += f" (ID {ident})"
        counts: dict[str, int] | None = None
        if p.reliable:
            tally = Counter(VOTE_PROPERTY[v] for _, v in p.vote.members)
            counts = {prop: tally[prop] for prop in ("votedYes", "votedNo", "abstained")}
            counts["nonVoting"] = 0
        elif p.modality == "recorded":
            unreliable += 1
        write_event(
            w,
            EventRecord(
                event=event,
                label=label,
                document=p.voted_on,
                body="unsc",
                vote_date=p.vote_date,
                source=source,
                identifier=f"unsc-voting ID={ident}",
                modality=p.modality,
                result=p.result,
                counts=counts,
                members=UNSC_SEATS if counts is not None else None,
                topics=(item,) if item else (),
            ),
        )
        if p.reliable:
            for iso3, vote in sorted(p.vote.members):
                w.add(event, unhr(VOTE_PROPERTY[vote]), node(f"state/{iso3}"))
            if p.result == "vetoed":
                for iso3, vote in sorted(p.vote.members):
                    if vote == "No" and iso3 in PERMANENT_MEMBERS:
                        w.add(event, unhr("vetoedBy"), node(f"state/{iso3}"))
    if unreliable:
        stats.notes.append(
            f"{unreliable} recorded votes whose member list is not the Council of their year "
            "keep no per-member votes or tallies"
        )
    if unknown_sponsors:
        stats.notes.append(f"{unknown_sponsors} drafts without sponsors (a name not recognised)")
    stats.triples = w.triples
    return stats


@dataclass(frozen=True)
class _Document:
    iri: str
    kind: str
    label: str
    symbol: str | None
    source: str
    extra: tuple[tuple[str, str], ...] = ()
    sponsors_cell: str | None = None
    names: StateNames | None = None

    def write(self, w: NTriplesWriter) -> bool:
        """Write the document; False when its sponsors could not all be recognised."""
        w.add(self.iri, RDF_TYPE, unhr(self.kind))
        w.add(self.iri, RDFS_LABEL, english(self.label))
        if self.symbol is not None:
            w.add(self.iri, unhr("documentSymbol"), text(self.symbol))
            w.add(self.iri, RDFS_SEE_ALSO, iri(f"https://undocs.org/{doc_path(self.symbol)}"))
        for p, o in self.extra:
            w.add(self.iri, p, o)
        w.add(self.iri, dcterms("source"), self.source)
        if self.sponsors_cell is None or self.names is None:
            return True
        found = sponsors(self.sponsors_cell, self.names)
        for iso3 in found or ():
            w.add(self.iri, unhr("sponsor"), node(f"state/{iso3}"))
        return found is not None


def _documents(p: _Planned, item: str, source: str, names: StateNames) -> list[_Document]:
    under = f" under the item “{item}”" if item else ""
    docs: list[_Document] = []
    res_iri = node(f"doc/{doc_path(p.resolution)}") if p.resolution else None
    if p.resolution is not None and res_iri is not None:
        docs.append(
            _Document(
                res_iri,
                "Resolution",
                f"{p.resolution}: Security Council resolution{under}",
                p.resolution,
                source,
                extra=(
                    (unhr("adoptedBy"), node("org/unsc")),
                    (unhr("adoptionDate"), dated(p.vote_date)),
                ),
            )
        )
    if p.draft is not None:
        what = "vetoed draft resolution" if p.result == "vetoed" else "draft resolution"
        docs.append(
            _Document(
                node(f"doc/{p.draft}"),
                "DraftResolution",
                f"{p.draft}: {what} in the Security Council{under}",
                p.draft,
                source,
                extra=((unhr("draftOf"), res_iri),) if res_iri is not None else (),
                sponsors_cell=p.vote.first["Submitted by"],
                names=names,
            )
        )
    if p.resolution is None and p.draft is None:
        docs.append(
            _Document(
                p.voted_on,
                "Document",
                f"Proposal put to the vote in the Security Council, {long_date(p.vote_date)} "
                f"(unsc-voting ID {p.vote.ident})",
                None,
                source,
            )
        )
    return docs
