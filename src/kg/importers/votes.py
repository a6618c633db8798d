"""``data/votes/votes-ga-dprk.ttl`` and ``votes-hrc-dprk.ttl``: the recorded votes on the DPRK
human-rights resolutions in the General Assembly plenary (unvotes) and the Human Rights Council
(unhrc-votes); the Security Council file is written by :mod:`kg.importers.unsc_votes`.

Inputs: ``data/votes/csv/dprk_votes_summary.csv`` (one row per vote, with tallies) and
``dprk_votes_by_state.csv`` (one row per state per vote). Each vote is a ``unhr:VoteEvent`` on
its resolution with the data set's tallies and one direct triple per state
(``unhr:votedYes`` / ``votedNo`` / ``abstained`` / ``nonVoting``); the importer refuses data
whose tallies do not equal the per-state rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.importers.common import (
    DCTERMS,
    UNHR,
    VOTES_CSV,
    ImportDataError,
    dataset,
    date_literal,
    doc,
    en,
    integer,
    iri,
    new_graph,
    org,
    read_csv,
    state,
    undocs,
    vocab,
)
from kg.importers.member_states import load_member_states

SUMMARY_CSV = VOTES_CSV / "dprk_votes_summary.csv"
BY_STATE_CSV = VOTES_CSV / "dprk_votes_by_state.csv"


@dataclass(frozen=True)
class BodyInfo:
    csv_name: str  # value of the ``body`` column
    slug: str  # org/{slug}
    name: str
    session_body: str  # session/{session_body}/{n}
    session_kind: str  # "session" or "regular session"
    data_set: str


GA = BodyInfo("UNGA plenary", "unga", "General Assembly", "unga", "session", "unvotes")
HRC = BodyInfo("HRC", "hrc", "Human Rights Council", "hrc", "regular session", "unhrc-votes")

#: Vote codes of ``dprk_votes_by_state.csv`` → the direct vote property's local name.
VOTE_PROPERTY: dict[str, str] = {
    "yes": "votedYes",
    "no": "votedNo",
    "abstain": "abstained",
    "absent": "nonVoting",  # GA: no recorded vote (absent, present not voting, Article 19)
    "not_voting": "nonVoting",  # HRC: member present in the record without a vote
}


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    non_voting: int
    members: int


@dataclass
class Ballots:
    """The states behind each direct vote property of one vote event."""

    by_property: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, prop: str, iso3: str) -> None:
        self.by_property[prop].append(iso3)

    def count(self, prop: str) -> int:
        return len(self.by_property.get(prop, []))

    def tally(self, members: int) -> Tally:
        return Tally(
            self.count("votedYes"),
            self.count("votedNo"),
            self.count("abstained"),
            self.count("nonVoting"),
            members,
        )


@dataclass(frozen=True)
class VoteEventInfo:
    event: URIRef
    document: URIRef
    body: str  # org slug
    vote_date: str
    result: str  # vote-result notation
    tally: Tally
    source: URIRef
    label: str
    identifier: str
    session: URIRef | None = None


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B} {d.year}"


def add_vote_event(g: Graph, info: VoteEventInfo, ballots: Ballots | None) -> None:
    """The vote event with its tallies and, when given, its direct vote triples.

    Raises :class:`ImportDataError` when the ballots do not add up to the tallies.
    """
    ev, t = info.event, info.tally
    if ballots is not None and ballots.tally(t.members) != t:
        raise ImportDataError(
            f"{info.label}: tallies {t} differ from the per-state votes {ballots.tally(t.members)}"
        )
    if t.yes + t.no + t.abstain + t.non_voting != t.members:
        raise ImportDataError(f"{info.label}: tallies {t} do not add up to the membership")
    g.add((ev, RDF.type, UNHR.VoteEvent))
    g.add((ev, RDFS.label, en(info.label)))
    g.add((ev, UNHR.onDocument, info.document))
    g.add((ev, UNHR.votingBody, org(info.body)))
    g.add((ev, UNHR.voteDate, date_literal(info.vote_date)))
    if info.session is not None:
        g.add((ev, UNHR.inSession, info.session))
    g.add((ev, UNHR.result, vocab("vote-result", info.result)))
    g.add((ev, UNHR.modality, vocab("vote-modality", "recorded")))
    g.add((ev, UNHR.yesCount, integer(t.yes)))
    g.add((ev, UNHR.noCount, integer(t.no)))
    g.add((ev, UNHR.abstainCount, integer(t.abstain)))
    g.add((ev, UNHR.nonVotingCount, integer(t.non_voting)))
    g.add((ev, UNHR.membershipCount, integer(t.members)))
    g.add((ev, DCTERMS.identifier, Literal(info.identifier)))
    g.add((ev, DCTERMS.source, info.source))
    if ballots is not None:
        for prop, states in ballots.by_property.items():
            for iso3 in states:
                g.add((ev, UNHR[prop], state(iso3)))


def _load_ballots(root: Path, known_states: set[str]) -> dict[tuple[str, str], Ballots]:
    """(symbol, date) → ballots, from the per-state CSV."""
    out: dict[tuple[str, str], Ballots] = defaultdict(Ballots)
    seen: set[tuple[str, str, str]] = set()
    for row in read_csv(root / BY_STATE_CSV):
        key = (row["symbol"].strip(), row["date"].strip())
        iso3, vote = row["iso3"].strip(), row["vote"].strip()
        if iso3 not in known_states:
            raise ImportDataError(f"{BY_STATE_CSV}: {iso3!r} is not a member state ({key})")
        if vote not in VOTE_PROPERTY:
            raise ImportDataError(f"{BY_STATE_CSV}: unknown vote {vote!r} ({key}, {iso3})")
        if (*key, iso3) in seen:
            raise ImportDataError(f"{BY_STATE_CSV}: {iso3} votes twice on {key}")
        seen.add((*key, iso3))
        out[key].add(VOTE_PROPERTY[vote], iso3)
    return out


def _add_session(g: Graph, body: BodyInfo, number: int, source: URIRef) -> URIRef:
    node = iri(f"session/{body.session_body}/{number}")
    g.add((node, RDF.type, UNHR.Session))
    g.add((node, RDFS.label, en(f"{ordinal(number)} {body.session_kind} of the {body.name}")))
    g.add((node, DCTERMS.source, source))
    return node


def build_body(root: Path, body: BodyInfo) -> Graph:
    """The recorded DPRK votes of one body (GA plenary or HRC)."""
    g = new_graph()
    known = {s.iso3 for s in load_member_states(root)}
    ballots = _load_ballots(root, known)
    used: set[tuple[str, str]] = set()
    for row in read_csv(root / SUMMARY_CSV):
        if row["body"].strip() != body.csv_name:
            continue
        symbol, vote_date = row["symbol"].strip(), row["date"].strip()
        if row["source"].strip() != body.data_set:
            raise ImportDataError(f"{SUMMARY_CSV}: {symbol} has source {row['source']!r}")
        source = dataset(body.data_set)
        tally = Tally(
            int(row["yes"]), int(row["no"]), int(row["abstain"]), int(row["absent"]),
            int(row["members"]),
        )  # fmt: skip
        if tally.yes <= tally.no:
            raise ImportDataError(f"{SUMMARY_CSV}: {symbol} has a resolution symbol but failed")
        title = row["description"].strip()
        res = doc(symbol)
        g.add((res, RDF.type, UNHR.Resolution))
        g.add((res, RDFS.label, en(f"{symbol}: {title}")))
        g.add((res, DCTERMS.title, en(title)))
        g.add((res, UNHR.documentSymbol, Literal(symbol)))
        g.add((res, UNHR.adoptedBy, org(body.slug)))
        g.add((res, UNHR.adoptionDate, date_literal(vote_date)))
        g.add((res, UNHR.concernsState, state("PRK")))
        g.add((res, RDFS.seeAlso, undocs(symbol)))
        g.add((res, DCTERMS.source, source))
        session = _add_session(g, body, int(row["session"]), source)
        key = (symbol, vote_date)
        if key not in ballots:
            raise ImportDataError(f"{BY_STATE_CSV}: no per-state votes for {symbol} {vote_date}")
        used.add(key)
        info = VoteEventInfo(
            event=URIRef(f"{res}/vote/{vote_date}"),
            document=res,
            body=body.slug,
            vote_date=vote_date,
            result="adopted",
            tally=tally,
            source=source,
            label=f"Recorded vote on {symbol} in the {body.name}, {long_date(vote_date)}",
            identifier=f"{body.data_set} {row['source_id'].strip()}",
            session=session,
        )
        add_vote_event(g, info, ballots[key])
    orphans = sorted(k for k in ballots if k not in used and k[0].startswith(_prefix(body)))
    if orphans:
        raise ImportDataError(f"{BY_STATE_CSV}: per-state votes without a summary row: {orphans}")
    return g


def _prefix(body: BodyInfo) -> str:
    return "A/HRC/" if body is HRC else "A/RES/"


def build_ga(root: Path) -> Graph:
    """The ``votes-ga-dprk`` graph."""
    return build_body(root, GA)


def build_hrc(root: Path) -> Graph:
    """The ``votes-hrc-dprk`` graph."""
    return build_body(root, HRC)
