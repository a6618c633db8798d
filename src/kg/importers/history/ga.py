"""``ga-votes``: every General Assembly plenary roll call 1946-2019 (the unvotes data set).

Input folder (``shared/data/unvotes/``): ``roll_calls.csv`` (one row per roll call),
``unvotes.csv`` (one row per state and roll call: yes, no or abstain) and ``issues.csv`` (topic
codes). ``unvotes.csv`` is streamed; only the roll calls (6,203 rows) and per-roll-call counters
are held in memory.

Traps handled here (see ``shared/data/unvotes/SOURCE.md`` and ``docs/modelling.md``):

- **Days before September 2003 are not days.** In the records up to rcid 4444 and in the block
  of special and emergency special sessions (rcid 9001-9056) the "day" is a code from 1 to 7
  (never above 7 in 4,000 roll calls over 50 years; Cuba's embargo resolutions of 1992-1999,
  adopted on known days, carry that day's weekday, Sunday = 1). Only the month is kept
  (``xsd:gYearMonth``), and the event IRI ends in ``/vote/{yyyy-mm}``.
- **``unres`` is a resolution symbol only from the 18th session on.** From session 31 it is
  ``R/{session}/{number}{part}`` = ``A/RES/{session}/{number}{part}`` (``A/RES/`` given from
  2016); for sessions 18 to 30 the number is the General Assembly's running number, symbol
  ``A/RES/{number}({session in Roman numerals})``, and a trailing letter is left out (it also
  tells apart roll calls on one resolution); before, the numbers are not resolution numbers.
  Special-session codes (``SS/``, ``ESS/``), empty and malformed values give no symbol: the
  roll call is then on a document without a symbol, ``document/unga/{date}-roll-call-{rcid}``.
- **States.** ``country_code`` is ISO alpha-2 (``NA`` is Namibia); historical seats are mapped
  to ``data/reference/historical-states.ttl``: ``CS`` Czechoslovakia, ``DD`` the GDR, ``YD``
  Democratic Yemen, ``TW`` Taiwan (China's seat until 1971), ``RU`` the USSR until 1991 and
  the Russian Federation after, ``YU`` Yugoslavia until 1992 and Serbia (the FRY, then Serbia
  and Montenegro) from 2000; without a code, the Federal Republic of Germany is Germany, the
  Yemen Arab Republic is itself until May 1990 and Yemen after (the data set keeps the old
  name for unified Yemen's votes of late 1990), and Zanzibar is itself.
- **No absences.** The data set records yes, no and abstain only: events have those three
  tallies and no ``unhr:nonVoting`` triples, ``unhr:nonVotingCount`` or ``unhr:membershipCount``.
- Several roll calls on one document on one date get ``-rc{rcid}`` after the date in their IRI.
- The DPRK human-rights roll calls of ``data/votes/votes-ga-dprk.ttl`` keep their IRIs and are
  left to that graph (:mod:`kg.importers.history.subset`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kg.importers.common import ImportDataError
from kg.importers.history.model import (
    Advance,
    ConversionStats,
    EventRecord,
    clean_text,
    dict_rows,
    list_rows,
    long_date,
    write_event,
    write_session,
)
from kg.importers.history.ntriples import (
    RDF_TYPE,
    RDFS_LABEL,
    RDFS_SEE_ALSO,
    NTriplesWriter,
    dcterms,
    english,
    iri,
    node,
    text,
    unhr,
)
from kg.importers.history.subset import DprkSubset, ga_subset
from kg.importers.member_states import load_member_states
from kg.importers.votes import ordinal

ROLL_CALLS = "roll_calls.csv"
VOTES = "unvotes.csv"
ISSUES = "issues.csv"
FILES = (ROLL_CALLS, VOTES, ISSUES)
VERSION = "ga-votes/1"

VOTE_PROPERTY = {"yes": "votedYes", "no": "votedNo", "abstain": "abstained"}
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_UNRES = re.compile(r"(?:A/RES/|R/)(\d+)/(\d+)([A-Z]?)(?:/([A-H]|[IVX]+))?")
_EMERGENCY = re.compile(r"A/RES/ES-\d+/\d+")


def roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN * 4:
        while n >= value:
            out += numeral
            n -= value
    return out


@dataclass(frozen=True)
class RollCall:
    rcid: int
    session: int
    date: str  # as stored
    unres: str
    short: str
    descr: str

    @property
    def day_known(self) -> bool:
        """False for the records whose day of the month is a weekday code (see above)."""
        return self.session >= 58 or 4445 <= self.rcid < 9000

    @property
    def vote_date(self) -> str:
        return self.date if self.day_known else self.date[:7]

    @property
    def regular_session(self) -> bool:
        """The special-session block (9001-9056) is numbered by the regular session of its
        year, not by its own: no ``unhr:inSession`` for it."""
        return not 9001 <= self.rcid <= 9056

    @property
    def symbol(self) -> str | None:
        return resolution_symbol(self.unres, self.session)


def resolution_symbol(unres: str, session: int) -> str | None:
    """The resolution symbol behind ``unres`` (undocs.org path form), or None (see above)."""
    value = unres.strip()
    if _EMERGENCY.fullmatch(value):
        return value
    m = _UNRES.fullmatch(value)
    if m is None or int(m[1]) != session:
        return None
    number, part, tail = int(m[2]), m[3], m[4]
    if session >= 31:
        if not part and tail and len(tail) == 1 and tail in "ABCDEFGH":
            part = tail
        return f"A/RES/{session}/{number}{part}"
    if session >= 18:
        return f"A/RES/{number}({roman(session)})"
    return None


class GaStates:
    """unvotes' country (name, ISO alpha-2, date) → the ISO alpha-3 code of ``state/{code}``."""

    BY_NAME = {"Federal Republic of Germany": "DEU", "Zanzibar": "ZAN"}
    HISTORICAL = {"CS": "CSK", "DD": "DDR", "YD": "YMD", "TW": "TWN"}

    def __init__(self, root: Path) -> None:
        self._iso2 = {s.iso2: s.iso3 for s in load_member_states(root)}

    def iso3(self, country: str, code: str, vote_date: str) -> str:
        if not code:
            if country == "Yemen Arab Republic":
                return "YAR" if vote_date < "1990-06" else "YEM"
            if country in self.BY_NAME:
                return self.BY_NAME[country]
        elif code in self.HISTORICAL:
            return self.HISTORICAL[code]
        elif code == "RU":
            return "SUN" if vote_date < "1992" else "RUS"
        elif code == "YU":
            if vote_date < "1993":
                return "YUG"
            if vote_date >= "2000":
                return "SRB"
        elif code in self._iso2:
            return self._iso2[code]
        raise ImportDataError(f"{VOTES}: no state for {country!r} ({code!r}) on {vote_date}")


@dataclass
class _Plan:
    call: RollCall
    event: str
    document: str
    suffixed: bool
    reused: bool


def _concerns(call: RollCall) -> tuple[str, ...]:
    """States a roll call's document concerns, from the data set's words: the Korean question
    (subject ``KOREA`` in the old records, from the founding of the two Korean states in
    September 1948) concerns both Koreas; a title naming the DPRK concerns the DPRK."""
    if call.vote_date < "1948-09":
        return ()
    old = not call.day_known
    if old and re.search(r"\bKOREA\b", call.short.upper()):
        return ("KOR", "PRK")
    title = clean_text(re.split(r"\s*:\s*resolution\b", call.descr, maxsplit=1)[0])
    if ": resolution" not in clean_text(call.descr).replace(" :", ":") or len(title) > 250:
        title = ""
    words = f"{clean_text(call.short)} {title}".upper().replace("\u2019", "'")
    if "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA" in words or "NORTH KOREA" in words:
        return ("PRK",)
    return ()


def read_roll_calls(folder: Path) -> list[RollCall]:
    calls = [
        RollCall(
            rcid=int(row["rcid"]),
            session=int(row["session"]),
            date=row["date"].strip(),
            unres=row["unres"],
            short=row["short"],
            descr=row["descr"],
        )
        for row in dict_rows(folder / ROLL_CALLS)
    ]
    if len({c.rcid for c in calls}) != len(calls):
        raise ImportDataError(f"{ROLL_CALLS}: duplicate rcid")
    for c in calls:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.date):
            raise ImportDataError(f"{ROLL_CALLS}: rcid {c.rcid}: not a date: {c.date!r}")
    return sorted(calls, key=lambda c: c.rcid)


def _plan(calls: list[RollCall], subset: DprkSubset) -> dict[int, _Plan]:
    def document(c: RollCall) -> str:
        symbol = c.symbol
        if symbol is not None:
            return node(f"doc/{symbol}")
        return node(f"document/unga/{c.vote_date}-roll-call-{c.rcid}")

    keys = Counter((document(c), c.vote_date) for c in calls)
    plans: dict[int, _Plan] = {}
    for c in calls:
        doc = document(c)
        reused = str(c.rcid) in subset.events
        shared = keys[(doc, c.vote_date)] > 1 and not reused
        suffix = f"-rc{c.rcid}" if shared else ""
        event = iri(f"{doc[1:-1]}/vote/{c.vote_date}{suffix}")
        if reused:
            event = iri(subset.events[str(c.rcid)])
        plans[c.rcid] = _Plan(c, event, doc, shared, reused)
    return plans


def convert(
    folder: Path,
    root: Path,
    out: TextIO,
    advance: Advance | None = None,
    *,
    subset: DprkSubset | None = None,
) -> ConversionStats:
    """Write the ``ga-votes`` graph as N-Triples to ``out``; ``subset`` defaults to the DPRK
    votes of ``root`` (pass ``DprkSubset.empty()`` to write every roll call)."""
    subset = ga_subset(root) if subset is None else subset
    w = NTriplesWriter(out)
    stats = ConversionStats()
    calls = read_roll_calls(folder)
    stats.rows[ROLL_CALLS] = len(calls)
    plans = _plan(calls, subset)
    missing = sorted(set(subset.events) - {str(c) for c in plans})
    if missing:
        stats.notes.append(f"DPRK roll calls not in {ROLL_CALLS}: rcid {', '.join(missing)}")
    topics: dict[int, list[str]] = defaultdict(list)
    issue_rows = 0
    for row in dict_rows(folder / ISSUES):
        issue_rows += 1
        rcid = int(row["rcid"])
        if rcid not in plans:
            raise ImportDataError(f"{ISSUES}: rcid {rcid} is not in {ROLL_CALLS}")
        name = clean_text(row["issue"])
        if name and name not in topics[rcid]:
            topics[rcid].append(name)
    stats.rows[ISSUES] = issue_rows

    states = GaStates(root)
    index = {rcid: i for i, rcid in enumerate(plans)}
    state_index: dict[str, int] = {}
    seen = bytearray()
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    props = {k: unhr(v) for k, v in VOTE_PROPERTY.items()}
    state_terms: dict[str, str] = {}
    vote_rows = 0
    header, reader = list_rows(folder / VOTES, advance)
    try:
        at = [header.index(c) for c in ("rcid", "country", "country_code", "vote")]
    except ValueError:
        raise ImportDataError(
            f"{VOTES}: expected the columns rcid, country, country_code, vote"
        ) from None
    places: dict[tuple[str, str, str], str] = {}
    for cells in reader:
        vote_rows += 1
        rcid = int(cells[at[0]])
        plan = plans.get(rcid)
        if plan is None:
            raise ImportDataError(f"{VOTES}: rcid {rcid} is not in {ROLL_CALLS}")
        vote = cells[at[3]].strip()
        if vote not in VOTE_PROPERTY:
            raise ImportDataError(f"{VOTES}: rcid {rcid}: unknown vote {vote!r}")
        where = (cells[at[1]].strip(), cells[at[2]].strip(), plan.call.vote_date)
        iso3 = places.get(where)
        if iso3 is None:
            iso3 = places[where] = states.iso3(*where)
        slot = state_index.setdefault(iso3, len(state_index))
        if slot >= 256:  # pragma: no cover - there are about 200 states
            raise ImportDataError(f"{VOTES}: more than 256 states")
        pos = index[rcid] * 256 + slot
        if len(seen) <= pos:
            seen.extend(bytes(pos + 1 - len(seen) + 256 * 64))
        if seen[pos]:
            raise ImportDataError(f"{VOTES}: {iso3} votes twice in roll call {rcid}")
        seen[pos] = 1
        counts[rcid][VOTE_PROPERTY[vote]] += 1
        if plan.reused:
            continue
        term = state_terms.get(iso3)
        if term is None:
            term = state_terms[iso3] = node(f"state/{iso3}")
        w.add(plan.event, props[vote], term)
    stats.rows[VOTES] = vote_rows

    source = node("dataset/unvotes")
    concerns: dict[str, set[str]] = defaultdict(set)
    for plan in plans.values():
        concerns[plan.document].update(_concerns(plan.call))
    written_docs: set[str] = set()
    sessions: set[int] = set()
    for rcid, plan in plans.items():
        c = plan.call
        if plan.reused:
            stats.reused_events += 1
            continue
        stats.events += 1
        symbol = c.symbol
        if plan.document not in written_docs and plan.document[1:-1] not in subset.described:
            written_docs.add(plan.document)
            _write_document(w, plan, symbol, source, sorted(concerns[plan.document]))
        when = long_date(c.vote_date)
        label = (
            f"Recorded vote on {symbol} in the General Assembly, {when}"
            if symbol is not None
            else f"Recorded vote in the General Assembly, {when}"
        )
        if plan.suffixed or symbol is None:
            label += f" (roll call {rcid})"
        session = None
        if c.regular_session:
            sessions.add(c.session)
            session = node(f"session/unga/{c.session}")
        tally = counts.get(rcid)
        write_event(
            w,
            EventRecord(
                event=plan.event,
                label=label,
                document=plan.document,
                body="unga",
                vote_date=c.vote_date,
                source=source,
                identifier=f"unvotes rcid={rcid}",
                session=session,
                counts=(
                    {p: tally[p] for p in ("votedYes", "votedNo", "abstained")} if tally else None
                ),
                description=clean_text(c.descr) or None,
                topics=(*(() if c.day_known or not c.short.strip() else (clean_text(c.short),)),
                        *topics.get(rcid, ())),
            ),
        )  # fmt: skip
    for number in sorted(sessions):
        session = node(f"session/unga/{number}")
        if session[1:-1] not in subset.described:
            write_session(w, session, f"{ordinal(number)} session of the General Assembly", source)
    stats.triples = w.triples
    return stats


def _write_document(
    w: NTriplesWriter, plan: _Plan, symbol: str | None, source: str, concerns: list[str]
) -> None:
    doc, c = plan.document, plan.call
    if symbol is not None:
        w.add(doc, RDF_TYPE, unhr("Resolution"))
        w.add(doc, RDFS_LABEL, english(f"General Assembly resolution {symbol}"))
        w.add(doc, unhr("documentSymbol"), text(symbol))
        w.add(doc, unhr("adoptedBy"), node("org/unga"))
        w.add(doc, RDFS_SEE_ALSO, iri(f"https://undocs.org/{symbol}"))
    else:
        w.add(doc, RDF_TYPE, unhr("Document"))
        label = (
            f"Proposal put to the vote in the General Assembly, {long_date(c.vote_date)} "
            f"(roll call {c.rcid})"
        )
        w.add(doc, RDFS_LABEL, english(label))
    for iso3 in concerns:
        w.add(doc, unhr("concernsState"), node(f"state/{iso3}"))
    w.add(doc, dcterms("source"), source)
