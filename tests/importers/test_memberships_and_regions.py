"""Council memberships per year and M49 areas: the committed graphs against the CSV files.

The expected values are derived here from the CSV files with the ``csv`` module alone (no
importer code), by a rule stated the data sets' way, and anchored on what the source documents
say (the ROK and Japan on the Security Council in 2024; Albania on it in March 2023; the United
States returning to the Human Rights Council in 2021, when it was not a member).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

ROOT = Path(__file__).resolve().parents[2]
UNHR = Namespace("https://w3id.org/unhr/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ID = "https://w3id.org/unhr/id/"
P5 = {"CHN", "FRA", "GBR", "RUS", "USA"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _graph(name: str) -> Graph:
    return Graph().parse(ROOT / "data" / "reference" / f"{name}.ttl", format="turtle")


def _memberships(name: str) -> dict[int, dict[str, str]]:
    """year → {ISO3: role notation} from a committed membership graph."""
    g = _graph(name)
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for m in g.subjects(UNHR.year, None):
        year = int(str(g.value(m, UNHR.year)))
        iso3 = str(g.value(m, UNHR.member)).rsplit("/", 1)[1]
        role = str(g.value(m, UNHR.role)).rsplit("/", 1)[1]
        assert str(m) == f"{ID}membership/{name.split('-')[1]}/{iso3}/year/{year}"
        assert iso3 not in out[year]
        out[year][iso3] = role
    return out


# --- Security Council --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sc_names() -> dict[str, str]:
    """SC data set name → ISO3, via the member-state table's names (and the data set's typos)."""
    table: dict[str, str] = {}
    for r in _rows(ROOT / "data" / "reference" / "csv" / "un_member_states.csv"):
        for col in ("name_unterm_short", "name_unorg_2015"):
            table[r[col].replace(" (the)", "").strip()] = r["iso3"]
    table.update(
        {
            "United States": "USA",
            "United Kingdom": "GBR",
            "Russian Federation": "RUS",
            "Republic of Korea": "KOR",
            "Bolivia": "BOL",
            "Venezuela": "VEN",
            "Tanzania": "TZA",
            "Syria": "SYR",
            "Ethipia": "ETH",
            "Côte d'Ivoire": "CIV",
            "Turkey": "TUR",
            "Czech Republic": "CZE",
            "Congo": "COG",
            "Netherlands": "NLD",
            "Niger": "NER",
            "Philippines": "PHL",
            "Gambia": "GMB",
            "United Arab Emirates": "ARE",
            "Dominican Republic": "DOM",
        }
    )
    return table


@pytest.fixture(scope="module")
def sc_votes(sc_names: dict[str, str]) -> dict[int, dict[str, set[str]]]:
    """year → vote id → ISO3 codes recorded on that vote."""
    out: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(ROOT / "data" / "votes" / "csv" / "unsc_members_by_vote.csv"):
        out[int(r["Year"])][r["ID"]].add(sc_names[r["Member State"]])
    return out


def test_security_council_members_per_year(sc_votes: dict[int, dict[str, set[str]]]) -> None:
    graph = _memberships("memberships-unsc")
    assert sorted(graph) == sorted(sc_votes) == list(range(1994, 2026))
    for year, votes in sc_votes.items():
        members = graph[year]
        assert len(members) == 15, year
        assert {c for c, role in members.items() if role == "permanent-member"} == P5, year
        assert all(role == "elected-member" for c, role in members.items() if c not in P5)
        appearances = Counter(c for codes in votes.values() for c in codes)
        majority = {c for c, n in appearances.items() if 2 * n > len(votes)}
        if year == 1995:
            # Most 1995 votes carry other years' member lists: the year's members are the list
            # recorded on more votes than any other.
            modal, count = Counter(frozenset(v) for v in votes.values()).most_common(1)[0]
            assert set(members) == set(modal) and count >= 10
            assert majority == P5
        else:
            assert set(members) == majority, year


def test_security_council_members_the_sources_name() -> None:
    graph = _memberships("memberships-unsc")
    # nkdb-what-more: South Korea, Japan and the U.S. "set to be members of the UNSC in 2024".
    assert {"KOR", "JPN", "USA"} <= set(graph[2024])
    # un-indispensable-2024: the ROK elected "for 2024-25"; Albania a member in March 2023.
    assert "KOR" in graph[2025] and "KOR" not in graph[2023]
    assert "ALB" in graph[2023]


def test_a_wrong_member_list_does_not_make_a_member(
    sc_votes: dict[int, dict[str, set[str]]],
) -> None:
    """Singapore appears on 1995 votes (with another year's list) but was not a 1995 member."""
    assert any("SGP" in codes for codes in sc_votes[1995].values())
    assert "SGP" not in _memberships("memberships-unsc")[1995]


# --- Human Rights Council ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hrc_codes() -> tuple[list[int], dict[str, list[str]]]:
    """Vote years (in column order) and, per ISO3, its vote codes in the same order."""
    votes = _rows(ROOT / "data" / "votes" / "csv" / "unhrc_all_vote_data.csv")
    years = [int(v["Date"].split("/")[0]) for v in votes]
    with (ROOT / "data" / "votes" / "csv" / "unhrc_all_votes.csv").open(
        newline="", encoding="utf-8"
    ) as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header[1:] == [v["Resolution"] for v in votes]
        codes = {row[0]: row[1:] for row in reader}
    return years, codes


def test_human_rights_council_members_per_year(
    hrc_codes: tuple[list[int], dict[str, list[str]]],
) -> None:
    years, codes = hrc_codes
    per_year = Counter(years)
    expected: dict[int, set[str]] = defaultdict(set)
    for iso3, row in codes.items():
        member_votes = Counter(y for y, c in zip(years, row, strict=True) if c in "0123")
        for year, n in member_votes.items():
            if n * 10 >= per_year[year]:  # at least a tenth of the year's recorded votes
                expected[year].add(iso3)
    graph = _memberships("memberships-hrc")
    assert sorted(graph) == sorted(per_year) == list(range(2006, 2025))
    for year in per_year:
        assert set(graph[year]) == expected[year], year
        assert set(graph[year].values()) == {"elected-member"}
    # Calendar-year terms from 2013: 47 seats, one more where a member left during the year
    # (the United States in June 2018, replaced by Iceland; Russia suspended in April 2022).
    sizes = {y: len(graph[y]) for y in range(2012, 2025)}
    assert sizes == {y: 48 if y in (2018, 2022) else 47 for y in range(2012, 2025)}


def test_human_rights_council_facts_the_essay_touches() -> None:
    graph = _memberships("memberships-hrc")
    # The U.S. withdrew in June 2018 (a member then) and "returned to the HRC" in 2021 without
    # a seat: an observer that year, elected from 2022.
    assert "USA" in graph[2018] and "USA" not in graph[2021] and "USA" in graph[2022]
    # "South Korea lost its seat on the HRC" (essay, 2024): a member until 2022, not since.
    assert "KOR" in graph[2022] and "KOR" not in graph[2023] and "KOR" not in graph[2024]


def test_isolated_records_are_not_memberships(
    hrc_codes: tuple[list[int], dict[str, list[str]]],
) -> None:
    years, codes = hrc_codes
    swz_2011 = sum(1 for y, c in zip(years, codes["SWZ"], strict=True) if y == 2011 and c in "0123")
    assert swz_2011 == 1
    assert "SWZ" not in _memberships("memberships-hrc")[2011]


# --- M49 areas ---------------------------------------------------------------------------


def test_every_member_state_has_its_m49_region_and_sub_region() -> None:
    members = {
        r["iso3"] for r in _rows(ROOT / "data" / "reference" / "csv" / "un_member_states.csv")
    }
    rows = {
        r["ISO3166-1-Alpha-3"]: r
        for r in _rows(ROOT / "data" / "reference" / "csv" / "country-codes.csv")
        if r["ISO3166-1-Alpha-3"] in members
    }
    assert len(rows) == 193
    g = _graph("m49-regions")
    flags = {
        "ldc": "Least Developed Countries (LDC)",
        "lldc": "Land Locked Developing Countries (LLDC)",
        "sids": "Small Island Developing States (SIDS)",
    }
    for iso3, r in rows.items():
        node = URIRef(f"{ID}state/{iso3}")
        for prop, code_col, name_col in (
            (UNHR.m49Region, "Region Code", "Region Name"),
            (UNHR.m49SubRegion, "Sub-region Code", "Sub-region Name"),
            (UNHR.m49IntermediateRegion, "Intermediate Region Code", "Intermediate Region Name"),
        ):
            values = list(g.objects(node, prop))
            if not r[code_col]:
                assert values == [], (iso3, prop)
                continue
            assert values == [URIRef(f"{ID}vocab/m49-region/{int(r[code_col]):03d}")], iso3
            assert str(g.value(values[0], SKOS.prefLabel)) == r[name_col]
            assert str(g.value(values[0], SKOS.notation)) == f"{int(r[code_col]):03d}"
        groupings = {str(o).rsplit("/", 1)[1] for o in g.objects(node, UNHR.m49Grouping)}
        assert groupings == {slug for slug, col in flags.items() if r[col] == "x"}, iso3
        sub = g.value(node, UNHR.m49SubRegion)
        assert g.value(sub, SKOS.broader) == g.value(node, UNHR.m49Region), iso3
    dprk = URIRef(f"{ID}state/PRK")
    assert str(g.value(g.value(dprk, UNHR.m49SubRegion), SKOS.prefLabel)) == "Eastern Asia"
