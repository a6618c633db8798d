"""The voting-history converters (kg.importers.history) on slices cut from the real data sets.

Expected values come from the CSV rows of the slices (read here with the csv module, not with
the converter) and from facts about the votes themselves (who voted against Cuba's embargo
resolution in 2019, when the Council adopted which resolution), never from the converter's
output. ``tests/fixtures/history/README.md`` lists what each slice holds.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.importers import historical_states, unsc_votes, votes
from kg.importers.historical_states import load_historical_states
from kg.importers.history import ga, hrc, sc
from kg.importers.history.cache import convert as cache_convert
from kg.importers.history.model import clean_text
from kg.importers.history.subset import DprkSubset
from kg.validation import validate_paths

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "history"
GA_IN, SC_IN, HRC_IN = FIXTURES / "unvotes", FIXTURES / "unsc-voting", FIXTURES / "unhrc-votes"
ID = "https://w3id.org/unhr/id/"
U = "https://w3id.org/unhr/ontology#"
POSITION = {"yes": "votedYes", "no": "votedNo", "abstain": "abstained"}


def iri(path: str) -> URIRef:
    return URIRef(ID + path)


def unhr(local: str) -> URIRef:
    return URIRef(U + local)


def convert(module: object, folder: Path, **kwargs: object) -> tuple[Graph, str]:
    out = io.StringIO()
    module.convert(folder, ROOT, out, **kwargs)  # type: ignore[attr-defined]
    text = out.getvalue()
    return Graph().parse(data=text, format="nt"), text


@pytest.fixture(scope="module")
def ga_graph() -> Graph:
    return convert(ga, GA_IN)[0]


@pytest.fixture(scope="module")
def sc_graph() -> Graph:
    return convert(sc, SC_IN)[0]


@pytest.fixture(scope="module")
def hrc_graph() -> Graph:
    return convert(hrc, HRC_IN)[0]


def ga_rows(rcid: str) -> list[dict[str, str]]:
    with (GA_IN / "unvotes.csv").open(newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["rcid"] == rcid]


def voters(g: Graph, event: URIRef, position: str) -> set[str]:
    return {str(o).removeprefix(ID + "state/") for o in g.objects(event, unhr(position))}


# -- General Assembly ---------------------------------------------------------------------------


def test_ga_modern_roll_call_tallies_and_voters(ga_graph: Graph) -> None:
    event = iri("doc/A/RES/74/7/vote/2019-11-07")
    rows = ga_rows("9058")
    counted = Counter(r["vote"] for r in rows)
    assert ga_graph.value(event, unhr("yesCount")).toPython() == counted["yes"]
    assert ga_graph.value(event, unhr("noCount")).toPython() == counted["no"]
    assert ga_graph.value(event, unhr("abstainCount")).toPython() == counted["abstain"]
    # Known outcome of A/RES/74/7 (the embargo against Cuba, 7 November 2019): 187-3-2.
    assert (counted["yes"], counted["no"], counted["abstain"]) == (187, 3, 2)
    assert voters(ga_graph, event, "votedNo") == {"USA", "ISR", "BRA"}
    assert voters(ga_graph, event, "abstained") == {"COL", "UKR"}
    assert ga_graph.value(event, unhr("voteDate")) == Literal("2019-11-07", datatype=XSD.date)
    assert ga_graph.value(event, unhr("inSession")) == iri("session/unga/74")
    assert (event, RDF.type, unhr("VoteEvent")) in ga_graph
    assert ga_graph.value(event, unhr("onDocument")) == iri("doc/A/RES/74/7")
    assert ga_graph.value(event, unhr("votingBody")) == iri("org/unga")
    # Yugoslavia's code after 2000 is Serbia; Russia's after 1991 the Russian Federation.
    assert "SRB" in voters(ga_graph, event, "votedYes")
    assert "RUS" in voters(ga_graph, event, "votedYes")
    # No absences in the data set: no non-voting triples, counts or membership.
    assert not voters(ga_graph, event, "nonVoting")
    assert ga_graph.value(event, unhr("membershipCount")) is None


def test_ga_every_vote_row_is_one_direct_triple(ga_graph: Graph) -> None:
    with (GA_IN / "unvotes.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["rcid"] != "5377"]  # 5377: the DPRK subset
    vote_triples = [t for p in POSITION.values() for t in ga_graph.triples((None, unhr(p), None))]
    assert len(vote_triples) == len(rows)


def test_ga_weekday_coded_days_keep_only_the_month(ga_graph: Graph) -> None:
    # rcid 1589: stored 1975-11-02, but 3390 A (XXX) was adopted on 18 November 1975.
    event = iri("doc/A/RES/3390(XXX)/vote/1975-11-rc1589")
    assert ga_graph.value(event, unhr("voteDate")) == Literal("1975-11", datatype=XSD.gYearMonth)
    early = iri("document/unga/1946-01-roll-call-3/vote/1946-01")
    assert (early, RDF.type, unhr("VoteEvent")) in ga_graph


def test_ga_resolution_symbols_link_roll_calls(ga_graph: Graph) -> None:
    # 3390 A and B (XXX): two roll calls on resolution 3390 (XXX) in one month.
    doc = iri("doc/A/RES/3390(XXX)")
    events = set(ga_graph.subjects(unhr("onDocument"), doc))
    assert events == {
        iri("doc/A/RES/3390(XXX)/vote/1975-11-rc1589"),
        iri("doc/A/RES/3390(XXX)/vote/1975-11-rc1590"),
    }
    assert (doc, RDF.type, unhr("Resolution")) in ga_graph
    assert ga_graph.value(doc, unhr("documentSymbol")) == Literal("A/RES/3390(XXX)")
    assert ga_graph.value(doc, unhr("adoptedBy")) == iri("org/unga")
    # The Korean question concerns both Korean states.
    assert set(ga_graph.objects(doc, unhr("concernsState"))) == {iri("state/PRK"), iri("state/KOR")}
    # Session 18: the running number with the session in Roman numerals.
    assert (iri("doc/A/RES/1983(XVIII)"), RDF.type, unhr("Resolution")) in ga_graph
    # Session 1: "R/1/66" is not a resolution number: a document without a symbol.
    proposal = iri("document/unga/1946-01-roll-call-3")
    assert (proposal, RDF.type, unhr("Document")) in ga_graph
    assert ga_graph.value(proposal, unhr("documentSymbol")) is None
    assert ga_graph.value(proposal, unhr("concernsState")) is None


@pytest.mark.parametrize(
    ("unres", "session", "symbol"),
    [
        ("R/60/173", 60, "A/RES/60/173"),
        ("A/RES/71/5", 71, "A/RES/71/5"),
        ("R/56/24G", 56, "A/RES/56/24G"),
        ("R/42/70/A", 42, "A/RES/42/70A"),
        ("R/33/116A/I", 33, "A/RES/33/116A"),
        ("R/31/208/III", 31, "A/RES/31/208"),
        ("R/26/2758A", 26, "A/RES/2758(XXVI)"),
        ("R/18/1881A", 18, "A/RES/1881(XVIII)"),
        ("A/RES/ES-10/19", 72, "A/RES/ES-10/19"),
        ("R/5/233A", 5, None),  # before session 18: not a resolution number
        ("R/12/6 11", 11, None),
        ("R/677/46", 67, None),
        ("ESS/2/20", 11, None),
        ("SS/1/59", 2, None),
        ("", 20, None),
    ],
)
def test_ga_resolution_symbol(unres: str, session: int, symbol: str | None) -> None:
    assert ga.resolution_symbol(unres, session) == symbol


def test_ga_historical_states(ga_graph: Graph) -> None:
    for rcid, event in (
        ("1589", iri("doc/A/RES/3390(XXX)/vote/1975-11-rc1589")),
        ("874", iri("doc/A/RES/1983(XVIII)/vote/1963-12")),
        ("3514", iri("doc/A/RES/45/48/vote/1990-12")),
    ):
        expected = {
            "Russia": "SUN",
            "Czechoslovakia": "CSK",
            "German Democratic Republic": "DDR",
            "Yemen People's Republic": "YMD",
            "Federal Republic of Germany": "DEU",
            "Yugoslavia": "YUG",
            "Taiwan": "TWN",
            "Zanzibar": "ZAN",
            # December 1990: unified Yemen, still under the old name in the data set
            "Yemen Arab Republic": "YAR" if rcid != "3514" else "YEM",
        }
        seen = 0
        for row in ga_rows(rcid):
            if row["country"] in expected:
                seen += 1
                assert expected[row["country"]] in voters(ga_graph, event, POSITION[row["vote"]])
        assert seen
    assert "ZAN" in voters(ga_graph, iri("doc/A/RES/1983(XVIII)/vote/1963-12"), "votedNo") | voters(
        ga_graph, iri("doc/A/RES/1983(XVIII)/vote/1963-12"), "votedYes"
    ) | voters(ga_graph, iri("doc/A/RES/1983(XVIII)/vote/1963-12"), "abstained")


@pytest.mark.parametrize(
    ("country", "code", "when", "iso3"),
    [
        ("Russia", "RU", "1991-12", "SUN"),
        ("Russia", "RU", "1992-09", "RUS"),
        ("Yugoslavia", "YU", "1992-09", "YUG"),
        ("Yugoslavia", "YU", "2000-11", "SRB"),
        ("Yemen Arab Republic", "", "1990-05", "YAR"),
        ("Yemen Arab Republic", "", "1990-11", "YEM"),
        ("Federal Republic of Germany", "", "1975-11", "DEU"),
        ("Taiwan", "TW", "1971-10", "TWN"),
        ("Namibia", "NA", "2019-11-07", "NAM"),
    ],
)
def test_ga_state_mapping(country: str, code: str, when: str, iso3: str) -> None:
    assert ga.GaStates(ROOT).iso3(country, code, when) == iso3


def test_ga_state_mapping_refuses_what_it_cannot_place() -> None:
    states = ga.GaStates(ROOT)
    with pytest.raises(ValueError, match="Yugoslavia"):
        states.iso3("Yugoslavia", "YU", "1995-12")  # the FRY did not sit in 1992-2000
    with pytest.raises(ValueError, match="Atlantis"):
        states.iso3("Atlantis", "", "1975-11")


def test_mojibake_is_repaired() -> None:
    assert clean_text("Democratic People?Ã†s Republic") == "Democratic People's Republic"
    assert clean_text("People?Ãƒâ€ s  Re") == "People's Re"


# -- the DPRK subset: one node, nothing said twice ---------------------------------------------


def _core(g: Graph, event: URIRef) -> set[tuple[object, object, object]]:
    skip = {URIRef("http://purl.org/dc/terms/description"), unhr("topic")}
    return {(event, p, o) for p, o in g.predicate_objects(event) if p not in skip}


@pytest.mark.parametrize(
    ("module", "folder", "build", "event"),
    [
        (ga, GA_IN, votes.build_ga, "doc/A/RES/69/188/vote/2014-12-18"),
        (sc, SC_IN, unsc_votes.build, "doc/S/RES/1874(2009)/vote/2009-06-12"),
        (hrc, HRC_IN, votes.build_hrc, "doc/A/HRC/RES/7/15/vote/2008-03-27"),
    ],
)
def test_dprk_roll_calls_are_left_to_the_dprk_graph(
    module: object, folder: Path, build: object, event: str
) -> None:
    node = iri(event)
    dprk = build(ROOT)  # type: ignore[operator]
    assert (node, RDF.type, unhr("VoteEvent")) in dprk
    written, _ = convert(module, folder)
    assert not set(written.triples((node, None, None)))
    assert not set(written.triples((dprk.value(node, unhr("onDocument")), None, None)))
    # Written in full, the converter says the same about it as the DPRK graph does.
    full, _ = convert(module, folder, subset=DprkSubset.empty())
    mine = _core(full, node)
    assert mine, "the converter lost the roll call"
    assert mine <= set(dprk.triples((node, None, None))), mine - set(dprk)
    # unvotes records no absences: the DPRK graph's non-voting states are its own addition.
    positions = ("votedYes", "votedNo", "abstained") + (("nonVoting",) if module is not ga else ())
    for position in positions:
        assert voters(full, node, position) == voters(dprk, node, position)


# -- Security Council ---------------------------------------------------------------------------


def test_sc_dates_are_read_against_the_meetings_around_them(sc_graph: Graph) -> None:
    # Known dates: 1715 (2006) 9 October 2006 (stored 2006-09-10, swapped); 2441 (2018)
    # 5 November 2018 (stored 2018-05-11); the double veto on Syria (S/2011/612) 4 October
    # 2011 (stored right, 2011-10-04); 2779 (2025) stored 2025-05-08, between meetings of
    # 30 April and 29 May 2025.
    for event in (
        "doc/S/RES/1715(2006)/vote/2006-10-09",
        "doc/S/RES/2441(2018)/vote/2018-11-05",
        "doc/S/2011/612/vote/2011-10-04",
        "doc/S/RES/2779(2025)/vote/2025-05-08",
    ):
        assert (iri(event), RDF.type, unhr("VoteEvent")) in sc_graph, event


def test_sc_veto_with_members_of_its_year(sc_graph: Graph) -> None:
    event = iri("doc/S/2011/612/vote/2011-10-04")
    assert sc_graph.value(event, unhr("result")) == iri("vocab/vote-result/vetoed")
    assert voters(sc_graph, event, "vetoedBy") == {"CHN", "RUS"}
    assert voters(sc_graph, event, "votedNo") == {"CHN", "RUS"}
    assert voters(sc_graph, event, "abstained") == {"BRA", "IND", "LBN", "ZAF"}
    assert sc_graph.value(event, unhr("yesCount")).toPython() == 9
    draft = iri("doc/S/2011/612")
    assert (draft, RDF.type, unhr("DraftResolution")) in sc_graph
    assert set(sc_graph.objects(draft, unhr("sponsor"))) == {
        iri(f"state/{c}") for c in ("FRA", "DEU", "PRT", "GBR")
    }


def test_sc_untrustworthy_member_lists_give_no_per_member_votes(sc_graph: Graph) -> None:
    # 972 (1995) lists 15 members, ten of them from another year (Bangladesh, Colombia …);
    # 973 (1995) lists 14 members of another year; 2441 (2018) has 16 member rows.
    for event in (
        "doc/S/RES/972(1995)/vote/1995-01-13",
        "doc/S/RES/973(1995)/vote/1995-01-13",
        "doc/S/RES/2441(2018)/vote/2018-11-05",
    ):
        node = iri(event)
        assert (node, RDF.type, unhr("VoteEvent")) in sc_graph
        assert sc_graph.value(node, unhr("yesCount")) is None
        assert not any(voters(sc_graph, node, p) for p in POSITION.values())
        assert sc_graph.value(node, unhr("result")) == iri("vocab/vote-result/adopted")


def test_sc_symbols_and_modalities(sc_graph: Graph) -> None:
    # Resolution and draft in each other's column.
    res = iri("doc/S/RES/2779(2025)")
    assert sc_graph.value(iri("doc/S/2025/270"), unhr("draftOf")) == res
    assert sc_graph.value(res, unhr("documentSymbol")) == Literal("S/RES/2779 (2025)")
    # Adopted by acclamation: no recorded vote.
    acclaimed = iri("doc/S/RES/1715(2006)/vote/2006-10-09")
    assert sc_graph.value(acclaimed, unhr("modality")) == iri("vocab/vote-modality/without-vote")
    assert sc_graph.value(acclaimed, unhr("yesCount")) is None
    # Neither a resolution nor a draft symbol.
    event = iri("document/unsc/2000-06-23-vote-423/vote/2000-06-23")
    assert sc_graph.value(event, unhr("result")) == iri("vocab/vote-result/not-adopted")


@pytest.mark.parametrize(
    ("cell", "symbol"),
    [
        ("1718 (2006)", "S/RES/1718 (2006)"),
        ("Resolution 2627 (2022)", "S/RES/2627 (2022)"),
        ("S/RES/2680 (2023)", "S/RES/2680 (2023)"),
        ("S/RES/2776/2025", "S/RES/2776 (2025)"),
        ("2541 (2020", "S/RES/2541 (2020)"),
        ("\xa0S/RES/2746(2024)", "S/RES/2746 (2024)"),
        ("Missing", None),
        ("", None),
    ],
)
def test_sc_resolution_symbol(cell: str, symbol: str | None) -> None:
    assert sc.resolution_symbol(cell) == symbol


@pytest.mark.parametrize(
    ("cell", "symbol"),
    [
        ("S/2011/612", "S/2011/612"),
        ("S/2014/348 as orally revised", "S/2014/348"),
        ("s/2001/270", "S/2001/270"),
        ("S/1994-1234", "S/1994/1234"),
        ("Oral amendment 2", None),
        ("S/19999/123", None),
    ],
)
def test_sc_draft_symbol(cell: str, symbol: str | None) -> None:
    assert sc.draft_symbol(cell) == symbol


def test_sc_every_recorded_state_is_described(sc_graph: Graph) -> None:
    states = {o for p in POSITION.values() for o in sc_graph.objects(None, unhr(p))}
    assert states
    known = _states_in_repository()
    assert states <= known, states - known


# -- Human Rights Council -----------------------------------------------------------------------


def test_hrc_tallies_from_the_vote_codes(hrc_graph: Graph) -> None:
    with (HRC_IN / "all-votes.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    column = "A/HRC/38/L.24"
    codes = Counter(r[column] for r in rows)
    event = iri("doc/A/HRC/38/L.24/vote/2018-07-05")
    assert hrc_graph.value(event, unhr("yesCount")).toPython() == codes["1"]
    assert hrc_graph.value(event, unhr("noCount")).toPython() == codes["0"]
    assert hrc_graph.value(event, unhr("abstainCount")).toPython() == codes["2"]
    assert hrc_graph.value(event, unhr("nonVotingCount")).toPython() == codes["3"]
    members = codes["0"] + codes["1"] + codes["2"] + codes["3"]
    assert members == 46  # the United States had left the Council
    assert hrc_graph.value(event, unhr("membershipCount")).toPython() == members
    assert "USA" not in voters(hrc_graph, event, "votedYes") | voters(hrc_graph, event, "votedNo")
    # A draft: no result; the data set does not say whether it passed.
    assert hrc_graph.value(event, unhr("result")) is None
    assert (iri("doc/A/HRC/38/L.24"), RDF.type, unhr("DraftResolution")) in hrc_graph


def test_hrc_symbol_typos_and_empty_votes(hrc_graph: Graph) -> None:
    assert (iri("doc/A/HRC/DEC/22/117"), RDF.type, unhr("Decision")) in hrc_graph
    assert (iri("doc/A/HRC/56/L.35"), RDF.type, unhr("DraftResolution")) in hrc_graph
    assert (iri("doc/A/HRC/50/L.37"), RDF.type, unhr("DraftResolution")) in hrc_graph
    empty = iri("doc/A/HRC/15/L.35/vote/2010-09-28")
    assert (empty, RDF.type, unhr("VoteEvent")) in hrc_graph
    assert hrc_graph.value(empty, unhr("yesCount")) is None
    special = iri("doc/A/HRC/RES/S-1/1/vote/2006-07-06")
    assert hrc_graph.value(special, unhr("result")) == iri("vocab/vote-result/adopted")
    assert hrc_graph.value(special, unhr("inSession")) is None


@pytest.mark.parametrize(
    ("raw", "symbol"),
    [
        ("A/HRC/DEC22/117", "A/HRC/DEC/22/117"),
        ("A/HRC/RES/56/L.35", "A/HRC/56/L.35"),
        ("A/HRC/50/L.37 as orally revised", "A/HRC/50/L.37"),
        ("A/HRC/RES/S-1/1", "A/HRC/RES/S-1/1"),
    ],
)
def test_hrc_symbol(raw: str, symbol: str) -> None:
    assert hrc.symbol_of(raw) == symbol


# -- historical states --------------------------------------------------------------------------


def test_historical_states_and_their_successors() -> None:
    states = {s.code: s for s in load_historical_states(ROOT)}
    assert states["SUN"].continued_by == "RUS"
    assert set(states["CSK"].successors) == {"CZE", "SVK"}
    assert set(states["DDR"].successors) == {"DEU"}
    assert set(states["YAR"].successors) == set(states["YMD"].successors) == {"YEM"}
    assert set(states["ZAN"].successors) == {"TZA"}
    assert {"BIH", "HRV", "MKD", "SRB", "SVN"} == set(states["YUG"].successors)
    assert not states["YAR"].iso3 and states["SUN"].iso3 == "SUN"
    assert not states["TWN"].former
    g = historical_states.build(ROOT)
    assert (iri("state/SUN"), unhr("continuedBy"), iri("state/RUS")) in g
    assert (iri("state/SUN"), unhr("successorState"), iri("state/UKR")) in g
    assert (iri("state/YAR"), RDF.type, unhr("FormerState")) in g
    assert g.value(iri("state/YAR"), unhr("iso3")) is None
    assert (iri("state/TWN"), RDF.type, unhr("State")) in g
    assert g.value(iri("state/CSK/membership/un"), unhr("endDate")) == Literal(
        "1992-12-31", datatype=XSD.date
    )


def _states_in_repository() -> set[URIRef]:
    g = Graph()
    for name in ("un-member-states", "historical-states"):
        g.parse(ROOT / "data" / "reference" / f"{name}.ttl", format="turtle")
    return {s for cls in ("State", "FormerState") for s in g.subjects(RDF.type, unhr(cls))}


def test_every_state_the_ga_converter_names_is_described(ga_graph: Graph) -> None:
    states = {o for p in POSITION.values() for o in ga_graph.objects(None, unhr(p))}
    known = _states_in_repository()
    assert states <= known, states - known


# -- determinism, caching, conformance ----------------------------------------------------------


@pytest.mark.parametrize(("module", "folder"), [(ga, GA_IN), (sc, SC_IN), (hrc, HRC_IN)])
def test_conversion_is_deterministic(module: object, folder: Path) -> None:
    assert convert(module, folder)[1] == convert(module, folder)[1]


def test_conversion_is_cached_by_the_input_hash(tmp_path: Path) -> None:
    source = tmp_path / "unvotes"
    shutil.copytree(GA_IN, source)
    data_dir = tmp_path / "var"
    first, cached = cache_convert("ga-votes", source, ROOT, data_dir, progress=False)
    assert not cached
    path = first.path(data_dir)
    stamp = path.stat().st_mtime_ns
    again, cached = cache_convert("ga-votes", source, ROOT, data_dir, progress=False)
    assert cached and again == first and path.stat().st_mtime_ns == stamp
    # A changed input is converted again (one vote flipped).
    votes_csv = source / "unvotes.csv"
    votes_csv.write_text(
        votes_csv.read_text("utf-8").replace("9058,Cuba,CU,yes", "9058,Cuba,CU,no")
    )
    changed, cached = cache_convert("ga-votes", source, ROOT, data_dir, progress=False)
    assert not cached and changed.input_sha256 != first.input_sha256
    assert changed.sha256 != first.sha256
    assert path.read_bytes() != b"" and changed.triples == first.triples


def test_sample_of_the_output_conforms_to_the_shapes(tmp_path: Path) -> None:
    paths = []
    for module, folder, name in ((ga, GA_IN, "ga"), (sc, SC_IN, "sc"), (hrc, HRC_IN, "hrc")):
        path = tmp_path / f"{name}-votes.nt"
        path.write_text(convert(module, folder)[1], encoding="utf-8")
        paths.append(path)
    report = validate_paths(paths, root=ROOT)
    violations = [r for r in report.results if r.severity.endswith("Violation")]
    assert report.conforms and not violations, report.to_text()
