"""``data/votes/votes-unsc-dprk.ttl``: every Security Council vote on a DPRK item, 2006-2024.

Inputs: ``data/votes/csv/unsc_dprk_resolutions.csv`` (one row per vote, dates corrected) and
``unsc_dprk_votes_by_member.csv`` (the 15 members' votes per vote event, names as stored).
Adopted texts become a ``unhr:Resolution`` voted on, with the draft as a
``unhr:DraftResolution`` (``unhr:draftOf``); vetoed drafts are voted on themselves, with
``unhr:vetoedBy`` for each permanent member that voted no. All 15 members' votes are direct
triples; the tallies must equal them and the ``voted_no`` / ``abstained`` columns.
"""

from __future__ import annotations

from collections import defaultdict
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
    new_graph,
    org,
    read_csv,
    state,
    undocs,
)
from kg.importers.state_names import StateNames
from kg.importers.votes import Ballots, Tally, VoteEventInfo, add_vote_event, long_date

RESOLUTIONS_CSV = VOTES_CSV / "unsc_dprk_resolutions.csv"
BY_MEMBER_CSV = VOTES_CSV / "unsc_dprk_votes_by_member.csv"

PERMANENT_MEMBERS = frozenset({"CHN", "FRA", "GBR", "RUS", "USA"})
SC_MEMBERS = 15
OUTCOMES = {"Adopted unanimously": "adopted", "Adopted": "adopted", "Not adopted - veto": "vetoed"}
VOTE_PROPERTY = {"Yes": "votedYes", "No": "votedNo", "Abstain": "abstained"}


def _names(cell: str, sep: str, names: StateNames) -> list[str]:
    return sorted(names.iso3(n) for n in cell.split(sep) if n.strip())


def _load_ballots(root: Path, names: StateNames) -> dict[str, tuple[str, Ballots]]:
    """Vote-event id (``ID`` column) → (date as stored, ballots)."""
    out: dict[str, tuple[str, Ballots]] = {}
    members: dict[str, set[str]] = defaultdict(set)
    for row in read_csv(root / BY_MEMBER_CSV):
        ident, vote = row["ID"].strip(), row["Vote"].strip()
        iso3 = names.iso3(row["Member State"])
        if vote not in VOTE_PROPERTY:
            raise ImportDataError(f"{BY_MEMBER_CSV}: unknown vote {vote!r} (ID={ident})")
        if iso3 in members[ident]:
            raise ImportDataError(f"{BY_MEMBER_CSV}: {iso3} votes twice (ID={ident})")
        members[ident].add(iso3)
        stored, ballots = out.setdefault(ident, (row["Date"].strip(), Ballots()))
        if stored != row["Date"].strip():
            raise ImportDataError(f"{BY_MEMBER_CSV}: two dates for ID={ident}")
        ballots.add(VOTE_PROPERTY[vote], iso3)
    return out


def _add_document(
    g: Graph, node: URIRef, cls: URIRef, symbol: str, label: str, source: URIRef
) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, en(label)))
    g.add((node, UNHR.documentSymbol, Literal(symbol)))
    g.add((node, UNHR.concernsState, state("PRK")))
    g.add((node, RDFS.seeAlso, undocs(symbol)))
    g.add((node, DCTERMS.source, source))


def build(root: Path) -> Graph:
    """The ``votes-unsc-dprk`` graph."""
    g = new_graph()
    names = StateNames(root)
    source = dataset("unsc-voting")
    ballots_by_id = _load_ballots(root, names)
    used: set[str] = set()
    for row in read_csv(root / RESOLUTIONS_CSV):
        ident = row["source_id"].strip().removeprefix("ID=")
        symbol, draft = row["symbol"].strip(), row["draft"].strip()
        vote_date, item = row["date"].strip(), row["agenda_item"].strip()
        outcome = OUTCOMES.get(row["outcome"].strip())
        if outcome is None:
            raise ImportDataError(f"{RESOLUTIONS_CSV}: unknown outcome {row['outcome']!r}")
        if (outcome == "adopted") != bool(symbol):
            raise ImportDataError(f"{RESOLUTIONS_CSV}: {draft}: outcome and symbol disagree")
        if ident not in ballots_by_id:
            raise ImportDataError(f"{BY_MEMBER_CSV}: no member votes for ID={ident} ({draft})")
        stored, ballots = ballots_by_id[ident]
        if stored != row["date_as_stored"].strip():
            raise ImportDataError(f"ID={ident}: stored dates differ between the two CSVs")
        used.add(ident)
        tally = Tally(int(row["yes"]), int(row["no"]), int(row["abstain"]), 0, SC_MEMBERS)
        no_votes = _names(row["voted_no"], ";", names)
        abstentions = _names(row["abstained"], ";", names)
        if (
            sorted(ballots.by_property.get("votedNo", [])) != no_votes
            or sorted(ballots.by_property.get("abstained", [])) != abstentions
        ):
            raise ImportDataError(f"ID={ident}: voted_no/abstained disagree with member votes")

        draft_node = doc(draft)
        what = "vetoed draft resolution" if outcome == "vetoed" else "draft resolution"
        _add_document(
            g, draft_node, UNHR.DraftResolution, draft,
            f"{draft}: {what} in the Security Council under the item “{item}”", source,
        )  # fmt: skip
        submitted = row["submitted_by"].strip()
        if submitted and submitted != "President":
            for iso3 in _names(submitted, ",", names):
                g.add((draft_node, UNHR.sponsor, state(iso3)))
        if outcome == "adopted":
            voted_on = doc(symbol)
            _add_document(
                g, voted_on, UNHR.Resolution, symbol,
                f"{symbol}: Security Council resolution under the item “{item}”", source,
            )  # fmt: skip
            g.add((voted_on, UNHR.adoptedBy, org("unsc")))
            g.add((voted_on, UNHR.adoptionDate, date_literal(vote_date)))
            g.add((draft_node, UNHR.draftOf, voted_on))
        else:
            voted_on = draft_node
        event = URIRef(f"{voted_on}/vote/{vote_date}")
        add_vote_event(
            g,
            VoteEventInfo(
                event=event,
                document=voted_on,
                body="unsc",
                vote_date=vote_date,
                result=outcome,
                tally=tally,
                source=source,
                label=f"Vote in the Security Council on {symbol or draft}, {long_date(vote_date)}",
                identifier=f"unsc-voting ID={ident}",
            ),
            ballots,
        )
        if outcome == "vetoed":
            vetoes = sorted(PERMANENT_MEMBERS.intersection(no_votes))
            if not vetoes:
                raise ImportDataError(f"{draft}: vetoed but no permanent member voted no")
            for iso3 in vetoes:
                g.add((event, UNHR.vetoedBy, state(iso3)))
    extra = sorted(set(ballots_by_id) - used)
    if extra:
        raise ImportDataError(f"{BY_MEMBER_CSV}: vote events not in {RESOLUTIONS_CSV}: {extra}")
    return g
