"""The corrections of issue 10, each checked against what its source text (or data set) says.

Every test reads the expected value from the source text or the CSV, and fails if the correction
is undone (the wrong triple put back, the span moved back, the mark dropped).
"""

from __future__ import annotations

import csv

from rdflib import Literal, URIRef

from tests.knowledge.sources import (
    DCTERMS,
    RDF,
    ROOT,
    UNHR,
    XSD,
    data_graph,
    flat,
    is_marked,
    marks,
    node,
    source_graph,
    span_texts,
    text,
)


def _summary_row(symbol: str) -> dict[str, str]:
    with (ROOT / "data" / "votes" / "csv" / "dprk_votes_summary.csv").open(
        newline="", encoding="utf-8"
    ) as f:
        found = [r for r in csv.DictReader(f) if r["symbol"] == symbol]
    assert len(found) == 1, symbol
    return found[0]


# --- nkhr-side-meeting-2014: the plenary adoption is the data set's, not the news item's -------


def test_side_meeting_item_does_not_claim_the_plenary_adoption() -> None:
    words = flat(text("nkhr-side-meeting-2014"))
    # What the item says about the plenary: a vote "will be held soon"; nothing was adopted yet.
    assert "A vote will be held soon at the full UN General Assembly" in words
    assert "adopted" not in words
    g = source_graph("nkhr-side-meeting-2014")
    assert list(g.subject_objects(UNHR.adoptedBy)) == []
    assert list(g.subject_objects(UNHR.adoptionDate)) == []
    res = node("doc/A/RES/69/188")
    assert (res, DCTERMS.source, node("source/nkhr-side-meeting-2014")) not in g
    # The draft-to-resolution link stays, marked as the curator's identification.
    draft = node("doc/A/C.3/69/L.28/Rev.1")
    assert (draft, UNHR.draftOf, res) in g
    assert is_marked(g, draft, UNHR.draftOf, res)


def test_plenary_adoption_of_69_188_is_in_the_ga_vote_data_set() -> None:
    row = _summary_row("A/RES/69/188")
    g = data_graph("data/votes/votes-ga-dprk.ttl")
    res = node("doc/A/RES/69/188")
    assert (res, UNHR.adoptedBy, node("org/unga")) in g
    assert (res, UNHR.adoptionDate, Literal(row["date"], datatype=XSD.date)) in g
    assert (res, DCTERMS.source, node("dataset/unvotes")) in g


# --- un-indispensable-2024: the U.S. "returned to the HRC", which is not a membership ------------


def test_us_return_to_the_hrc_is_an_engagement_change_not_a_membership() -> None:
    words = flat(text("un-indispensable-2024"))
    assert "the Biden administration returned to the HRC" in words
    g = source_graph("un-indispensable-2024")
    usa, hrc = node("state/USA"), node("org/hrc")
    assert (node("membership/hrc/USA/2021"), None, None) not in g
    # No membership of the U.S. in the HRC starting after the 2018 withdrawal.
    for m in g.subjects(UNHR.member, usa):
        if (m, UNHR.memberOf, hrc) in g:
            assert g.value(m, UNHR.startDate) is None, m
    ret = node("engagement/USA/hrc/2021-return")
    assert (ret, RDF.type, UNHR.EngagementChange) in g
    assert (ret, UNHR.actor, usa) in g
    assert (ret, UNHR.engagementBody, hrc) in g
    assert (ret, UNHR.engagementChangeType, node("vocab/engagement-change/return")) in g
    assert any("returned to the HRC" in t for t in span_texts(g, ret))
    # The year is not in the sentence: it is marked as the curator's.
    year = g.value(ret, UNHR.date)
    assert year is not None
    assert is_marked(g, ret, UNHR.date, year)


# --- un-role-overview: the Council "has appointed" the Special Rapporteur "since 2004" -----------


def test_overview_says_the_council_appoints_not_that_it_created() -> None:
    words = flat(text("un-role-overview"))
    assert "The UN Human Rights Council has appointed a Special Rapporteur" in words
    assert "since 2004" in words
    assert "created" not in words
    g = source_graph("un-role-overview")
    for path in ("mandate/sr-dprk", "post/sr-dprk"):
        assert g.value(node(path), UNHR.createdByBody) is None, path
    post = node("post/sr-dprk")
    assert (post, UNHR.appointedBy, node("org/hrc")) in g
    assert (post, UNHR.establishedIn, Literal("2004", datatype=XSD.gYear)) in g
    assert any("has appointed a Special Rapporteur" in t for t in span_texts(g, post))


def test_the_essay_keeps_its_own_claim_on_who_created_the_mandate() -> None:
    words = flat(text("un-indispensable-2024"))
    assert "The following year, it created the mandate of the Special Rapporteur" in words
    g = source_graph("un-indispensable-2024")
    assert (node("mandate/sr-dprk"), UNHR.createdByBody, node("org/chr")) in g


# --- nkhr-un-advocacy: the COI report's evidence is about the report ------------------------------


def test_coi_report_evidence_speaks_of_the_report_and_its_year() -> None:
    g = source_graph("nkhr-un-advocacy")
    report = node("doc/A/HRC/25/63")
    covered = span_texts(g, report)
    assert covered
    assert all("report" in t for t in covered), covered
    year = g.value(report, UNHR.date)
    assert year is not None
    assert any(str(year) in t for t in covered), covered


# --- nkhr-un-advocacy: two Security Council events, not one --------------------------------------


def test_security_council_briefing_and_first_discussion_are_two_events() -> None:
    words = flat(text("nkhr-un-advocacy"))
    assert (
        "briefing on crimes against humanity in North Korea at the UN Security Council in 2014"
        in (words)
    )
    assert "First-ever official discussion of North Korea\u2019s human rights violations" in words
    g = source_graph("nkhr-un-advocacy")
    briefing = node("meeting/unsc/2014/briefing-crimes-against-humanity")
    discussion = node("doc/S/PV.7353")
    assert (briefing, UNHR.meetingOf, node("org/unsc")) in g
    assert (briefing, UNHR.date, Literal("2014", datatype=XSD.gYear)) in g
    assert any(
        "briefing on crimes against humanity" in t and "2014" in t for t in span_texts(g, briefing)
    )
    assert any("official discussion" in t for t in span_texts(g, discussion))
    assert not any("briefing" in t for t in span_texts(g, discussion))
    # The page dates neither the discussion nor names its record: both values are marked.
    symbol = g.value(discussion, UNHR.documentSymbol)
    assert symbol is not None and str(symbol) not in words
    assert is_marked(g, discussion, UNHR.documentSymbol, symbol)
    for date in g.objects(discussion, UNHR.date):
        assert is_marked(g, discussion, UNHR.date, date)


# --- nkdb-what-more: reports were published, nothing was submitted -------------------------------


def test_nkdb_upr_report_has_no_target() -> None:
    words = flat(text("nkdb-what-more"))
    assert "She has published reports on" in words
    bio = words[words.index("Author(s)") :]
    assert "submit" not in bio
    g = source_graph("nkdb-what-more")
    action = node("action/nkdb/upr-report")
    assert g.value(action, UNHR.target) is None
    assert (action, UNHR.actor, node("person/hanna-song")) in g
    assert any("published reports" in t for t in span_texts(g, action))


# --- un-indispensable-2024: the recommendation behind the Seoul office ---------------------------


def test_field_based_structure_recommendation_claims_only_what_the_essay_supports() -> None:
    words = flat(text("un-indispensable-2024"))
    assert "Seoul office was established pursuant to the COI\u2019s recommendations" in words
    assert "field-based" not in words
    g = source_graph("un-indispensable-2024")
    rec = node("doc/A/HRC/25/63/rec/field-based-structure")
    assert g.value(rec, UNHR.addressee) is None
    measures = list(g.objects(rec, UNHR.recommendsMeasure))
    assert measures
    for m in measures:
        assert "general-knowledge" in marks(g)[(rec, UNHR.recommendsMeasure, m)]
    assert any("pursuant to the COI\u2019s recommendations" in t for t in span_texts(g, rec))


# --- the Wikidata linkset graph names its sources ------------------------------------------------


def test_linkset_graph_has_sources_like_every_other_graph() -> None:
    """The load metadata records, per graph, the distinct dcterms:source values in it
    (kg.bootstrap); the linkset graph must therefore hold them: the data sets its links come
    from, each described in datasets.ttl."""
    g = data_graph("data/reference/linkset-wikidata.ttl")
    cited = set(g.objects(None, DCTERMS.source))
    # The QIDs come from the member-state table (country-codes' wikidata_id) and the compiled
    # table of UN bodies (data/reference/csv/SOURCE.md).
    assert cited == {node("dataset/country-codes"), node("dataset/wikidata-un-bodies")}
    described = data_graph("data/reference/datasets.ttl")
    for ds in cited:
        assert (ds, RDF.type, UNHR.DataSet) in described, ds
    linkset = node("linkset/wikidata")
    assert (linkset, RDF.type, URIRef("http://rdfs.org/ns/void#Linkset")) in g
