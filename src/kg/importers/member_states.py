"""``data/reference/un-member-states.ttl``: the 193 UN member states and their UN membership.

Input: ``data/reference/csv/un_member_states.csv`` (joined from country-codes and the un.org
2015 member list). Every state gets its UNTERM short name as ``rdfs:label``, other names as
``skos:altLabel``, ISO alpha-2/alpha-3 and M49 codes, its admission date, and a
``unhr:Membership`` of the UN starting on that date.
"""

from __future__ import annotations

import re
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

MEMBER_STATES_CSV = REFERENCE_CSV / "un_member_states.csv"
EXPECTED_MEMBERS = 193

#: Common English names that no input data set gives but the contract requires.
COMMON_NAMES: dict[str, tuple[str, ...]] = {
    "PRK": ("North Korea",),
    "KOR": ("South Korea",),
}


@dataclass(frozen=True)
class MemberState:
    iso3: str
    iso2: str
    m49: str
    name: str
    formal_name: str
    unorg_name: str
    admission_date: str
    wikidata_qid: str

    @property
    def alt_labels(self) -> tuple[str, ...]:
        formal = re.sub(r"^the\s+", "", self.formal_name.strip())
        names = [formal, self.unorg_name.strip(), *COMMON_NAMES.get(self.iso3, ())]
        out: list[str] = []
        for n in names:
            if n and n != self.name and n not in out:
                out.append(n)
        return tuple(out)


def load_member_states(root: Path) -> list[MemberState]:
    """The member states from the CSV, checked (193 rows, unique well-formed codes)."""
    rows = read_csv(root / MEMBER_STATES_CSV)
    states = [
        MemberState(
            iso3=r["iso3"].strip(),
            iso2=r["iso2"].strip(),
            m49=r["m49"].strip(),
            name=r["name_unterm_short"].strip(),
            formal_name=r["name_unterm_formal"].strip(),
            unorg_name=r["name_unorg_2015"].strip(),
            admission_date=r["admission_date"].strip(),
            wikidata_qid=r["wikidata_qid"].strip(),
        )
        for r in rows
    ]
    if len(states) != EXPECTED_MEMBERS:
        raise ImportDataError(f"{MEMBER_STATES_CSV}: {len(states)} rows, expected 193")
    for field, pattern in (("iso3", r"[A-Z]{3}"), ("iso2", r"[A-Z]{2}"), ("m49", r"\d{3}")):
        values = [getattr(s, field) for s in states]
        bad = [v for v in values if not re.fullmatch(pattern, v)]
        if bad:
            raise ImportDataError(f"{MEMBER_STATES_CSV}: malformed {field} values {bad}")
        if len(set(values)) != len(values):
            raise ImportDataError(f"{MEMBER_STATES_CSV}: duplicate {field} values")
    return sorted(states, key=lambda s: s.iso3)


def build(root: Path) -> Graph:
    """The ``un-member-states`` graph."""
    g = new_graph()
    un = org("un")
    codes, unorg = dataset("country-codes"), dataset("unorg-member-states-2015")
    for s in load_member_states(root):
        node = state(s.iso3)
        g.add((node, RDF.type, UNHR.State))
        g.add((node, RDFS.label, en(s.name)))
        for alt in s.alt_labels:
            g.add((node, SKOS.altLabel, en(alt)))
        g.add((node, UNHR.iso2, Literal(s.iso2)))
        g.add((node, UNHR.iso3, Literal(s.iso3)))
        g.add((node, UNHR.m49, Literal(s.m49)))
        g.add((node, UNHR.admissionDate, date_literal(s.admission_date)))
        g.add((node, DCTERMS.source, codes))
        g.add((node, DCTERMS.source, unorg))

        member = iri(f"state/{s.iso3}/membership/un")
        g.add((member, RDF.type, UNHR.Membership))
        g.add((member, RDFS.label, en(f"{s.name}: member of the United Nations")))
        g.add((member, UNHR.member, node))
        g.add((member, UNHR.memberOf, un))
        g.add((member, UNHR.role, vocab("role", "member")))
        g.add((member, UNHR.startDate, date_literal(s.admission_date)))
        g.add((member, DCTERMS.source, unorg))
    return g
