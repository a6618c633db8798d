"""Coverage of the 2024 essay (source un-indispensable-2024), sentence by sentence (issue 10).

Competency questions answered from the essay's graph, in the one model the repository uses for
stances, statements, meetings, counts and appointments (docs/modelling.md). The expected values
are read from the essay's text where the text prints them (numbers, dates, names, who opposed and
who supported), so a changed graph or a changed text fails; the queries run over the repository's
graphs. Evidence spans of dated and numeric claims are checked for every source graph by
tests/knowledge/test_evidence_spans.py; the curation log by tests/knowledge/test_curation_log.py.
"""

from __future__ import annotations

import re

import pytest
from pyoxigraph import Store
from rdflib import Graph, URIRef

from tests.knowledge.sources import ROOT, flat, spans, text

DATA = ROOT / "data" / "sources" / "un-indispensable-2024.ttl"
MARKER = "# --- coverage, second pass (issue 10) ---"

ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/un-indispensable-2024"
SOURCE = "un-indispensable-2024"

PREFIXES = """
PREFIX unhr: <https://w3id.org/unhr/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
BASE <https://w3id.org/unhr/id/>
"""

MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
WORDS = [
    *("zero", "one", "two", "three", "four", "five", "six"),
    *("seven", "eight", "nine", "ten", "eleven", "twelve"),
]
NUMBER_WORDS = {w: i for i, w in enumerate(WORDS)}
STATES = {"China": "CHN", "Russia": "RUS", "ROK": "KOR", "the United States": "USA", "Japan": "JPN"}


@pytest.fixture(scope="module")
def essay() -> str:
    return text(SOURCE)


@pytest.fixture(scope="module")
def block() -> Graph:
    """The second-pass block of the essay's file alone, parsed with the file's prefixes."""
    source = DATA.read_text(encoding="utf-8")
    assert source.count(MARKER) == 1, "the second-pass block starts with its marker line, once"
    head = source[: source.index("\n<")]  # the @base and @prefix lines
    return Graph().parse(data=head + source[source.index(MARKER) :], format="turtle")


def rows(store: Store, query: str) -> list[dict[str, str]]:
    """SELECT over the union graph; IRIs under the instance base are shortened to their path."""
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    out = []
    for sol in result:  # type: ignore[union-attr]
        row = {}
        for n in names:
            t = sol[n]
            if t is not None:
                row[n] = t.value[len(ID) :] if t.value.startswith(ID) else t.value
        out.append(row)
    return out


def first_match(pattern: str, essay: str) -> re.Match[str]:
    m = re.search(pattern, flat(essay))
    assert m, f"the essay no longer says {pattern!r}"
    return m


def duration_of_months(n: int) -> str:
    """The canonical xsd:duration of n months, as a store returns it (24 -> P2Y)."""
    years, months = divmod(n, 12)
    return "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")


def gym(words: str) -> str:
    """'October 2023' -> '2023-10'."""
    month, year = words.split()
    return f"{year}-{MONTHS.index(month) + 1:02d}"


def test_every_second_pass_node_has_a_span(block: Graph, essay: str) -> None:
    """Every node the sentence-by-sentence pass describes points to where the essay says it
    (marks excepted: they say where a value did not come from)."""
    no_span = {
        str(s)[len(ID) :]
        for s in set(block.subjects())
        if isinstance(s, URIRef) and not spans(block, s)
    }
    assert no_span == {"curation/un-indispensable-2024/untc-id-charter"}


# ---------------------------------------------------------------------------------------------
# Competency questions answered from the essay's graph
# ---------------------------------------------------------------------------------------------


def test_escapees_china_is_reported_to_have_returned(repo_store: Store, essay: str) -> None:
    m = first_match(
        r"returned (\d+) escapees to North Korea in (\w+ \d{4}) and an additional (\d+) "
        r"in (\w+ \d{4})",
        essay,
    )
    expected = {(m.group(1), gym(m.group(2))), (m.group(3), gym(m.group(4)))}
    q = f"""
    SELECT ?n ?date WHERE {{ GRAPH <{GRAPH}> {{
      ?i a unhr:Incident ; unhr:actor <state/CHN> ; unhr:concernsState <state/PRK> ;
         unhr:count ?n ; unhr:date ?date ; dcterms:source <source/un-indispensable-2024> .
    }} }}"""
    assert {(r["n"], r["date"]) for r in rows(repo_store, q)} == expected


def test_stances_on_security_council_consideration(repo_store: Store, essay: str) -> None:
    m = first_match(r"(\w+) and (\w+) have opposed the consideration of North Korean human", essay)
    opposed = {STATES[m.group(1)], STATES[m.group(2)]}
    m = first_match(r"position taken by the (ROK), (the United States), (Japan), and other", essay)
    supported = {STATES[m.group(i)] for i in (1, 2, 3)}
    q = f"""
    SELECT ?state ?position ?meeting ?document WHERE {{ GRAPH <{GRAPH}> {{
      ?s a unhr:Stance ; unhr:actor ?state ; unhr:position ?position ;
         unhr:stanceOnMeasure <vocab/measure-type/security-council-consideration> ;
         unhr:stanceOn <org/unsc> .
      OPTIONAL {{ ?s unhr:inMeeting ?meeting }}
      OPTIONAL {{ ?s unhr:expressedIn ?document }}
    }} }}"""
    found = rows(repo_store, q)
    by_position: dict[str, set[str]] = {}
    for r in found:
        by_position.setdefault(r["position"], set()).add(r["state"].removeprefix("state/"))
    assert by_position == {"vocab/stance/opposition": opposed, "vocab/stance/support": supported}
    # Opposition was reiterated in the August 2023 meeting; support, in the joint statement
    # issued after it.
    where = {
        r["state"].removeprefix("state/"): (r.get("meeting"), r.get("document")) for r in found
    }
    assert {where[s] for s in opposed} == {("doc/S/PV.9398", None)}
    statement = "document/joint/statement-after-the-unsc-meeting-of-2023-08-17"
    assert {where[s] for s in supported} == {(None, statement)}
    q = f"""
    SELECT ?meeting WHERE {{ GRAPH <{GRAPH}> {{ <{statement}> dcterms:relation ?meeting }} }}"""
    assert rows(repo_store, q) == [{"meeting": "doc/S/PV.9398"}]


def test_security_council_public_discussions(repo_store: Store, essay: str) -> None:
    count = NUMBER_WORDS[first_match(r"it has held (\w+) public discussions", essay).group(1)]
    gap = NUMBER_WORDS[first_match(r"the first in (\w+) years", essay).group(1)]
    q = f"""
    SELECT ?count ?latest ?gap ?date WHERE {{ GRAPH <{GRAPH}> {{
      ?series a unhr:MeetingSeries ; unhr:meetingOf <org/unsc> ; unhr:count ?count ;
              unhr:concernsState <state/PRK> .
      ?latest unhr:inSeries ?series ; unhr:gapSincePrevious ?gap ; unhr:date ?date .
    }} }}"""
    assert rows(repo_store, q) == [
        {"count": str(count), "latest": "doc/S/PV.9398", "gap": f"P{gap}Y", "date": "2023-08-17"}
    ]


def test_rok_resumed_co_sponsorship_and_the_years_since(repo_store: Store, essay: str) -> None:
    m = first_match(r"the (\d+)th Session of the General Assembly in (\w+ \d{4})", essay)
    ga_session, ga_month = m.group(1), gym(m.group(2))
    m = first_match(r"(\d+)nd Session of the Human Rights Council in (\w+ \d{4})", essay)
    hrc_session, hrc_month = m.group(1), gym(m.group(2))
    m = first_match(r"It had been (\w+) years and (\w+) years respectively", essay)
    ga_gap, hrc_gap = NUMBER_WORDS[m.group(1)], NUMBER_WORDS[m.group(2)]
    q = f"""
    SELECT ?body ?session ?date ?gap WHERE {{ GRAPH <{GRAPH}> {{
      ?p unhr:participant <state/KOR> ; unhr:role <vocab/role/co-sponsor> ;
         unhr:inActivity ?res ; unhr:date ?date ; unhr:gapSincePrevious ?gap .
      ?res unhr:inSession ?s .
      ?s unhr:sessionOf ?body ; unhr:sessionNumber ?session .
    }} }}"""
    assert {tuple(r.values()) for r in rows(repo_store, q)} == {
        ("org/unga", ga_session, ga_month, f"P{ga_gap}Y"),
        ("org/hrc", hrc_session, hrc_month, f"P{hrc_gap}Y"),
    }
    q = f"""
    ASK {{ GRAPH <{GRAPH}> {{
      ?s a unhr:Stance ; unhr:actor <state/KOR> ; unhr:position <vocab/stance/support> ;
         unhr:stanceOn <doc/A/RES/77/226> , <doc/A/HRC/RES/52/28> . }} }}"""
    assert repo_store.query(PREFIXES + q)


def test_who_did_not_raise_the_issue_in_2018_and_2019(repo_store: Store, essay: str) -> None:
    m = first_match(r"this was not the case for the (ROK), (the United States), and (Japan)", essay)
    expected = {STATES[m.group(i)] for i in (1, 2, 3)}
    m = first_match(r"surrounding the Korean Peninsula in (\d{4}) and (\d{4})", essay)
    q = f"""
    SELECT ?state ?from ?to WHERE {{ GRAPH <{GRAPH}> {{
      ?s unhr:actor ?state ; unhr:position <vocab/stance/disengagement> ;
         unhr:stanceOn <org/un> ; unhr:startDate ?from ; unhr:endDate ?to .
    }} }}"""
    found = rows(repo_store, q)
    assert {r["state"].removeprefix("state/") for r in found} == expected
    assert {(r["from"], r["to"]) for r in found} == {(m.group(1), m.group(2))}
    # ... while the EU consistently raised it there.
    q = f"""
    ASK {{ GRAPH <{GRAPH}> {{ ?s unhr:actor <org/eu> ;
      unhr:position <vocab/stance/support> ; unhr:stanceOn <org/un> . }} }}"""
    assert repo_store.query(PREFIXES + q)


def test_joint_statements_of_the_coalition(repo_store: Store, essay: str) -> None:
    april = gym(first_match(r"U\.S\.-ROK Joint Statement of (\w+ \d{4})", essay).group(1))
    phnom_penh = gym(first_match(r"statement at Phnom Penh in (\w+ \d{4})", essay).group(1))
    assert "issued during President Yoon\u2019s state visit" in flat(essay)
    assert "statement at Phnom Penh in November 2022 during the East Asia Summit" in flat(essay)
    assert "joint statement issued after the Camp David Summit" in flat(essay)
    q = f"""
    SELECT ?doc (GROUP_CONCAT(DISTINCT STRAFTER(STR(?by), "/state/"); separator=" ") AS ?issuers)
           (SAMPLE(?d) AS ?date) (SAMPLE(?during) AS ?issued_during)
           (SAMPLE(?after) AS ?issued_after)
    WHERE {{ GRAPH <{GRAPH}> {{
      ?doc a unhr:Statement ; unhr:issuedBy ?by ; unhr:concernsState <state/PRK> .
      OPTIONAL {{ ?doc unhr:date ?d }}
      OPTIONAL {{ ?doc unhr:inMeeting ?during }}
      OPTIONAL {{ ?doc dcterms:relation ?after }}
      FILTER (BOUND(?during) || BOUND(?after))
      FILTER (STRSTARTS(STR(?doc), "https://w3id.org/unhr/id/document/joint/"))
    }}
      ?by a unhr:State .
    }} GROUP BY ?doc"""
    found = {
        r["doc"]: (
            set(r["issuers"].split()),
            r.get("date"),
            r.get("issued_during"),
            r.get("issued_after"),
        )
        for r in rows(repo_store, q)
    }
    assert found == {
        "document/joint/2023-04-us-rok-joint-statement": (
            {"USA", "KOR"},
            april,
            "meeting/washington/2023-04/yoon-state-visit",
            None,
        ),
        "document/joint/2022-11-us-japan-rok-statement-phnom-penh": (
            {"USA", "JPN", "KOR"},
            phnom_penh,
            "meeting/phnom-penh/2022-11/east-asia-summit",
            None,
        ),
        "document/joint/camp-david-summit-joint-statement": (
            {"USA", "KOR", "JPN"},
            None,
            None,
            "meeting/camp-david/2023-08-18/trilateral-summit",
        ),
        "document/joint/statement-after-the-unsc-meeting-of-2023-08-17": (
            {"USA", "KOR", "JPN"},
            None,
            None,
            "doc/S/PV.9398",
        ),
    }


def test_appointments_terms_and_vacancies(repo_store: Store, essay: str) -> None:
    m = first_match(r"Her (\w+)-year mandate expired on (\w+) (\d+), (\d{4})", essay)
    one, month, day, year = m.groups()
    expired = f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"
    vacant = NUMBER_WORDS[first_match(r"had remained vacant for (\w+) years", essay).group(1)]
    q = f"""
    SELECT ?by ?term ?expired ?gap WHERE {{ GRAPH <{GRAPH}> {{
      <tenure/kor-ambassador-hr/shin-wha-lee> unhr:appointedBy ?by ; unhr:duration ?term ;
          unhr:initialEndDate ?expired ; unhr:gapSincePrevious ?gap . }} }}"""
    assert rows(repo_store, q) == [
        {
            "by": "state/KOR",
            "term": f"P{NUMBER_WORDS[one]}Y",
            "expired": expired,
            "gap": f"P{vacant}Y",
        }
    ]
    since = first_match(r"a position that has remained vacant since (\d{4})", essay).group(1)
    q = f"""
    SELECT ?since WHERE {{ GRAPH <{GRAPH}> {{
      <tenure/us-special-envoy-nkhr/julie-turner> unhr:vacantSince ?since }} }}"""
    assert rows(repo_store, q) == [{"since": since}]
    assert "named Joe Colombano of Italy" in flat(essay)
    q = f"""
    SELECT ?by ?nat WHERE {{ GRAPH <{GRAPH}> {{
      <tenure/un-rc-dprk/joe-colombano> unhr:appointedBy ?by ; unhr:holder ?p .
      ?p unhr:nationality ?nat }} }}"""
    assert rows(repo_store, q) == [{"by": "org/unsg", "nat": "state/ITA"}]
    # One property for both kinds of appointment: a post's appointing body (the essay: the HRC
    # appoints special-procedures holders) and the appointer of one holder.
    assert "The HRC appoints independent experts" in flat(essay)
    q = f"""
    SELECT ?post WHERE {{ GRAPH <{GRAPH}> {{ ?post a unhr:Post }}
      GRAPH <{GRAPH}> {{ ?post unhr:appointedBy <org/hrc> }} }} ORDER BY ?post"""
    assert [r["post"] for r in rows(repo_store, q)] == [
        "post/sr-dprk",
        "post/sr-slavery",
        "post/sr-vaw",
    ]


def test_numbers_of_the_ohchr_seoul_office_and_resolution_2397(
    repo_store: Store, essay: str
) -> None:
    victims = first_match(r"interviews with (\d+) victims", essay).group(1)
    months = first_match(r"within (\d+) months", essay).group(1)
    q = f"""
    SELECT ?n ?within WHERE {{ GRAPH <{GRAPH}> {{
      <meeting/ohchr-seoul/2023-12/japan-victim-consultations> unhr:count ?n .
      <measure/s-res-2397-repatriation-workers> unhr:duration ?within . }} }}"""
    assert rows(repo_store, q) == [{"n": victims, "within": duration_of_months(int(months))}]


def test_statements_of_people_and_their_dates(repo_store: Store, essay: str) -> None:
    kirby = gym(first_match(r"Michael Kirby, who stated in (\w+ \d{4})", essay).group(1))
    hawk = first_match(r"In his (\d{4}) report, Human Rights", essay).group(1)
    q = f"""
    SELECT ?person ?date WHERE {{ GRAPH <{GRAPH}> {{
      ?doc dcterms:creator ?person ; unhr:date ?date .
      FILTER (?person IN (<person/michael-kirby>, <person/david-hawk>))
    }} }}"""
    assert {(r["person"], r["date"]) for r in rows(repo_store, q)} == {
        ("person/michael-kirby", kirby),
        ("person/david-hawk", hawk),
    }
    # Kirby spoke of the history of the Charter and of the Declaration.
    q = f"""
    SELECT ?about WHERE {{ GRAPH <{GRAPH}> {{
      <document/michael-kirby/2024-01-statement-on-progress> unhr:about ?about }} }}"""
    assert {r["about"] for r in rows(repo_store, q)} == {"treaty/I-1", "doc/A/RES/217(III)"}


def test_who_took_part_in_meetings_without_a_named_role(repo_store: Store, essay: str) -> None:
    """Attendance the essay states without a role is unhr:attendee (no unhr:involves is
    stored); the Special Rapporteur's Seoul visit is hers (unhr:actor), not a speech."""
    assert "Jung Pak, the U.S. Deputy Assistant Secretary" in flat(essay)
    assert "participated in the meeting, along with Ambassador Lee Shin- wha" in flat(essay)
    q = f"""
    SELECT ?who WHERE {{ GRAPH <{GRAPH}> {{
      <meeting/usa-embassy-seoul/2023-02/families-of-detainees-and-abductees>
          unhr:attendee ?who }} }} ORDER BY ?who"""
    assert [r["who"] for r in rows(repo_store, q)] == ["person/jung-pak", "person/shin-wha-lee"]
    assert "visited Seoul in August 2022" in flat(essay)
    q = f"""
    SELECT ?p ?o WHERE {{ GRAPH <{GRAPH}> {{
      <meeting/seoul/2022-08/sr-dprk-visit> ?p ?o .
      FILTER (?p IN (unhr:actor, unhr:attendee, unhr:speaker, unhr:involves)) }} }}
    ORDER BY ?p"""
    assert [(r["p"].split("#")[1], r["o"]) for r in rows(repo_store, q)] == [
        ("actor", "person/elizabeth-salmon"),
        ("attendee", "state/KOR"),
    ]


def test_the_charter_number_is_marked_as_the_curators(repo_store: Store, essay: str) -> None:
    assert "1945 UN Charter" in flat(essay)
    assert "I-1" not in essay
    q = f"""
    SELECT ?basis WHERE {{ GRAPH <{GRAPH}> {{
      <treaty/I-1> unhr:untcId ?id ; unhr:date "1945"^^xsd:gYear .
      ?m a unhr:CuratorIdentification ; rdf:subject <treaty/I-1> ;
         rdf:predicate unhr:untcId ; rdf:object ?id ; unhr:identificationBasis ?basis .
    }} }}"""
    assert rows(repo_store, q) == [{"basis": "vocab/identification-basis/general-knowledge"}]


def test_values_the_essay_does_not_give_are_marked(repo_store: Store, essay: str) -> None:
    """The fact-check's suspects (issue 10): each value the essay does not print is marked."""
    words = flat(essay)
    assert "1718" not in words and "sanctions committee" not in words.lower()
    assert "Working Group" not in words and "the HRC conducts the Universal Periodic" in words
    assert "began her term" in words and "Her one-year mandate expired on July 18, 2023" in words
    assert "previous UPR cycle in 2019" in words and "third UPR" not in words
    q = f"""
    SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{
      ?m a unhr:CuratorIdentification ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
      ?s ?p ?o .
    }} }}"""
    marked = {(r["s"], r["p"].split("#")[-1].split("/")[-1], r["o"]) for r in rows(repo_store, q)}
    assert {
        ("measure/s-res-2375-asset-freeze-wpk-departments", "regime", "org/unsc-1718-cttee"),
        ("designation/1718/wpk-ogd", "regime", "org/unsc-1718-cttee"),
        ("designation/1718/wpk-pad", "regime", "org/unsc-1718-cttee"),
        ("designation/1718/yong-won-jo", "regime", "org/unsc-1718-cttee"),
        ("designation/1718/hwi-choe", "regime", "org/unsc-1718-cttee"),
        ("org/upr-wg", "accrualPeriodicity", "P4Y6M"),
        ("tenure/kor-ambassador-hr/shin-wha-lee", "startDate", "2022"),
        ("tenure/sr-dprk/elizabeth-salmon", "startDate", "2022"),
        ("membership/unsc/JPN/2023", "startDate", "2023"),
        ("membership/unsc/ALB/2022", "startDate", "2022"),
        ("mandate/sr-dprk", "establishedIn", "2004"),
        ("post/sr-dprk", "establishedIn", "2004"),
        ("upr/CHN/4", "cycle", "upr/cycle/4"),
        ("upr/PRK/3", "cycle", "upr/cycle/3"),
    } <= marked
