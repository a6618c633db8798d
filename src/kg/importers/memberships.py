"""``data/reference/memberships-{unsc,hrc}.ttl``: Council memberships per state and year.

A state recorded on a body's roll calls in a calendar year was a member that year. Each such
(state, body, year) becomes one ``unhr:Membership`` node ``membership/{body}/{ISO3}/year/{yyyy}``
with ``unhr:year``: it says the state sat on the body in that year, not when its term began.

Security Council (``data/votes/csv/unsc_members_by_vote.csv``, from the unsc-voting data set,
1994 to June 2025): Council terms are calendar years, so a year has one set of 15 members. The
data set attaches wrong member lists to some votes (most of 1995, where 55 of 66 votes list
the members of other years; single votes in 1997, 1999 and 2001), so the members of a year are
the member list most often recorded together on one of that year's votes. Roles: the five
permanent members of the Charter (Art. 23) are ``permanent-member``, the others
``elected-member``. "Ethipia" is the data set's typo for Ethiopia.

Human Rights Council (``unhrc_all_votes.csv`` and ``unhrc_all_vote_data.csv``, from the
unhrc-votes data set, June 2006 to October 2024): codes 0-3 (no, yes, abstain, present without
a vote) mark a member, 4 a non-member. Terms changed in June until 2012 and a member can leave
during a year (the United States in 2018, Russia's suspension in 2022), so a state is a member
in a year when it is recorded as a member on at least :data:`HRC_MIN_SHARE` of that year's
recorded votes; this drops isolated records that contradict the rest of the year (Slovenia and
Eswatini on one vote in 2011, nine incoming members on two votes of September 2016, Algeria on
one vote in 2022). Role: ``elected-member`` (every Council member is elected by the General
Assembly). Years are only those with recorded votes in the data set; a state that was never
recorded is absent, which does not prove that it was not a member.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import XSD

from kg.importers.common import (
    DCTERMS,
    UNHR,
    VOTES_CSV,
    ImportDataError,
    dataset,
    en,
    iri,
    new_graph,
    org,
    read_csv,
    state,
    vocab,
)
from kg.importers.member_states import load_member_states
from kg.importers.state_names import StateNames

UNSC_MEMBERS_CSV = VOTES_CSV / "unsc_members_by_vote.csv"
HRC_VOTES_CSV = VOTES_CSV / "unhrc_all_votes.csv"
HRC_VOTE_DATA_CSV = VOTES_CSV / "unhrc_all_vote_data.csv"

#: The permanent members of the Security Council (UN Charter, Art. 23).
PERMANENT_MEMBERS = frozenset({"CHN", "FRA", "GBR", "RUS", "USA"})
UNSC_SEATS = 15
#: HRC vote codes that mark a member (no, yes, abstain, present without a vote); 4 = not a member.
HRC_MEMBER_CODES = frozenset({"0", "1", "2", "3"})
HRC_MIN_SHARE = 0.10


def unsc_members_by_year(root: Path) -> dict[int, frozenset[str]]:
    """Year → ISO alpha-3 codes of the 15 Council members, from the modal member list."""
    names = StateNames(root)
    per_vote: dict[str, set[str]] = defaultdict(set)
    year_of: dict[str, int] = {}
    for row in read_csv(root / UNSC_MEMBERS_CSV):
        vote = row["ID"]
        year = int(row["Year"])
        if year_of.setdefault(vote, year) != year:
            raise ImportDataError(f"{UNSC_MEMBERS_CSV}: vote {vote} has two years")
        per_vote[vote].add(names.iso3(row["Member State"]))
    lists: dict[int, Counter[frozenset[str]]] = defaultdict(Counter)
    for vote, recorded in per_vote.items():
        lists[year_of[vote]][frozenset(recorded)] += 1
    out: dict[int, frozenset[str]] = {}
    for year, counter in sorted(lists.items()):
        (members, count), *rest = counter.most_common()
        if rest and rest[0][1] == count:
            raise ImportDataError(f"{UNSC_MEMBERS_CSV}: {year}: no single most frequent list")
        if len(members) != UNSC_SEATS or not members >= PERMANENT_MEMBERS:
            raise ImportDataError(f"{UNSC_MEMBERS_CSV}: {year}: odd member list {sorted(members)}")
        out[year] = members
    return out


def hrc_members_by_year(root: Path) -> dict[int, frozenset[str]]:
    """Year → ISO alpha-3 codes of the states recorded as HRC members on enough of its votes."""
    votes = read_csv(root / HRC_VOTE_DATA_CSV)
    years = [int(v["Date"][:4]) for v in votes]
    votes_in_year = Counter(years)
    known = {s.iso3 for s in load_member_states(root)}
    recorded: dict[int, Counter[str]] = defaultdict(Counter)
    for row in read_csv(root / HRC_VOTES_CSV):
        iso3 = row["Country"]
        if iso3 not in known:
            raise ImportDataError(f"{HRC_VOTES_CSV}: unknown country code {iso3!r}")
        codes = [row[v["Resolution"]] for v in votes]
        if len(codes) != len(years):
            raise ImportDataError(f"{HRC_VOTES_CSV}: {iso3}: {len(codes)} codes")
        for year, code in zip(years, codes, strict=True):
            if code not in HRC_MEMBER_CODES | {"4"}:
                raise ImportDataError(f"{HRC_VOTES_CSV}: {iso3}: unknown vote code {code!r}")
            if code in HRC_MEMBER_CODES:
                recorded[year][iso3] += 1
    return {
        year: frozenset(
            iso3 for iso3, n in recorded[year].items() if n >= HRC_MIN_SHARE * votes_in_year[year]
        )
        for year in sorted(votes_in_year)
    }


def _build(
    root: Path,
    members: dict[int, frozenset[str]],
    body: str,
    body_label: str,
    source: str,
    roles: dict[str, str],
) -> Graph:
    g = new_graph()
    names = {s.iso3: s.name for s in load_member_states(root)}
    for year, codes in members.items():
        for iso3 in sorted(codes):
            node = iri(f"membership/{body}/{iso3}/year/{year}")
            g.add((node, RDF.type, UNHR.Membership))
            g.add((node, RDFS.label, en(f"{names[iso3]}: member of the {body_label} in {year}")))
            g.add((node, UNHR.member, state(iso3)))
            g.add((node, UNHR.memberOf, org(body)))
            g.add((node, UNHR.role, vocab("role", roles.get(iso3, "elected-member"))))
            g.add((node, UNHR.year, Literal(str(year), datatype=XSD.gYear)))
            g.add((node, DCTERMS.source, dataset(source)))
    return g


def build_unsc(root: Path) -> Graph:
    """The ``memberships-unsc`` graph."""
    roles = {iso3: "permanent-member" for iso3 in PERMANENT_MEMBERS}
    members = unsc_members_by_year(root)
    return _build(root, members, "unsc", "Security Council", "unsc-voting", roles)


def build_hrc(root: Path) -> Graph:
    """The ``memberships-hrc`` graph."""
    members = hrc_members_by_year(root)
    return _build(root, members, "hrc", "Human Rights Council", "unhrc-votes", {})
