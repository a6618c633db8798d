"""Competency questions: SPARQL queries over the whole repository graph with checked answers.

Each test is one question from the survey's catalogue (../shared/research/ontology-notes.md §4,
numbers in brackets) or from the curation brief. The expected answers were checked by hand
against the five source documents (data/sources/*.ttl) and, for votes, computed with Python
from shared/data/dprk_votes_by_state.csv (see the comments at each constant).

Queries run on the union of all named graphs (``use_default_graph_as_union=True``). A triple
stated in two graphs appears twice in the union, hence DISTINCT / COUNT(DISTINCT …) throughout.
Negation uses MINUS or aggregates, never nested FILTER NOT EXISTS (pathologically slow on
Oxigraph).
"""

from __future__ import annotations

import re

import pytest
from pyoxigraph import Store

from tests.knowledge.sources import SOURCE_FILES, sources_dir

ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/"

PREFIXES = """
PREFIX unhr: <https://w3id.org/unhr/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
BASE <https://w3id.org/unhr/id/>
"""

SOURCE_IDS = (
    "nkhr-un-advocacy",
    "nkdb-what-more",
    "un-role-overview",
    "un-indispensable-2024",
    "nkhr-side-meeting-2014",
)


def rows(store: Store, query: str) -> list[dict[str, str]]:
    """SELECT over the union graph; IRIs under the instance base are shortened to their path."""
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    out = []
    for sol in result:  # type: ignore[union-attr]
        row = {}
        for n in names:
            t = sol[n]
            if t is None:
                continue
            v = t.value
            if v.startswith(ID):
                v = v[len(ID) :]
            elif v.startswith(GRAPH):
                v = "graph:" + v[len(GRAPH) :]
            row[n] = v
        out.append(row)
    return out


def col(store: Store, query: str, var: str) -> set[str]:
    return {r[var] for r in rows(store, query) if var in r}


def _has_ga_votes(store: Store) -> bool:
    q = "ASK { ?v unhr:votingBody <org/unga> ; unhr:votedYes ?s }"
    return bool(store.query(PREFIXES + q, use_default_graph_as_union=True))


# =============================================================================================
# Votes (need data/votes/*.ttl from the vote importer)
# =============================================================================================

# Computed with Python from shared/data/dprk_votes_by_state.csv: the 9 recorded GA plenary votes
# on DPRK human-rights resolutions 2005-2015 (A/RES/60/173 … 66/174, 69/188, 70/172); a state
# qualifies only if it cast that vote in all 9 (Montenegro, admitted 2006, and South Sudan,
# admitted 2011, voted yes every time they could but were not members for all 9).
GA_ALWAYS_NO = {
    "BLR",
    "CHN",
    "CUB",
    "EGY",
    "IRN",
    "PRK",
    "RUS",
    "SDN",
    "SYR",
    "VEN",
    "VNM",
    "ZWE",
}
GA_ALWAYS_YES = {
    "AFG",
    "ALB",
    "AND",
    "ARG",
    "AUS",
    "AUT",
    "BEL",
    "BGR",
    "BIH",
    "BLZ",
    "BTN",
    "CAN",
    "CHE",
    "CHL",
    "CYP",
    "CZE",
    "DEU",
    "DNK",
    "ESP",
    "EST",
    "FIN",
    "FRA",
    "FSM",
    "GBR",
    "GEO",
    "HND",
    "HRV",
    "HUN",
    "IRL",
    "IRQ",
    "ISL",
    "ISR",
    "ITA",
    "JPN",
    "KAZ",
    "LIE",
    "LTU",
    "LUX",
    "LVA",
    "MCO",
    "MDA",
    "MDV",
    "MEX",
    "MHL",
    "MKD",
    "MLT",
    "NLD",
    "NOR",
    "NZL",
    "PAN",
    "PER",
    "PLW",
    "PNG",
    "POL",
    "PRT",
    "PRY",
    "ROU",
    "SLV",
    "SMR",
    "SVK",
    "SVN",
    "SWE",
    "TLS",
    "TUR",
    "UKR",
    "URY",
    "USA",
    "WSM",
}

# The GA plenary votes on DPRK resolutions 2005-2015, as a reusable sub-pattern.
GA_DPRK_VOTES = """
  ?vote unhr:votingBody <org/unga> ; unhr:voteDate ?date ; unhr:onDocument ?res .
  ?res unhr:concernsState <state/PRK> .
  FILTER (YEAR(?date) >= 2005 && YEAR(?date) <= 2015)
"""

Q_GA_ALWAYS = """
SELECT ?state WHERE {{
  {{ SELECT (COUNT(DISTINCT ?vote) AS ?total) WHERE {{ {votes} }} }}
  {{ SELECT ?state (COUNT(DISTINCT ?vote) AS ?n) WHERE {{
       {votes}
       ?vote unhr:{option} ?state .
     }} GROUP BY ?state }}
  FILTER (?n = ?total)
}}
"""


def test_ga_states_voting_no_on_every_dprk_resolution(repo_store: Store) -> None:
    """Which states voted no on every recorded GA vote on DPRK human-rights resolutions,
    2005-2015?"""
    if not _has_ga_votes(repo_store):
        pytest.fail("no GA vote graph (data/votes/votes-ga-dprk.ttl) loaded")
    q = Q_GA_ALWAYS.format(votes=GA_DPRK_VOTES, option="votedNo")
    got = {s.removeprefix("state/") for s in col(repo_store, q, "state")}
    assert got == GA_ALWAYS_NO


def test_ga_states_voting_yes_on_every_dprk_resolution(repo_store: Store) -> None:
    """Which states voted yes on every recorded GA vote on DPRK human-rights resolutions,
    2005-2015?"""
    if not _has_ga_votes(repo_store):
        pytest.fail("no GA vote graph (data/votes/votes-ga-dprk.ttl) loaded")
    q = Q_GA_ALWAYS.format(votes=GA_DPRK_VOTES, option="votedYes")
    got = {s.removeprefix("state/") for s in col(repo_store, q, "state")}
    assert got == GA_ALWAYS_YES
    assert len(got) == 68


def test_ga_dprk_vote_count(repo_store: Store) -> None:
    """How many recorded GA plenary votes on DPRK resolutions are there 2005-2015? (9)"""
    q = f"SELECT (COUNT(DISTINCT ?vote) AS ?n) WHERE {{ {GA_DPRK_VOTES} }}"
    assert rows(repo_store, q) == [{"n": "9"}]


def test_tally_of_69_188_and_permanent_members_against(repo_store: Store) -> None:
    """What was the tally of A/RES/69/188, and which permanent SC members voted against? [5]"""
    q = """
    SELECT DISTINCT ?yes ?no ?abstain ?src WHERE {
      GRAPH ?g { <doc/A/RES/69/188/vote/2014-12-18>
                   unhr:yesCount ?yes ; unhr:noCount ?no ; unhr:abstainCount ?abstain ;
                   dcterms:source ?src . }
    }"""
    assert rows(repo_store, q) == [
        {"yes": "116", "no": "20", "abstain": "53", "src": "dataset/unvotes"}
    ]
    # Permanent members are fixed by Article 23 of the Charter; no membership data needed.
    q = """
    SELECT DISTINCT ?state WHERE {
      VALUES ?state { <state/CHN> <state/FRA> <state/GBR> <state/RUS> <state/USA> }
      <doc/A/RES/69/188/vote/2014-12-18> unhr:votedNo ?state .
    }"""
    assert col(repo_store, q, "state") == {"state/CHN", "state/RUS"}


# Checked against shared/data/dprk_votes_by_state.csv: the ROK abstained in 2005 and 2007 and
# voted yes otherwise; China voted no every time.
ROK_CHINA = [
    ("A/RES/60/173", "2005-12-16", "abstained", "votedNo"),
    ("A/RES/61/174", "2006-12-19", "votedYes", "votedNo"),
    ("A/RES/62/167", "2007-12-18", "abstained", "votedNo"),
    ("A/HRC/RES/7/15", "2008-03-27", "votedYes", "votedNo"),
    ("A/RES/63/190", "2008-12-18", "votedYes", "votedNo"),
    ("A/HRC/RES/10/16", "2009-03-26", "votedYes", "votedNo"),
    ("A/RES/64/175", "2009-12-18", "votedYes", "votedNo"),
    ("A/HRC/RES/13/14", "2010-03-25", "votedYes", "votedNo"),
    ("A/RES/65/225", "2010-12-21", "votedYes", "votedNo"),
    ("A/HRC/RES/16/8", "2011-03-24", "votedYes", "votedNo"),
    ("A/RES/66/174", "2011-12-19", "votedYes", "votedNo"),
    ("A/RES/69/188", "2014-12-18", "votedYes", "votedNo"),
    ("A/HRC/RES/28/22", "2015-03-27", "votedYes", "votedNo"),
    ("A/RES/70/172", "2015-12-17", "votedYes", "votedNo"),
]


def test_rok_and_china_side_by_side(repo_store: Store) -> None:
    """How did the ROK and China vote on each recorded DPRK resolution (GA and HRC)? [4]"""
    q = """
    SELECT DISTINCT ?symbol ?date ?kor ?chn WHERE {
      ?vote unhr:onDocument ?res ; unhr:voteDate ?date ; unhr:votingBody ?body .
      VALUES ?body { <org/unga> <org/hrc> }
      ?res unhr:concernsState <state/PRK> ; unhr:documentSymbol ?symbol .
      VALUES ?p1 { unhr:votedYes unhr:votedNo unhr:abstained unhr:nonVoting }
      VALUES ?p2 { unhr:votedYes unhr:votedNo unhr:abstained unhr:nonVoting }
      ?vote ?p1 <state/KOR> ; ?p2 <state/CHN> .
      BIND (STRAFTER(STR(?p1), "#") AS ?kor)
      BIND (STRAFTER(STR(?p2), "#") AS ?chn)
    } ORDER BY ?date"""
    got = [(r["symbol"], r["date"], r["kor"], r["chn"]) for r in rows(repo_store, q)]
    assert got == ROK_CHINA


def test_vetoed_dprk_drafts(repo_store: Store) -> None:
    """Which Security Council drafts on the DPRK failed by veto, when, and who vetoed? [25]

    The data set gives 2024-03-28 for S/2024/255; source un-indispensable-2024 says March 2024
    and Russia, on the same vote event."""
    q = """
    SELECT DISTINCT ?draft ?state WHERE {
      ?vote unhr:votingBody <org/unsc> ; unhr:onDocument ?draft ; unhr:vetoedBy ?state .
    }"""
    got = {(r["draft"], r["state"]) for r in rows(repo_store, q)}
    assert got == {
        ("doc/S/2022/431", "state/CHN"),
        ("doc/S/2022/431", "state/RUS"),
        ("doc/S/2024/255", "state/RUS"),
    }
    q = """
    SELECT DISTINCT ?date ?src WHERE {
      GRAPH ?g { <doc/S/2024/255/vote/2024-03-28> unhr:voteDate ?date ; dcterms:source ?src }
    }"""
    assert {(r["date"], r["src"]) for r in rows(repo_store, q)} >= {
        ("2024-03", "source/un-indispensable-2024"),
    }


def test_committee_and_plenary_tallies_2014(repo_store: Store) -> None:
    """Tallies of the 2014 DPRK resolution at committee stage and in plenary, with sources. [5]"""
    q = """
    SELECT DISTINCT ?body ?date ?yes ?no ?abstain ?src WHERE {
      <doc/A/C.3/69/L.28/Rev.1> unhr:draftOf <doc/A/RES/69/188> .
      VALUES ?doc { <doc/A/C.3/69/L.28/Rev.1> <doc/A/RES/69/188> }
      GRAPH ?g { ?vote unhr:onDocument ?doc ; unhr:votingBody ?body ; unhr:voteDate ?date ;
                       unhr:yesCount ?yes ; unhr:noCount ?no ; unhr:abstainCount ?abstain ;
                       dcterms:source ?src . }
    } ORDER BY ?date"""
    got = [tuple(r.values()) for r in rows(repo_store, q)]
    assert got == [
        ("org/unga-c3", "2014-11-18", "111", "19", "55", "source/nkhr-side-meeting-2014"),
        ("org/unga", "2014-12-18", "116", "20", "53", "dataset/unvotes"),
    ]


# =============================================================================================
# Mechanisms, treaties, NGOs
# =============================================================================================


def test_dprk_mechanisms_created_by_body_and_year(repo_store: Store) -> None:
    """Which UN mechanisms on the DPRK were created, by which body, in which year, in order? [30]

    A mechanism is a body or post whose mandate concerns the DPRK. For the Special Rapporteur the
    creating body is the Commission on Human Rights (un-indispensable-2024 and the reference
    graph); un-role-overview says only that the Council has appointed the Rapporteur since 2004,
    which is unhr:appointedBy, not a creating body (issue 10)."""
    q = """
    SELECT DISTINCT ?year ?mechanism ?body WHERE {
      ?mechanism unhr:mandate ?m . ?m unhr:mandateConcerns <state/PRK> .
      ?mechanism unhr:createdByBody ?body ; unhr:establishedIn ?est .
      BIND (SUBSTR(STR(?est), 1, 4) AS ?year)
    } ORDER BY ?year ?mechanism ?body"""
    got = [(r["year"], r["mechanism"], r["body"]) for r in rows(repo_store, q)]
    assert got == [
        ("2004", "post/sr-dprk", "org/chr"),
        ("2009", "org/unsc-1718-poe", "org/unsc"),
        ("2013", "org/coi-dprk", "org/hrc"),
        ("2015", "org/ohchr-seoul", "org/hrc"),
    ]


def test_who_appoints_and_who_created_the_special_rapporteur(repo_store: Store) -> None:
    """Who created the Special Rapporteur post on the DPRK, and who appoints its holders, per
    source? The essay: the Commission on Human Rights created it (2004); the overview: the
    Human Rights Council has appointed the Rapporteur since 2004."""
    q = """
    SELECT DISTINCT ?p ?body ?g WHERE {
      GRAPH ?g { <post/sr-dprk> ?p ?body }
      VALUES ?p { unhr:createdByBody unhr:appointedBy }
    }"""
    got = {(r["p"].split("#")[1], r["body"], r["g"]) for r in rows(repo_store, q)}
    assert ("createdByBody", "org/chr", "graph:un-indispensable-2024") in got
    assert ("appointedBy", "org/hrc", "graph:un-role-overview") in got
    assert not any(p == "createdByBody" and b == "org/hrc" for p, b, _ in got)


def test_treaties_of_dprk_and_monitoring_bodies(repo_store: Store) -> None:
    """Which treaties is the DPRK party to, and which treaty bodies monitor them? [27]"""
    q = """
    SELECT DISTINCT ?treaty ?body ?src WHERE {
      GRAPH ?g { <state/PRK> unhr:partyTo ?treaty ; dcterms:source ?src }
      OPTIONAL { ?body unhr:monitors ?treaty }
    }"""
    got = {(r["treaty"], r.get("body"), r["src"]) for r in rows(repo_store, q)}
    src = "source/un-indispensable-2024"
    assert got == {
        ("treaty/IV-3", "org/cescr-cttee", src),
        ("treaty/IV-4", "org/ccpr-cttee", src),
        ("treaty/IV-8", "org/cedaw-cttee", src),
        ("treaty/IV-11", "org/crc-cttee", src),
        ("treaty/IV-15", "org/crpd-cttee", src),
    }


def test_ngos_and_the_un_bodies_they_engaged(repo_store: Store) -> None:
    """Which NGOs appear in the sources, and with which UN bodies or posts did each engage? [11]"""
    q = """
    SELECT DISTINCT ?ngo ?target WHERE {
      ?ngo a unhr:NGO ; dcterms:source ?src . ?src a unhr:SourceDocument .
      OPTIONAL { ?action unhr:actor ?ngo ; unhr:target ?target .
                 MINUS { ?target a unhr:State } }
    }"""
    got: dict[str, set[str]] = {}
    for r in rows(repo_store, q):
        got.setdefault(r["ngo"], set())
        if "target" in r:
            got[r["ngo"]].add(r["target"])
    assert got == {
        "org/ngo/nkhr": {
            "org/un",
            "org/chr",
            "org/hrc",
            "org/unga",
            "org/unsc",
            "org/wgeid",
            "org/cedaw-cttee",
            "org/crc-cttee",
            "org/upr-wg",
            "post/sr-dprk",
            "post/hchr",
            "post/sr-slavery",
        },
        # NKDB's director published reports (one on the UPR) but submitted nothing (issue 10).
        "org/ngo/nkdb": set(),
        "org/ngo/hrw": {"org/unga"},
        "org/ngo/jbi": set(),
        "org/ngo/hrnk": {"org/unsc", "post/sr-slavery"},
        "org/ngo/outlaw-ocean-project": set(),
    }


def test_ngo_partners(repo_store: Store) -> None:
    """Which NGOs partner with each other? [10]"""
    q = """
    SELECT DISTINCT ?a ?b WHERE { ?a unhr:partner ?b . ?a a unhr:NGO . ?b a unhr:NGO }"""
    got = {(r["a"], r["b"]) for r in rows(repo_store, q)}
    assert {("org/ngo/nkhr", "org/ngo/hrw"), ("org/ngo/nkhr", "org/ngo/jbi")} <= got


def test_written_submissions_to_mechanisms(repo_store: Store) -> None:
    """Which NGOs made written submissions to which special procedures or treaty bodies,
    when? [11]"""
    q = """
    SELECT DISTINCT ?ngo ?target ?date WHERE {
      ?a a unhr:WrittenSubmission ; unhr:actor ?ngo ; unhr:target ?target .
      OPTIONAL { ?a unhr:date ?date }
      MINUS { ?target a unhr:SubsidiaryBody }
    }"""
    got = {(r["ngo"], r["target"], r.get("date")) for r in rows(repo_store, q)}
    assert got == {
        ("org/ngo/nkhr", "org/cedaw-cttee", "2005"),
        ("org/ngo/nkhr", "org/crc-cttee", "2009"),
        ("org/ngo/nkhr", "org/wgeid", None),
        ("org/ngo/nkhr", "post/sr-slavery", "2024-04"),
        ("org/ngo/hrnk", "post/sr-slavery", "2024-04"),
    }


def test_side_event_co_sponsors(repo_store: Store) -> None:
    """Which permanent missions co-sponsored NGO side events? [9]"""
    q = """
    SELECT DISTINCT ?event ?state WHERE {
      ?event a unhr:SideEvent , unhr:AdvocacyAction ; unhr:coSponsor ?state .
    }"""
    got = {(r["event"], r["state"]) for r in rows(repo_store, q)}
    ev = "action/nkhr/2014-10-22-side-meeting"
    assert got == {(ev, "state/AUS"), (ev, "state/BWA"), (ev, "state/PAN")}


def test_arria_meetings_hosts_and_co_sponsors(repo_store: Store) -> None:
    """Which states hosted, co-hosted or co-sponsored Arria-formula meetings on the DPRK? [8]"""
    q = """
    SELECT DISTINCT ?meeting ?role ?state WHERE {
      ?meeting a unhr:ArriaFormulaMeeting ; unhr:concernsState <state/PRK> .
      VALUES ?p { unhr:host unhr:coHost unhr:coSponsor }
      ?meeting ?p ?state . BIND (STRAFTER(STR(?p), "#") AS ?role)
    }"""
    got = {(r["role"], r["state"]) for r in rows(repo_store, q)}
    assert got == {
        ("host", "state/USA"),
        ("coHost", "state/ALB"),
        ("coSponsor", "state/KOR"),
        ("coSponsor", "state/JPN"),
    }


def test_security_council_meetings_requesters_and_briefers(repo_store: Store) -> None:
    """Which Security Council meetings on DPRK human rights do the sources report, who requested
    them and who briefed? [7, 15]"""
    q = """
    SELECT DISTINCT ?meeting ?date ?requester ?briefer WHERE {
      ?meeting a unhr:FormalMeeting ; unhr:meetingOf <org/unsc> ;
               unhr:concernsState <state/PRK> ; unhr:date ?date .
      OPTIONAL { ?meeting unhr:requestedBy ?requester }
      OPTIONAL { ?meeting unhr:briefer ?briefer }
    }"""
    r = rows(repo_store, q)
    meetings = {(x["meeting"], x["date"]) for x in r}
    assert meetings == {
        # The advocacy page dates it nowhere: the day is the curator's identification (marked).
        ("doc/S/PV.7353", "2014-12-22"),
        ("doc/S/PV.8130", "2017-12"),
        ("doc/S/PV.9398", "2023-08-17"),
    }
    assert {x["requester"] for x in r if "requester" in x} == {
        "state/USA",
        "state/ALB",
        "state/JPN",
        "state/KOR",
    }
    assert {x["briefer"] for x in r if "briefer" in x} == {
        "person/volker-turk",
        "person/elizabeth-salmon",
    }


# =============================================================================================
# Accountability
# =============================================================================================


def test_coi_recommendations_and_follow_up(repo_store: Store) -> None:
    """What did the COI recommend, to whom, which measure, and what became of it? [18, 19]"""
    q = """
    SELECT DISTINCT ?rec ?addressee ?measure ?status WHERE {
      ?rec a unhr:Recommendation ; unhr:recommendedBy <org/coi-dprk> ;
           unhr:recommendsMeasure ?measure .
      OPTIONAL { ?rec unhr:addressee ?addressee }
      OPTIONAL { ?fu unhr:respondsTo ?rec ; a unhr:RecommendationFollowUp ; unhr:status ?status }
    }"""
    got = {
        (
            r["rec"].split("/rec/")[1],
            r.get("addressee"),
            r["measure"].split("/")[-1],
            r.get("status", "").split("/")[-1] or None,
        )
        for r in rows(repo_store, q)
    }
    assert got == {
        ("icc-referral", "org/unsc", "icc-referral", "not-implemented"),
        ("icc-referral", "org/unsc", "international-justice-mechanism", "not-implemented"),
        ("targeted-sanctions", "org/unsc", "targeted-sanctions", "not-implemented"),
        ("sg-referral-to-unsc", "org/unsg", "security-council-consideration", None),
        # The essay names no addressee; the measure type is the curator's reading (marked).
        ("field-based-structure", None, "field-based-structure", "implemented"),
    }


def test_coi_recommendations_without_follow_up(repo_store: Store) -> None:
    """Which COI recommendations have no recorded follow-up at all? [19]"""
    q = """
    SELECT DISTINCT ?rec WHERE {
      ?rec a unhr:Recommendation ; unhr:recommendedBy <org/coi-dprk> .
      MINUS { ?fu unhr:respondsTo ?rec ; a unhr:RecommendationFollowUp }
    }"""
    assert col(repo_store, q, "rec") == {"doc/A/HRC/25/63/rec/sg-referral-to-unsc"}


def test_designations_in_1718_regime(repo_store: Store) -> None:
    """Which individuals and entities are designated under the 1718 regime, with which
    posts? [22, 23]"""
    q = """
    SELECT DISTINCT ?designee ?post WHERE {
      ?d a unhr:Designation ; unhr:regime <org/unsc-1718-cttee> ; unhr:designee ?designee .
      OPTIONAL { ?t unhr:holder ?designee ; unhr:post ?post }
    }"""
    got = {(r["designee"], r.get("post")) for r in rows(repo_store, q)}
    assert got == {
        ("org/wpk-ogd", None),
        ("org/wpk-pad", None),
        ("person/yong-won-jo", "post/wpk-ogd-director"),
        ("person/hwi-choe", "post/wpk-pad-first-vice-director"),
    }


def test_sanctions_measures_with_human_rights_implications(repo_store: Store) -> None:
    """Which sanctions measures, imposed by which SC resolution, do the sources report? [22, 24]"""
    q = """
    SELECT DISTINCT ?measure ?type ?res WHERE {
      ?measure a unhr:SanctionsMeasure ; unhr:measureType ?type ; unhr:imposedBy ?res .
    }"""
    got = {(r["res"], r["type"].split("/")[-1]) for r in rows(repo_store, q)}
    assert got == {
        ("doc/S/RES/2375(2017)", "asset-freeze"),
        ("doc/S/RES/2375(2017)", "sectoral-sanctions"),
        ("doc/S/RES/2397(2017)", "sectoral-sanctions"),
        ("doc/S/RES/2270(2016)", "sectoral-sanctions"),
    }


def test_holders_of_the_dprk_special_rapporteur_post(repo_store: Store) -> None:
    """Who has held the DPRK Special Rapporteur post (as far as the sources tell)? [31]"""
    q = """
    SELECT DISTINCT ?person ?start WHERE {
      ?t a unhr:Tenure ; unhr:post <post/sr-dprk> ; unhr:holder ?person .
      OPTIONAL { ?t unhr:startDate ?start }
    }"""
    got = {(r["person"], r.get("start")) for r in rows(repo_store, q)}
    assert got == {("person/marzuki-darusman", None), ("person/elizabeth-salmon", "2022")}


def test_security_council_memberships_stated_in_sources(repo_store: Store) -> None:
    """Which Security Council memberships do the source documents state, with role and dates,
    and which start years are the curator's? [12] (The per-year memberships of the data sets
    are tested in tests/importers.)"""
    q = """
    SELECT DISTINCT ?state ?role ?start ?end ?src ?start_marked WHERE {
      GRAPH ?g { ?m a unhr:Membership ; unhr:memberOf <org/unsc> ; unhr:member ?state ;
                    unhr:role ?role ; dcterms:source ?src .
                 OPTIONAL { ?m unhr:startDate ?start } OPTIONAL { ?m unhr:endDate ?end }
                 BIND (EXISTS { ?mark a unhr:CuratorIdentification ; rdf:subject ?m ;
                                      rdf:predicate unhr:startDate ; rdf:object ?start }
                       AS ?start_marked) }
      ?src a unhr:SourceDocument .
    }"""
    got = {
        (
            r["state"],
            r["role"].split("/")[-1],
            r.get("start"),
            r.get("end"),
            r["src"].split("/")[-1],
            r["start_marked"],
        )
        for r in rows(repo_store, q)
    }
    assert got == {
        ("state/KOR", "member", "2024", None, "nkdb-what-more", "false"),
        # The first year of a term the source does not date is the curator's, from the SC
        # data set (Japan a member in 2023 and 2024, Albania in 2022 and 2023), and marked.
        ("state/JPN", "member", "2023", None, "nkdb-what-more", "true"),
        ("state/USA", "member", None, None, "nkdb-what-more", "false"),
        ("state/KOR", "elected-member", "2024", "2025", "un-indispensable-2024", "false"),
        ("state/JPN", "elected-member", "2023", None, "un-indispensable-2024", "true"),
        ("state/ALB", "elected-member", "2022", None, "un-indispensable-2024", "true"),
    }


def test_upr_reviews_of_dprk_by_source(repo_store: Store) -> None:
    """When did each UPR review of the DPRK take place, per source, and who submitted? [28]"""
    q = """
    SELECT DISTINCT ?review ?date ?src WHERE {
      ?review a unhr:UPRReview ; unhr:stateUnderReview <state/PRK> .
      GRAPH ?g { ?review unhr:date ?date ; dcterms:source ?src }
    }"""
    got = {(r["review"], r["date"], r["src"].split("/")[-1]) for r in rows(repo_store, q)}
    assert got == {
        ("upr/PRK/1", "2010", "nkhr-un-advocacy"),
        ("upr/PRK/1", "2009", "nkdb-what-more"),
        ("upr/PRK/2", "2014", "nkhr-un-advocacy"),
        ("upr/PRK/3", "2019", "un-indispensable-2024"),
        ("upr/PRK/4", "2024", "nkdb-what-more"),
        ("upr/PRK/4", "2024-11", "un-indispensable-2024"),
    }
    q = """
    SELECT DISTINCT ?review ?ngo WHERE {
      ?a unhr:actor ?ngo ; dcterms:relation ?review . ?review a unhr:UPRReview .
    }"""
    assert {(r["review"], r["ngo"]) for r in rows(repo_store, q)} == {
        ("upr/PRK/1", "org/ngo/nkhr"),
        ("upr/PRK/2", "org/ngo/nkhr"),
    }


# =============================================================================================
# Disagreements and provenance
# =============================================================================================

# Properties that take one value per node: two different values from two graphs are a conflict.
# Dates of different precision that agree ("2024" vs "2024-11") are not a conflict.
Q_DISAGREEMENTS = """
SELECT DISTINCT ?s ?p ?v1 ?g1 ?v2 ?g2 WHERE {
  VALUES ?p { unhr:date unhr:establishedIn unhr:createdByBody unhr:startDate unhr:endDate
              unhr:voteDate unhr:adoptionDate unhr:yesCount unhr:noCount unhr:abstainCount
              unhr:establishedBy dcterms:accrualPeriodicity }
  GRAPH ?g1 { ?s ?p ?v1 }
  GRAPH ?g2 { ?s ?p ?v2 }
  FILTER (STR(?g1) < STR(?g2) && ?v1 != ?v2)
  BIND (DATATYPE(?v1) IN (xsd:date, xsd:gYear, xsd:gYearMonth)
        && DATATYPE(?v2) IN (xsd:date, xsd:gYear, xsd:gYearMonth) AS ?dates)
  FILTER (!(COALESCE(?dates, false) &&
            (STRSTARTS(STR(?v1), STR(?v2)) || STRSTARTS(STR(?v2), STR(?v1)))))
}"""


def _disagreements(store: Store) -> set[tuple[str, str, str, str, str, str]]:
    out = set()
    for r in rows(store, Q_DISAGREEMENTS):
        out.add((r["s"], r["p"].split("#")[-1].split("/")[-1], r["v1"], r["g1"], r["v2"], r["g2"]))
    return out


def test_disagreements_between_sources(repo_store: Store) -> None:
    """On which facts do two source documents disagree, with both values and both sources? [32]"""
    src_graphs = {"graph:" + s for s in SOURCE_IDS}
    got = {d for d in _disagreements(repo_store) if d[3] in src_graphs and d[5] in src_graphs}
    assert got == {
        # First UPR of the DPRK: 2009 (NKDB) vs 2010 (NKHR's participation).
        ("upr/PRK/1", "date", "2009", "graph:nkdb-what-more", "2010", "graph:nkhr-un-advocacy"),
        # UPR periodicity: every 4.5 years (essay) vs every four years (overview).
        (
            "org/upr-wg",
            "accrualPeriodicity",
            "P4Y6M",
            "graph:un-indispensable-2024",
            "P4Y",
            "graph:un-role-overview",
        ),
    }


def test_disagreements_between_sources_and_reference_data(repo_store: Store) -> None:
    """Disagreements between a source and a data set or reference graph are found the same way."""
    got = _disagreements(repo_store)
    # The reference graph dates the COI precisely; the sources' "2013" agrees and is not listed.
    assert not any(d[0] == "org/coi-dprk" and d[1] == "establishedIn" for d in got)
    # The un-bodies graph and the essay agree that the CHR created the Special Rapporteur
    # mandate; un-role-overview makes no claim on its creator (it says the HRC appoints the
    # Rapporteur, unhr:appointedBy), so no creator conflict is listed.
    assert not any(d[0] == "mandate/sr-dprk" and d[1] == "createdByBody" for d in got)


def test_every_curated_node_has_source_and_label(repo_store: Store) -> None:
    """Every node described in a source graph carries dcterms:source to that source; every
    node minted there (typed there) has an English label somewhere."""
    for sid in SOURCE_IDS:
        q = f"""
        SELECT DISTINCT ?s WHERE {{
          GRAPH <{GRAPH}{sid}> {{ ?s ?p ?o }}
          MINUS {{ GRAPH <{GRAPH}{sid}> {{ ?s dcterms:source <{ID}source/{sid}> }} }}
        }}"""
        assert col(repo_store, q, "s") == set(), sid
        q = f"""
        SELECT DISTINCT ?s WHERE {{
          GRAPH <{GRAPH}{sid}> {{ ?s a ?c }}
          MINUS {{ ?s rdfs:label ?l FILTER (LANG(?l) = "en") }}
        }}"""
        assert col(repo_store, q, "s") == set(), sid


def test_evidence_pointers_are_in_range(repo_store: Store) -> None:
    """Every unhr:evidence pointer names its own source and a non-empty character range inside
    the source text (checked against the texts when they are available)."""
    q = """
    SELECT DISTINCT ?g ?e WHERE { GRAPH ?g { ?s unhr:evidence ?e } }"""
    pat = re.compile(r"^source/([a-z0-9-]+)#char=(\d+),(\d+)$")
    found = rows(repo_store, q)
    assert found
    for r in found:
        m = pat.match(r["e"])
        assert m, r
        sid, start, end = m.group(1), int(m.group(2)), int(m.group(3))
        assert r["g"] == "graph:" + sid, r
        assert 0 <= start < end, r
        path = sources_dir() / SOURCE_FILES[sid]
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert end <= len(text), r
            assert text[start:end].strip(), r
