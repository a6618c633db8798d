"""What the generated graphs say: member states, bodies, votes and their tallies.

Queries run on the repository's store (``repo_store``, every committed file in its named graph),
so they check the committed Turtle; the last tests feed the importers broken copies of the CSV
files and expect them to refuse.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.importers import ImportDataError, render_all

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = """
PREFIX unhr: <https://w3id.org/unhr/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
BASE <https://w3id.org/unhr/id/>
"""
G = "https://w3id.org/unhr/graph/"
ID = "https://w3id.org/unhr/id/"


def rows(store: Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]


def test_193_member_states_each_with_codes(repo_store: Store) -> None:
    found = rows(
        repo_store,
        f"""SELECT ?s (COUNT(DISTINCT ?i2) AS ?n2) (COUNT(DISTINCT ?i3) AS ?n3)
               (COUNT(DISTINCT ?m) AS ?nm) (SAMPLE(?i2) AS ?iso2) (SAMPLE(?i3) AS ?iso3)
               (SAMPLE(?m) AS ?m49)
        WHERE {{ GRAPH <{G}un-member-states> {{
            ?s a unhr:State .
            OPTIONAL {{ ?s unhr:iso2 ?i2 }} OPTIONAL {{ ?s unhr:iso3 ?i3 }}
            OPTIONAL {{ ?s unhr:m49 ?m }} }} }} GROUP BY ?s""",
    )
    assert len(found) == 193
    for r in found:
        assert r["n2"] == r["n3"] == r["nm"] == "1", r
        assert r["s"] == f"{ID}state/{r['iso3']}"
        assert len(r["iso2"]) == 2 and len(r["iso3"]) == 3 and len(r["m49"]) == 3, r
    by_iso3 = {r["iso3"]: r for r in found}
    assert by_iso3["NAM"]["iso2"] == "NA"
    assert by_iso3["NAM"]["m49"] == "516"
    assert by_iso3["PRK"]["iso2"] == "KP" and by_iso3["PRK"]["m49"] == "408"
    assert by_iso3["AFG"]["m49"] == "004"


def test_korean_states_common_names_and_membership(repo_store: Store) -> None:
    found = rows(
        repo_store,
        f"""SELECT ?iso3 ?alt ?start WHERE {{ GRAPH <{G}un-member-states> {{
            ?s unhr:iso3 ?iso3 ; skos:altLabel ?alt .
            ?m unhr:member ?s ; unhr:memberOf <org/un> ; unhr:startDate ?start .
            FILTER(?iso3 IN ("PRK", "KOR")) }} }}""",
    )
    pairs = {(r["iso3"], r["alt"], r["start"]) for r in found}
    assert ("PRK", "North Korea", "1991-09-17") in pairs
    assert ("KOR", "South Korea", "1991-09-17") in pairs


def test_body_hierarchy(repo_store: Store) -> None:
    found = rows(
        repo_store,
        f"""SELECT ?child ?parent WHERE {{ GRAPH <{G}un-bodies> {{
            ?c org:subOrganizationOf|org:unitOf ?p }}
            BIND(STRAFTER(STR(?c), "/id/org/") AS ?child)
            BIND(STRAFTER(STR(?p), "/id/org/") AS ?parent)
        }}""",
    )
    edges = {(r["child"], r["parent"]) for r in found}
    for edge in [
        ("unga", "un"),
        ("unga-c3", "unga"),
        ("hrc", "unga"),
        ("chr", "ecosoc"),
        ("ohchr", "unsg"),
        ("ohchr-seoul", "ohchr"),
        ("coi-dprk", "hrc"),
        ("unsc-1718-cttee", "unsc"),
    ]:
        assert edge in edges, edge
    assert not [e for e in edges if e[0] == "icc"], "the ICC is not part of the UN"
    monitors = rows(
        repo_store,
        f"""SELECT ?b ?id WHERE {{ GRAPH <{G}un-bodies> {{
            ?b unhr:monitors ?t . ?t a unhr:Treaty ; unhr:untcId ?id }} }}""",
    )
    assert {(r["b"][len(ID) :], r["id"]) for r in monitors} == {
        ("org/ccpr-cttee", "IV-4"),
        ("org/cescr-cttee", "IV-3"),
        ("org/cedaw-cttee", "IV-8"),
        ("org/crc-cttee", "IV-11"),
        ("org/crpd-cttee", "IV-15"),
    }


VOTE_COUNTS = """SELECT ?ev ?yes ?no ?abst ?nv ?members
    (COUNT(DISTINCT ?y) AS ?ny) (COUNT(DISTINCT ?n) AS ?nn)
    (COUNT(DISTINCT ?a) AS ?na) (COUNT(DISTINCT ?x) AS ?nx)
WHERE {{ GRAPH <{graph}> {{
    ?ev a unhr:VoteEvent ; unhr:yesCount ?yes ; unhr:noCount ?no ; unhr:abstainCount ?abst ;
        unhr:nonVotingCount ?nv ; unhr:membershipCount ?members .
    {{ ?ev unhr:votedYes ?y }} UNION {{ ?ev unhr:votedNo ?n }} UNION
    {{ ?ev unhr:abstained ?a }} UNION {{ ?ev unhr:nonVoting ?x }} }} }}
GROUP BY ?ev ?yes ?no ?abst ?nv ?members"""


@pytest.mark.parametrize(
    ("graph", "events"),
    [("votes-ga-dprk", 9), ("votes-hrc-dprk", 5), ("votes-unsc-dprk", 26)],
)
def test_direct_vote_triples_equal_tallies(repo_store: Store, graph: str, events: int) -> None:
    found = rows(repo_store, VOTE_COUNTS.format(graph=G + graph))
    assert len(found) == events
    for r in found:
        assert (r["ny"], r["nn"], r["na"], r["nx"]) == (r["yes"], r["no"], r["abst"], r["nv"]), r
        total = sum(int(r[k]) for k in ("yes", "no", "abst", "nv"))
        assert total == int(r["members"]), r


def test_a_res_69_188_tally_is_the_data_sets(repo_store: Store) -> None:
    with (ROOT / "data/votes/csv/dprk_votes_summary.csv").open(newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["symbol"] == "A/RES/69/188")
    assert (row["yes"], row["no"], row["abstain"], row["absent"]) == ("116", "20", "53", "4")
    found = rows(
        repo_store,
        f"""SELECT ?yes ?no ?abst ?nv ?session ?res WHERE {{ GRAPH <{G}votes-ga-dprk> {{
            <doc/A/RES/69/188/vote/2014-12-18> unhr:onDocument <doc/A/RES/69/188> ;
                unhr:yesCount ?yes ; unhr:noCount ?no ; unhr:abstainCount ?abst ;
                unhr:nonVotingCount ?nv ; unhr:inSession ?session ; unhr:result ?res .
            <doc/A/RES/69/188> unhr:documentSymbol "A/RES/69/188" ;
                unhr:concernsState <state/PRK> ; unhr:adoptedBy <org/unga> }} }}""",
    )
    assert found == [
        {
            "yes": "116",
            "no": "20",
            "abst": "53",
            "nv": "4",
            "session": f"{ID}session/unga/69",
            "res": f"{ID}vocab/vote-result/adopted",
        }
    ]
    votes = rows(
        repo_store,
        f"""SELECT ?p WHERE {{ GRAPH <{G}votes-ga-dprk> {{
            <doc/A/RES/69/188/vote/2014-12-18> ?p <state/KOR> }} }}""",
    )
    assert [r["p"] for r in votes] == ["https://w3id.org/unhr/ontology#votedYes"]


def test_sc_vetoes(repo_store: Store) -> None:
    found = rows(
        repo_store,
        f"""SELECT ?draft ?who WHERE {{ GRAPH <{G}votes-unsc-dprk> {{
            ?ev unhr:vetoedBy ?s ; unhr:onDocument ?d ;
                unhr:result <vocab/vote-result/vetoed> .
            ?d a unhr:DraftResolution ; unhr:documentSymbol ?draft }}
            GRAPH <{G}un-member-states> {{ ?s unhr:iso3 ?who }} }}""",
    )
    assert {(r["draft"], r["who"]) for r in found} == {
        ("S/2022/431", "CHN"),
        ("S/2022/431", "RUS"),
        ("S/2024/255", "RUS"),
    }


# --------------------------------------------------------------------------- refusing bad input


@pytest.fixture
def scratch_root(tmp_path: Path) -> Path:
    for folder in ("data/reference/csv", "data/votes/csv"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _rewrite(path: Path, change: dict[str, str], where: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        data = list(reader)
    for r in data:
        if all(r[k] == v for k, v in where.items()):
            r.update(change)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(data)


def test_scratch_copy_renders(scratch_root: Path) -> None:
    assert len(render_all(scratch_root)) == 11  # with historical-states.ttl


def test_refuses_a_tally_that_disagrees_with_the_states(scratch_root: Path) -> None:
    _rewrite(
        scratch_root / "data/votes/csv/dprk_votes_summary.csv",
        {"yes": "117", "absent": "3"},
        {"symbol": "A/RES/69/188"},
    )
    with pytest.raises(ImportDataError, match="A/RES/69/188"):
        render_all(scratch_root)


def test_refuses_an_unknown_sc_member_name(scratch_root: Path) -> None:
    _rewrite(
        scratch_root / "data/votes/csv/unsc_dprk_votes_by_member.csv",
        {"Member State": "Freedonia"},
        {"ID": "1825", "Member State": "Gabon"},
    )
    with pytest.raises(ImportDataError, match="Freedonia"):
        render_all(scratch_root)


def test_refuses_a_member_table_without_193_rows(scratch_root: Path) -> None:
    path = scratch_root / "data/reference/csv/un_member_states.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(ImportDataError, match="193"):
        render_all(scratch_root)
