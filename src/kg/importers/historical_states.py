"""``data/reference/historical-states.ttl``: states that voted in UN bodies but are not among
today's 193 members, with the states that took their place.

Input: ``data/reference/csv/historical_states.csv``, transcribed for this project from the notes
on changes of membership of the un.org "Member States" page and from ISO 3166-3 (see the
``SOURCE.md`` beside it). A former state (``former`` = ``yes``) is a ``unhr:FormerState`` at
``state/{code}``: its withdrawn ISO alpha-3 code where ISO gave it one of its own (also its
``unhr:iso3``), otherwise its Correlates of War abbreviation (YAR, ZAN; no ``unhr:iso3``). It
carries its admission date, the date it ceased to exist (``unhr:endDate``), its successors
(``unhr:successorState``; ``unhr:continuedBy`` for the one that continued its UN membership) and
a UN membership node with start and end. Taiwan is a plain ``unhr:State``: its government held
China's seat until 1971 and the voting data sets record those votes as Taiwan's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal

from kg.importers.common import (
    DCTERMS,
    REFERENCE_CSV,
    SKOS,
    UNHR,
    ImportDataError,
    dataset,
    date_literal,
    en,
    iri,
    new_graph,
    org,
    read_csv,
    state,
    vocab,
)
from kg.importers.member_states import load_member_states

HISTORICAL_STATES_CSV = REFERENCE_CSV / "historical_states.csv"
SOURCE = "un-membership-history"


@dataclass(frozen=True)
class HistoricalState:
    code: str
    former: bool
    iso3: str
    iso2: str
    m49: str
    name: str
    alt_names: tuple[str, ...]
    admission_date: str
    end_date: str
    membership_end: str
    successors: tuple[str, ...]
    continued_by: str
    note: str


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def load_historical_states(root: Path) -> list[HistoricalState]:
    """The table, checked: codes unique and not those of member states, successors members."""
    members = {s.iso3 for s in load_member_states(root)}
    out: list[HistoricalState] = []
    for row in read_csv(root / HISTORICAL_STATES_CSV):
        s = HistoricalState(
            code=row["code"].strip(),
            former=row["former"].strip() == "yes",
            iso3=row["iso3"].strip(),
            iso2=row["iso2"].strip(),
            m49=row["m49"].strip(),
            name=row["name"].strip(),
            alt_names=_split(row["alt_names"]),
            admission_date=row["admission_date"].strip(),
            end_date=row["end_date"].strip(),
            membership_end=row["membership_end"].strip(),
            successors=_split(row["successors"]),
            continued_by=row["continued_by"].strip(),
            note=" ".join(row["note"].split()),
        )
        where = f"{HISTORICAL_STATES_CSV}: {s.code}"
        if s.code in members:
            raise ImportDataError(f"{where}: a member state, described in un-member-states")
        if s.iso3 and s.iso3 != s.code:
            raise ImportDataError(f"{where}: the IRI code must be its ISO code {s.iso3}")
        unknown = [c for c in (*s.successors, s.continued_by) if c and c not in members]
        if unknown:
            raise ImportDataError(f"{where}: successors that are not member states: {unknown}")
        if s.former and not (s.successors or s.continued_by):
            raise ImportDataError(f"{where}: a former state needs successors")
        out.append(s)
    codes = [s.code for s in out]
    if len(set(codes)) != len(codes):
        raise ImportDataError(f"{HISTORICAL_STATES_CSV}: duplicate codes")
    return sorted(out, key=lambda s: s.code)


def build(root: Path) -> Graph:
    """The ``historical-states`` graph."""
    g = new_graph()
    source = dataset(SOURCE)
    for s in load_historical_states(root):
        node = state(s.code)
        g.add((node, RDF.type, UNHR.FormerState if s.former else UNHR.State))
        g.add((node, RDFS.label, en(s.name)))
        for alt in s.alt_names:
            g.add((node, SKOS.altLabel, en(alt)))
        g.add((node, RDFS.comment, en(s.note)))
        for prop, value in ((UNHR.iso3, s.iso3), (UNHR.iso2, s.iso2), (UNHR.m49, s.m49)):
            if value:
                g.add((node, prop, Literal(value)))
        if s.admission_date:
            g.add((node, UNHR.admissionDate, date_literal(s.admission_date)))
        if s.end_date:
            g.add((node, UNHR.endDate, date_literal(s.end_date)))
        for successor in s.successors:
            g.add((node, UNHR.successorState, state(successor)))
        if s.continued_by:
            g.add((node, UNHR.continuedBy, state(s.continued_by)))
        g.add((node, DCTERMS.source, source))
        if s.admission_date:
            member = iri(f"state/{s.code}/membership/un")
            g.add((member, RDF.type, UNHR.Membership))
            g.add((member, RDFS.label, en(f"{s.name}: member of the United Nations")))
            g.add((member, UNHR.member, node))
            g.add((member, UNHR.memberOf, org("un")))
            g.add((member, UNHR.role, vocab("role", "member")))
            g.add((member, UNHR.startDate, date_literal(s.admission_date)))
            if s.membership_end:
                g.add((member, UNHR.endDate, date_literal(s.membership_end)))
            g.add((member, DCTERMS.source, source))
    return g
