"""Coverage of the 2024 essay (source un-indispensable-2024), second pass (issue 10).

The expected values are read from the essay's text where the text prints them (numbers, dates,
names), or asserted as the text states them; the queries run over the repository graph. The
span test checks that every evidence span of the second pass contains each date and number it
is evidence for, as the text writes it. The log test keeps
docs/curation-log-un-indispensable-2024.md in step with the graph.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Store
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sources" / "un-indispensable-2024.ttl"
LOG = ROOT / "docs" / "curation-log-un-indispensable-2024.md"
TEXT = ROOT.parent / "shared" / "sources" / "003_7ecf27fb0f0a479d.txt"
MARKER = "# --- coverage, second pass (issue 10) ---"

ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/un-indispensable-2024"
UNHR = "https://w3id.org/unhr/ontology#"
EVIDENCE = URIRef(UNHR + "evidence")
SPAN = re.compile(r"^" + re.escape(ID) + r"source/un-indispensable-2024#char=(\d+),(\d+)$")

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
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
NUMBER_WORDS = {w: i for i, w in enumerate(WORDS)}
STATES = {"China": "CHN", "Russia": "RUS", "ROK": "KOR", "the United States": "USA", "Japan": "JPN"}


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text() -> str:
    if not TEXT.is_file():
        pytest.skip(f"source text not available: {TEXT}")
    return TEXT.read_text(encoding="utf-8")


def flat(s: str) -> str:
    """The text with line breaks and runs of spaces collapsed, as a reader sees it."""
    return re.sub(r"\s+", " ", s)


@pytest.fixture(scope="module")
def block() -> Graph:
    """The second-pass block alone, parsed with the file's prefixes."""
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


def first_match(pattern: str, text: str) -> re.Match[str]:
    m = re.search(pattern, flat(text))
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


# ---------------------------------------------------------------------------------------------
# Evidence spans carry the values they are evidence for
# ---------------------------------------------------------------------------------------------


def written_forms(value: Literal) -> list[str]:
    """How the essay may write a date, number or duration stored in the graph."""
    lex, dt = str(value), value.datatype
    if dt == XSD.date:
        y, m, d = (int(x) for x in lex.split("-"))
        return [f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}"]
    if dt == XSD.gYearMonth:
        y, m = (int(x) for x in lex.split("-"))
        return [f"{MONTHS[m - 1]} {y}"]
    if dt == XSD.gYear:
        return [lex]
    if dt in (XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger):
        n = int(lex)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        forms = [str(n), f"{n}{suffix}"]
        if n < len(WORDS):
            forms.append(WORDS[n])
        if n in ORDINAL_WORDS:
            forms.append(ORDINAL_WORDS[n])
        return forms
    if dt == XSD.duration:
        # Stores normalise durations (P24M is read back as P2Y): offer years and months.
        m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", lex)
        assert m and lex != "P", f"unexpected duration {lex}"
        months = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
        amounts = [(months, "month")] + ([(months // 12, "year")] if months % 12 == 0 else [])
        return [
            f"{name}{sep}{unit}"
            for n, unit in amounts
            for name in [str(n)] + ([WORDS[n]] if n < len(WORDS) else [])
            for sep in (" ", "-")
        ]
    return []


def spans_of(g: Graph, node: URIRef, text: str) -> list[str]:
    found = []
    for ev in g.objects(node, EVIDENCE):
        m = SPAN.match(str(ev))
        assert m, f"{node}: evidence {ev} is not a char range of the essay"
        start, end = int(m.group(1)), int(m.group(2))
        assert 0 <= start < end <= len(text), f"{node}: span {start},{end} out of range"
        found.append(flat(text[start:end]))
    return found


def missing_values(g: Graph, text: str) -> list[str]:
    missing = []
    for s, p, o in g:
        if not isinstance(o, Literal) or not written_forms(o) or not isinstance(s, URIRef):
            continue
        spans = spans_of(g, s, text)
        if not any(f.lower() in span.lower() for f in written_forms(o) for span in spans):
            missing.append(f"{s[len(ID) :]} {p.n3()} {o} not in {spans}")
    return missing


def test_block_values_are_in_their_spans(block: Graph, text: str) -> None:
    valued = [o for o in block.objects() if isinstance(o, Literal) and written_forms(o)]
    assert len(valued) >= 45  # dates, counts, sessions, intervals
    assert missing_values(block, text) == []


def test_every_block_node_has_a_span(block: Graph, text: str) -> None:
    """Every node the second pass describes points to where the essay says it (marks excepted:
    they say where the value did not come from)."""
    no_span = {
        str(s)[len(ID) :]
        for s in set(block.subjects())
        if isinstance(s, URIRef) and not spans_of(block, s, text)
    }
    assert no_span == {"curation/un-indispensable-2024/untc-id-charter"}


def test_a_span_without_its_value_is_detected(block: Graph, text: str) -> None:
    g = Graph()
    node = URIRef(ID + "incident/2023-10-china-returns-escapees")
    for t in block.triples((node, None, None)):
        g.add(t)
    assert missing_values(g, text) == []
    count = URIRef(UNHR + "personCount")
    g.set((node, count, Literal(610, datatype=XSD.integer)))
    assert len(missing_values(g, text)) == 1


# ---------------------------------------------------------------------------------------------
# Competency questions answered from the essay's graph
# ---------------------------------------------------------------------------------------------


def test_escapees_china_is_reported_to_have_returned(repo_store: Store, text: str) -> None:
    m = first_match(
        r"returned (\d+) escapees to North Korea in (\w+ \d{4}) and an additional (\d+) "
        r"in (\w+ \d{4})",
        text,
    )
    expected = {(m.group(1), gym(m.group(2))), (m.group(3), gym(m.group(4)))}
    q = f"""
    SELECT ?n ?date WHERE {{ GRAPH <{GRAPH}> {{
      ?i a unhr:Incident ; unhr:actor <state/CHN> ; unhr:concernsState <state/PRK> ;
         unhr:personCount ?n ; unhr:date ?date ; dcterms:source <source/un-indispensable-2024> .
    }} }}"""
    assert {(r["n"], r["date"]) for r in rows(repo_store, q)} == expected


def test_stances_on_security_council_consideration(repo_store: Store, text: str) -> None:
    m = first_match(r"(\w+) and (\w+) have opposed the consideration of North Korean human", text)
    opposed = {STATES[m.group(1)], STATES[m.group(2)]}
    m = first_match(r"position taken by the (ROK), (the United States), (Japan), and other", text)
    supported = {STATES[m.group(i)] for i in (1, 2, 3)}
    q = f"""
    SELECT ?state ?position ?where WHERE {{ GRAPH <{GRAPH}> {{
      ?s a unhr:Stance ; unhr:stanceHolder ?state ; unhr:position ?position ;
         dcterms:subject <vocab/measure-type/security-council-consideration> ;
         unhr:expressedIn ?where .
    }} }}"""
    found = rows(repo_store, q)
    by_position: dict[str, set[str]] = {}
    for r in found:
        by_position.setdefault(r["position"], set()).add(r["state"].removeprefix("state/"))
    assert by_position == {"vocab/stance/opposition": opposed, "vocab/stance/support": supported}
    # Opposition was reiterated in the August 2023 meeting; support, in the joint statement.
    where = {r["state"].removeprefix("state/"): r["where"] for r in found}
    assert {where[s] for s in opposed} == {"doc/S/PV.9398"}
    assert {where[s] for s in supported} == {
        "document/joint/2023-08-17-statement-after-unsc-meeting"
    }


def test_security_council_public_discussions(repo_store: Store, text: str) -> None:
    count = NUMBER_WORDS[first_match(r"it has held (\w+) public discussions", text).group(1)]
    gap = NUMBER_WORDS[first_match(r"the first in (\w+) years", text).group(1)]
    q = f"""
    SELECT ?count ?latest ?gap ?date WHERE {{ GRAPH <{GRAPH}> {{
      ?series a unhr:MeetingSeries ; unhr:meetingOf <org/unsc> ; unhr:meetingCount ?count ;
              unhr:concernsState <state/PRK> .
      ?latest unhr:inSeries ?series ; unhr:gapSincePrevious ?gap ; unhr:date ?date .
    }} }}"""
    assert rows(repo_store, q) == [
        {"count": str(count), "latest": "doc/S/PV.9398", "gap": f"P{gap}Y", "date": "2023-08-17"}
    ]


def test_rok_resumed_co_sponsorship_and_the_years_since(repo_store: Store, text: str) -> None:
    m = first_match(r"the (\d+)th Session of the General Assembly in (\w+ \d{4})", text)
    ga_session, ga_month = m.group(1), gym(m.group(2))
    m = first_match(r"(\d+)nd Session of the Human Rights Council in (\w+ \d{4})", text)
    hrc_session, hrc_month = m.group(1), gym(m.group(2))
    m = first_match(r"It had been (\w+) years and (\w+) years respectively", text)
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
      ?s a unhr:Stance ; unhr:stanceHolder <state/KOR> ; unhr:position <vocab/stance/support> ;
         unhr:about <doc/A/RES/77/226> , <doc/A/HRC/RES/52/28> . }} }}"""
    assert repo_store.query(PREFIXES + q)


def test_who_did_not_raise_the_issue_in_2018_and_2019(repo_store: Store, text: str) -> None:
    m = first_match(r"this was not the case for the (ROK), (the United States), and (Japan)", text)
    expected = {STATES[m.group(i)] for i in (1, 2, 3)}
    m = first_match(r"surrounding the Korean Peninsula in (\d{4}) and (\d{4})", text)
    q = f"""
    SELECT ?state ?from ?to WHERE {{ GRAPH <{GRAPH}> {{
      ?s unhr:stanceHolder ?state ; unhr:position <vocab/stance/disengagement> ;
         unhr:about <org/un> ; unhr:startDate ?from ; unhr:endDate ?to .
    }} }}"""
    found = rows(repo_store, q)
    assert {r["state"].removeprefix("state/") for r in found} == expected
    assert {(r["from"], r["to"]) for r in found} == {(m.group(1), m.group(2))}
    # ... while the EU consistently raised it there.
    q = f"""
    ASK {{ GRAPH <{GRAPH}> {{ ?s unhr:stanceHolder <org/eu> ;
      unhr:position <vocab/stance/support> ; unhr:about <org/un> . }} }}"""
    assert repo_store.query(PREFIXES + q)


def test_joint_statements_of_the_coalition(repo_store: Store, text: str) -> None:
    april = gym(first_match(r"U\.S\.-ROK Joint Statement of (\w+ \d{4})", text).group(1))
    phnom_penh = gym(first_match(r"statement at Phnom Penh in (\w+ \d{4})", text).group(1))
    q = f"""
    SELECT ?doc (GROUP_CONCAT(DISTINCT STRAFTER(STR(?by), "/state/"); separator=" ") AS ?issuers)
           (SAMPLE(?d) AS ?date)
    WHERE {{ GRAPH <{GRAPH}> {{
      ?doc a unhr:Statement ; unhr:issuedBy ?by ; unhr:concernsState <state/PRK> ;
           unhr:expressedIn ?meeting .
      OPTIONAL {{ ?doc unhr:date ?d }}
    }}
      ?by a unhr:State .
    }} GROUP BY ?doc"""
    found = {r["doc"]: (set(r["issuers"].split()), r.get("date")) for r in rows(repo_store, q)}
    assert found == {
        "document/joint/2023-04-us-rok-joint-statement": ({"USA", "KOR"}, april),
        "document/joint/2022-11-us-japan-rok-statement-phnom-penh": (
            {"USA", "JPN", "KOR"},
            phnom_penh,
        ),
        "document/joint/camp-david-summit-joint-statement": ({"USA", "KOR", "JPN"}, None),
    }


def test_appointments_terms_and_vacancies(repo_store: Store, text: str) -> None:
    m = first_match(r"Her (\w+)-year mandate expired on (\w+) (\d+), (\d{4})", text)
    one, month, day, year = m.groups()
    expired = f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"
    vacant = NUMBER_WORDS[first_match(r"had remained vacant for (\w+) years", text).group(1)]
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
    since = first_match(r"a position that has remained vacant since (\d{4})", text).group(1)
    q = f"""
    SELECT ?since WHERE {{ GRAPH <{GRAPH}> {{
      <tenure/us-special-envoy-nkhr/julie-turner> unhr:vacantSince ?since }} }}"""
    assert rows(repo_store, q) == [{"since": since}]
    assert "named Joe Colombano of Italy" in flat(text)
    q = f"""
    SELECT ?by ?nat WHERE {{ GRAPH <{GRAPH}> {{
      <tenure/un-rc-dprk/joe-colombano> unhr:appointedBy ?by ; unhr:holder ?p .
      ?p unhr:nationality ?nat }} }}"""
    assert rows(repo_store, q) == [{"by": "org/unsg", "nat": "state/ITA"}]


def test_numbers_of_the_ohchr_seoul_office_and_resolution_2397(
    repo_store: Store, text: str
) -> None:
    victims = first_match(r"interviews with (\d+) victims", text).group(1)
    months = first_match(r"within (\d+) months", text).group(1)
    q = f"""
    SELECT ?n ?within WHERE {{ GRAPH <{GRAPH}> {{
      <meeting/ohchr-seoul/2023-12/japan-victim-consultations> unhr:personCount ?n .
      <measure/s-res-2397-repatriation-workers> unhr:duration ?within . }} }}"""
    assert rows(repo_store, q) == [{"n": victims, "within": duration_of_months(int(months))}]


def test_statements_of_people_and_their_dates(repo_store: Store, text: str) -> None:
    kirby = gym(first_match(r"Michael Kirby, who stated in (\w+ \d{4})", text).group(1))
    hawk = first_match(r"In his (\d{4}) report, Human Rights", text).group(1)
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


def test_the_charter_number_is_marked_as_the_curators(repo_store: Store, text: str) -> None:
    assert "1945 UN Charter" in flat(text)
    assert "I-1" not in text
    q = f"""
    SELECT ?basis WHERE {{ GRAPH <{GRAPH}> {{
      <treaty/I-1> unhr:untcId ?id ; unhr:date "1945"^^xsd:gYear .
      ?m a unhr:CuratorIdentification ; rdf:subject <treaty/I-1> ;
         rdf:predicate unhr:untcId ; rdf:object ?id ; unhr:identificationBasis ?basis .
    }} }}"""
    assert rows(repo_store, q) == [{"basis": "vocab/identification-basis/general-knowledge"}]


# ---------------------------------------------------------------------------------------------
# The curation log agrees with the graph
# ---------------------------------------------------------------------------------------------

ROW = re.compile(r"^\| S(\d{3}) \| (\d+) \| [^|]+ \| ([^|]+?) \| (.*) \|$")
COUNT = re.compile(r"^\| ([^|]+?) \| (\d+) \|$")


def log_rows() -> list[tuple[int, int, str, str]]:
    found = []
    for line in LOG.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            found.append((int(m.group(1)), int(m.group(2)), m.group(3).strip(), m.group(4)))
    return found


def test_log_has_one_row_per_sentence_in_order(text: str) -> None:
    found = log_rows()
    assert [r[0] for r in found] == list(range(1, len(found) + 1))
    assert len(found) >= 180
    lines = [r[1] for r in found]
    assert lines == sorted(lines)
    assert lines[-1] <= text.count("\n") + 1


def test_log_counts_match_its_rows() -> None:
    statuses: dict[str, int] = {}
    for _, _, status, _ in log_rows():
        statuses[status] = statuses.get(status, 0) + 1
    text = LOG.read_text(encoding="utf-8")
    summary = text[text.index("## Counts") :]
    counts = {m.group(1): int(m.group(2)) for m in map(COUNT.match, summary.splitlines()) if m}
    for status, n in statuses.items():
        assert counts.get(status) == n, (status, n, counts.get(status))
    assert counts["all sentences"] == sum(statuses.values())


def test_log_names_only_nodes_that_exist(repo_store: Store) -> None:
    named: set[str] = set()
    for _, _, status, cell in log_rows():
        named |= set(re.findall(r"`([a-z][^`\s]*/[^`\s]*)`", cell))
        if status.startswith("modelled"):
            assert re.search(r"`[a-z][^`\s]*/", cell), f"a modelled row names no node: {cell}"
    assert len(named) >= 100
    q = f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    subjects = {r["s"] for r in rows(repo_store, q)}
    assert sorted(named - subjects) == []
