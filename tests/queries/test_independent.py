"""Independent goldens for the canned queries (issue 9).

The goldens of test_canned_queries.py are the code's own output. Here every query in queries/
has at least one test whose expected rows are derived without the graph: from the data sets'
CSV files under data/*/csv/ with plain Python (the ``csv`` module), or from facts read in the
five source texts. The server's answer (``GET /queries/{name}`` through ``repo_client``) must
equal the derived rows, or, where a full row set cannot be derived, a precise and complete
subset of them (all rows of one source, of some years, of one case), with ``Like`` cells where
the independent source says less than the graph (a year where the graph has the day).

Nothing here runs SPARQL to find expected values or reads the goldens, and nothing uses the
importers' code (their state names or membership rules): the rules that the data sets'
SOURCE.md files state are re-implemented on the CSVs.

Facts read in a source text carry their evidence: ``cite(source, first, last, phrases…)`` says
the phrases stand in those lines of the .txt (numbered as ``cat -n`` numbers them), ``absent``
that the text never prints them (which is why the curators marked such a value as their own
identification, and why the query's ``identifiedByCurator`` is true). ``test_citation`` checks
every one against the texts (it skips when they are not available, see
tests/knowledge/sources.py); the query tests themselves do not need the texts.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from tests.knowledge import sources

from kg.queries import load_registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VOTES_CSV = ROOT / "data" / "votes" / "csv"
REFERENCE_CSV = ROOT / "data" / "reference" / "csv"

ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/"
UNHR = "https://w3id.org/unhr/ontology#"
DCTERMS = "http://purl.org/dc/terms/"

# The number of files in queries/ (test_canned_queries.py keeps the same number).
EXPECTED_QUERIES = 22

# Source ids (docs/modelling.md, "Source documents").
NKHR = "nkhr-un-advocacy"
NKDB = "nkdb-what-more"
OVERVIEW = "un-role-overview"
ESSAY = "un-indispensable-2024"
SIDE = "nkhr-side-meeting-2014"

Row = dict[str, str]
Expected = dict[str, Any]  # cells are strings or ``Like``
F = TypeVar("F", bound=Callable[..., Any])

# ---------------------------------------------------------------------------------------------
# Which queries are covered
# ---------------------------------------------------------------------------------------------

COVERED: dict[str, list[str]] = defaultdict(list)


def covers(*names: str) -> Callable[[F], F]:
    """Record that the decorated test checks these queries against an independent derivation."""

    def mark(test: F) -> F:
        for name in names:
            COVERED[name].append(test.__name__)
        return test

    return mark


# ---------------------------------------------------------------------------------------------
# The server's answer, and comparing rows
# ---------------------------------------------------------------------------------------------


def short(value: str) -> str:
    return value.removeprefix(ID)


def answer(client: TestClient, name: str, params: dict[str, str] | None = None) -> list[Row]:
    """The rows of ``GET /queries/{name}`` as CSV, instance IRIs shortened to their path."""
    response = client.get(f"/queries/{name}", params=params or {}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, (name, params, response.text)
    assert "link" not in response.headers, f"{name}: the answer was cut to a page"
    reader = csv.DictReader(io.StringIO(response.text))
    return [{k: short(v) for k, v in row.items()} for row in reader]


@dataclass(frozen=True)
class Like:
    """An expected cell that the independent source does not give exactly (the day of a date
    the text gives by year, a symbol it does not print), with what it does say."""

    what: str
    holds: Callable[[str], bool] = field(compare=False)

    def __repr__(self) -> str:
        return f"<{self.what}>"


def within(year: str, *, day: bool = False) -> Like:
    """A date in ``year``; with ``day``, a full date (where the source gives only the year)."""
    return Like(
        f"a {'day' if day else 'date'} in {year}",
        lambda s: s.startswith(year) and (not day or len(s) == 10),
    )


def _cell(value: Any, numeric: bool) -> Any:
    return Decimal(value) if numeric and isinstance(value, str) and value != "" else value


def _fits(got: tuple[Any, ...], want: tuple[Any, ...]) -> bool:
    pairs = zip(got, want, strict=True)
    return all(w.holds(g) if isinstance(w, Like) else w == g for g, w in pairs)


def same_rows(
    got: Sequence[Row],
    expected: Sequence[Expected],
    columns: Sequence[str],
    *,
    ordered: bool = False,
    numeric: Iterable[str] = (),
) -> None:
    """The answer's rows, projected on ``columns``, are exactly the expected ones (as a multiset,
    so a duplicated row fails; in order where ``ordered``). ``numeric`` columns compare as
    numbers."""
    nums = set(numeric)
    g = [tuple(_cell(r[c], c in nums) for c in columns) for r in got]
    e = [tuple(_cell(r[c], c in nums) for c in columns) for r in expected]
    unused = list(g)
    missing = []
    # Exact expectations first, so that a Like never takes a row an exact one needs.
    for want in sorted(e, key=lambda row: sum(isinstance(c, Like) for c in row)):
        hit = next((i for i, row in enumerate(unused) if _fits(row, want)), None)
        if hit is None:
            missing.append(want)
        else:
            unused.pop(hit)
    lines = [f"columns: {', '.join(columns)}", f"{len(missing)} expected row(s) missing:"]
    lines += [f"  - {row}" for row in sorted(missing, key=str)[:40]]
    lines.append(f"{len(unused)} row(s) in the answer but not expected:")
    lines += [f"  + {row}" for row in sorted(unused, key=str)[:40]]
    assert not missing and not unused, "\n".join(lines)
    if ordered:
        assert all(_fits(a, b) for a, b in zip(g, e, strict=True)), "same rows, other order"


def rows_where(rows: Iterable[Row], **conditions: Callable[[str], bool] | str) -> list[Row]:
    def ok(r: Row) -> bool:
        return all(c(r[k]) if callable(c) else r[k] == c for k, c in conditions.items())

    return [r for r in rows if ok(r)]


def source(sid: str) -> str:
    return f"source/{sid}"


def dataset(did: str) -> str:
    return f"dataset/{did}"


def flag(value: bool) -> str:
    return str(value).lower()


# ---------------------------------------------------------------------------------------------
# Evidence in the source texts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cite:
    """``phrases`` stand in lines ``first``..``last`` of a source text (whitespace collapsed,
    typographic quotes, dashes and ellipses read as ASCII); with ``absent``, nowhere in the
    text."""

    source: str
    first: int
    last: int
    phrases: tuple[str, ...]
    absent: bool = False

    def __str__(self) -> str:
        where = "absent" if self.absent else f"{self.first}-{self.last}"
        return f"{self.source}:{where}:{self.phrases[0][:30]}"


CITATIONS: list[Cite] = []


def cite(sid: str, first: int, last: int, *phrases: str) -> Cite:
    CITATIONS.append(c := Cite(sid, first, last, phrases))
    return c


def absent(sid: str, *phrases: str) -> Cite:
    CITATIONS.append(c := Cite(sid, 0, 0, phrases, absent=True))
    return c


_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def plain(text: str) -> str:
    return sources.flat(
        text.translate(_TYPOGRAPHIC).replace("\u2013", "-").replace("\u2026", "...")
    )


# ---------------------------------------------------------------------------------------------
# The data sets: states
# ---------------------------------------------------------------------------------------------

# Names the Security Council data set spells otherwise than un_member_states.csv (short UNTERM
# name, name on un.org in 2015), its typo "Ethipia" included.
NAME_ALIASES = {
    "Bolivia": "BOL",
    "Côte d'Ivoire": "CIV",
    "Ethipia": "ETH",
    "Former Yugoslav Republic of Macedonia": "MKD",
    "Syria": "SYR",
    "Tanzania": "TZA",
    "United Kingdom": "GBR",
    "United States": "USA",
    "Venezuela": "VEN",
}
# The permanent members of the Security Council and its size (UN Charter, Art. 23(1)).
P5 = frozenset({"CHN", "FRA", "GBR", "RUS", "USA"})
SC_SIZE = 15


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def member_states() -> tuple[dict[str, str], ...]:
    return tuple(read_csv(REFERENCE_CSV / "un_member_states.csv"))


@cache
def state_label() -> dict[str, str]:
    """ISO alpha-3 → the short UNTERM name (the states' labels)."""
    return {r["iso3"]: r["name_unterm_short"] for r in member_states()}


@cache
def _iso3_by_name() -> dict[str, str]:
    out = dict(NAME_ALIASES)
    for r in member_states():
        for column in ("name_unterm_short", "name_unorg_2015"):
            if r[column]:
                out[r[column]] = r["iso3"]
    return out


def iso3(name: str) -> str:
    found = _iso3_by_name().get(name.strip())
    assert found, f"no ISO code for the state name {name!r}"
    return found


def state(code: str) -> str:
    return f"state/{code}"


# ---------------------------------------------------------------------------------------------
# The data sets: recorded votes on DPRK items
# ---------------------------------------------------------------------------------------------

BODIES = {"UNGA plenary": "unga", "HRC": "hrc"}
GA_HRC_OPTIONS = {
    "yes": "yes",
    "no": "no",
    "abstain": "abstain",
    "absent": "non-voting",
    "not_voting": "non-voting",
}
CAST = ("yes", "no", "abstain")  # a vote cast, as opposed to non-voting or absence


@dataclass
class Vote:
    """One recorded vote of the vote data sets."""

    body: str  # org slug: unga, hrc, unsc
    date: str
    symbol: str  # printed symbol of what was voted on (the resolution, or the failed draft)
    source: str  # dataset/…
    yes: int
    no: int
    abstain: int
    non_voting: int
    members: int
    ballots: dict[str, str]  # ISO alpha-3 → yes / no / abstain / non-voting
    draft: str = ""  # Security Council: the draft's symbol
    sponsors: tuple[str, ...] = ()  # Security Council: the draft's sponsors
    vetoed_by: tuple[str, ...] = ()
    adopted: bool = True

    @property
    def document(self) -> str:
        return "doc/" + self.symbol.replace(" ", "")

    @property
    def year(self) -> int:
        return int(self.date[:4])


@cache
def votes() -> tuple[Vote, ...]:
    """Every recorded vote of the three data sets, in date order."""
    out: list[Vote] = []
    ballots: dict[str, dict[str, str]] = defaultdict(dict)
    for r in read_csv(VOTES_CSV / "dprk_votes_by_state.csv"):
        ballots[r["symbol"]][r["iso3"]] = GA_HRC_OPTIONS[r["vote"]]
    for r in read_csv(VOTES_CSV / "dprk_votes_summary.csv"):
        out.append(
            Vote(
                body=BODIES[r["body"]],
                date=r["date"],
                symbol=r["symbol"],
                source=dataset(r["source"]),
                yes=int(r["yes"]),
                no=int(r["no"]),
                abstain=int(r["abstain"]),
                non_voting=int(r["absent"]),
                members=int(r["members"]),
                ballots=ballots[r["symbol"]],
            )
        )
    sc_ballots: dict[str, dict[str, str]] = defaultdict(dict)
    for r in read_csv(VOTES_CSV / "unsc_dprk_votes_by_member.csv"):
        sc_ballots[r["ID"]][iso3(r["Member State"])] = r["Vote"].lower()
    for r in read_csv(VOTES_CSV / "unsc_dprk_resolutions.csv"):
        adopted = bool(r["symbol"])
        yes, no, abstain = int(r["yes"]), int(r["no"]), int(r["abstain"])
        # "President": a draft the Council's President put forward, no state sponsors it.
        names = [n for n in r["submitted_by"].split(",") if n.strip() not in ("", "President")]
        no_votes = [iso3(n) for n in r["voted_no"].split(";") if n.strip()]
        out.append(
            Vote(
                body="unsc",
                date=r["date"],
                symbol=r["symbol"] if adopted else r["draft"],
                source=dataset("unsc-voting"),
                yes=yes,
                no=no,
                abstain=abstain,
                non_voting=SC_SIZE - yes - no - abstain,
                members=SC_SIZE,
                ballots=sc_ballots[r["source_id"].removeprefix("ID=")],
                draft=r["draft"],
                sponsors=tuple(iso3(n) for n in names),
                vetoed_by=tuple(code for code in no_votes if code in P5),
                adopted=adopted,
            )
        )
    out.sort(key=lambda v: (v.date, v.document))
    return tuple(out)


def body_votes(body: str) -> list[Vote]:
    return [v for v in votes() if v.body == body]


def sc_resolution(number: str) -> Vote:
    (found,) = [v for v in body_votes("unsc") if v.symbol.startswith(f"S/RES/{number} (")]
    return found


def share(identical: int, both: int) -> Decimal:
    """identical / both rounded to three decimals as SPARQL's ROUND does (half up)."""
    thousandths = (Decimal(1000 * identical) / both).quantize(Decimal(1), ROUND_HALF_UP)
    return thousandths / 1000


def test_the_vote_data_sets_are_what_source_md_says() -> None:
    """The derivations below rest on these counts (data/votes/csv/SOURCE.md)."""
    assert Counter(v.body for v in votes()) == {"unga": 9, "hrc": 5, "unsc": 26}
    for v in votes():
        counted = Counter(v.ballots.values())
        assert (counted["yes"], counted["no"], counted["abstain"]) == (v.yes, v.no, v.abstain)
        assert counted["non-voting"] == v.non_voting, v.symbol
    assert [v.draft for v in votes() if v.vetoed_by] == ["S/2022/431", "S/2024/255"]


# =============================================================================================
# Recorded votes: rows computed from the vote data sets
# =============================================================================================


def tally_row(v: Vote) -> Row:
    counted = Counter(v.ballots.values())
    return {
        "date": v.date,
        "body": f"org/{v.body}",
        "document": v.document,
        "symbol": v.symbol,
        "yes": str(v.yes),
        "no": str(v.no),
        "abstain": str(v.abstain),
        "non_voting": str(v.non_voting),
        "members": str(v.members),
        "counted_yes": str(counted["yes"]),
        "counted_no": str(counted["no"]),
        "counted_abstain": str(counted["abstain"]),
        "counted_non_voting": str(counted["non-voting"]),
        "source": v.source,
        "identifiedByCurator": "false",
    }


TALLY_COLUMNS = list(tally_row(votes()[0]))
# The Third Committee vote reported only by the NKHR news item: "on November 18", 111 in favour,
# 19 against, 55 abstaining. The item (posted in 2015) tells of the General Assembly session of
# autumn 2014 but gives no year for the vote and no symbol for the draft: both are the curators'
# (marked). The draft is one of the Third Committee (A/C.3) of the 69th session (2014-15).
THIRD_COMMITTEE_DRAFT = Like(
    "a Third Committee draft of 2014",
    lambda s: bool(re.fullmatch(r"(doc/)?A/C\.3/69/L\.\d+(/Rev\.\d+)?", s)),
)
THIRD_COMMITTEE_2014: Expected = {
    **dict.fromkeys(TALLY_COLUMNS, ""),
    "date": "2014-11-18",
    "body": "org/unga-c3",
    "document": THIRD_COMMITTEE_DRAFT,
    "symbol": THIRD_COMMITTEE_DRAFT,
    "yes": "111",
    "no": "19",
    "abstain": "55",
    "source": source(SIDE),
    "identifiedByCurator": "true",
}
THIRD_COMMITTEE_EVIDENCE = (
    cite(SIDE, 29, 29, "vote at the UN Third Committee", "on November 18"),
    cite(SIDE, 29, 29, "111 States in favor of, 55 abstaining, and only 19 against"),
    cite(SIDE, 14, 14, "in New York during the General Assembly session that fall"),
    cite(SIDE, 7, 7, "2015-05-18"),
    absent(SIDE, "L.28", "A/C.3", "November 18, 2014", "18 November 2014"),
)


@covers("vote-tallies")
@pytest.mark.parametrize("year", [None, 2014, 2024])
def test_vote_tallies(repo_client: TestClient, year: int | None) -> None:
    """Every recorded vote of the data sets with its tally and the counts of its ballots, and
    the one tally a source document reports (the Third Committee, 2014)."""
    got = answer(repo_client, "vote-tallies", {"year": str(year)} if year else {})
    expected: list[Expected] = [tally_row(v) for v in votes() if year in (None, v.year)]
    if year in (None, 2014):
        expected.append(THIRD_COMMITTEE_2014)
    same_rows(got, expected, TALLY_COLUMNS)


def state_vote_rows(code: str) -> list[Row]:
    return [
        {
            "date": v.date,
            "body": f"org/{v.body}",
            "document": v.document,
            "symbol": v.symbol,
            "vote": v.ballots[code],
            "yes": str(v.yes),
            "no": str(v.no),
            "abstain": str(v.abstain),
            "source": v.source,
        }
        for v in votes()
        if code in v.ballots
    ]


@covers("state-votes")
@pytest.mark.parametrize("code", ["KOR", "CHN", "PRK", "JPN"])
def test_state_votes(repo_client: TestClient, code: str) -> None:
    """How one state voted in every recorded vote, in date order (by default the ROK)."""
    params = {} if code == "KOR" else {"state": ID + state(code)}
    expected = state_vote_rows(code)
    got = answer(repo_client, "state-votes", params)
    same_rows(got, expected, list(expected[0]), ordered=True)


def closest_voter_rows(code: str, body: str, min_share: Decimal) -> list[Row]:
    both: Counter[str] = Counter()
    identical: Counter[str] = Counter()
    for v in body_votes(body):
        mine = v.ballots.get(code)
        if mine not in CAST:
            continue
        for other, theirs in v.ballots.items():
            if other != code and theirs in CAST:
                both[other] += 1
                identical[other] += mine == theirs
    kept = [o for o in both if Decimal(identical[o]) / both[o] >= min_share]
    kept.sort(key=lambda o: (-share(identical[o], both[o]), -both[o], ID + state(o)))
    return [
        {
            "other": state(o),
            "other_label": state_label()[o],
            "votes_both": str(both[o]),
            "identical": str(identical[o]),
            "share": str(share(identical[o], both[o])),
        }
        for o in kept
    ]


@covers("closest-voters")
@pytest.mark.parametrize(
    ("code", "body", "min_share"),
    [("PRK", "unga", "0.7"), ("KOR", "hrc", "0.9"), ("CHN", "unsc", "0.5"), ("PRK", "unga", "0")],
)
def test_closest_voters(repo_client: TestClient, code: str, body: str, min_share: str) -> None:
    params = {"min_share": min_share}
    if (code, body) != ("PRK", "unga"):
        params |= {"state": ID + state(code), "body": ID + f"org/{body}"}
    expected = closest_voter_rows(code, body, Decimal(min_share))
    got = answer(repo_client, "closest-voters", params)
    same_rows(got, expected, list(expected[0]), ordered=True, numeric=["share"])


def cohesion_rows(a: str, b: str, first: int, last: int) -> list[Row]:
    per_body: dict[str, list[tuple[Vote, bool]]] = defaultdict(list)
    for v in votes():
        va, vb = v.ballots.get(a), v.ballots.get(b)
        if first <= v.year <= last and va in CAST and vb in CAST:
            per_body[v.body].append((v, va == vb))
    out = []
    for body, pairs in sorted(per_body.items()):
        n, same = len(pairs), sum(s for _, s in pairs)
        out.append(
            {
                "body": f"org/{body}",
                "votes_both": str(n),
                "identical": str(same),
                "share": str(share(same, n)),
                "first_year": str(min(v.year for v, _ in pairs)),
                "last_year": str(max(v.year for v, _ in pairs)),
                "source": pairs[0][0].source,
            }
        )
    return out


@covers("vote-cohesion")
@pytest.mark.parametrize(
    ("a", "b", "first", "last"),
    [("KOR", "CHN", 0, 9999), ("KOR", "JPN", 2008, 2014), ("USA", "RUS", 0, 9999)],
)
def test_vote_cohesion(repo_client: TestClient, a: str, b: str, first: int, last: int) -> None:
    params = (
        {} if (a, b) == ("KOR", "CHN") else {"state_a": ID + state(a), "state_b": ID + state(b)}
    )
    if (first, last) != (0, 9999):
        params |= {"from": str(first), "to": str(last)}
    expected = cohesion_rows(a, b, first, last)
    got = answer(repo_client, "vote-cohesion", params)
    # body_label is the body's label in the graph, which no CSV gives.
    same_rows(got, expected, list(expected[0]), ordered=True, numeric=["share"])
    assert all(r["body_label"] for r in got)


def state_set_rows(codes: Sequence[str], body: str | None) -> list[Row]:
    groups: dict[tuple[int, str], list[tuple[Vote, str, str]]] = defaultdict(list)
    for v in votes():
        if body in (None, v.body):
            for code in codes:
                if code in v.ballots:
                    groups[(v.year, v.body)].append((v, code, v.ballots[code]))
    out = []
    for (year, b), cast in sorted(groups.items()):
        options = Counter(option for _, _, option in cast)
        out.append(
            {
                "year": str(year),
                "body": f"org/{b}",
                "votes": str(len({v.document + v.date for v, _, _ in cast})),
                "states": str(len({code for _, code, _ in cast})),
                "yes": str(options["yes"]),
                "no": str(options["no"]),
                "abstain": str(options["abstain"]),
                "non_voting": str(options["non-voting"]),
                "source": cast[0][0].source,
            }
        )
    return out


@covers("state-set-votes")
@pytest.mark.parametrize(
    ("codes", "body"),
    [(("KOR", "JPN", "USA"), None), (("CHN", "RUS"), "hrc"), (("KOR",), None), (("PRK",), "unga")],
)
def test_state_set_votes(repo_client: TestClient, codes: tuple[str, ...], body: str | None) -> None:
    params = {f"state{i}": ID + state(c) for i, c in enumerate(codes, start=1)}
    if body:
        params["body"] = ID + f"org/{body}"
    expected = state_set_rows(codes, body)
    got = answer(repo_client, "state-set-votes", params)
    same_rows(got, expected, list(expected[0]), ordered=True)


def unanimous_rows(body: str, option: str) -> list[Row]:
    held = body_votes(body)
    states = set.intersection(*({c for c, o in v.ballots.items() if o == option} for v in held))
    return [
        {
            "state": state(code),
            "state_label": state_label()[code],
            "votes": str(len(held)),
            "first_vote": held[0].date,
            "last_vote": held[-1].date,
            "source": held[0].source,
        }
        for code in sorted(states)
    ]


@covers("unanimous-voters")
@pytest.mark.parametrize(
    ("body", "option"),
    [
        ("unga", "yes"),
        ("unga", "no"),
        ("unga", "abstain"),
        ("unga", "non-voting"),
        ("hrc", "no"),
        ("hrc", "yes"),
        ("unsc", "yes"),
    ],
)
def test_unanimous_voters(repo_client: TestClient, body: str, option: str) -> None:
    params = {"body": ID + f"org/{body}", "option": option}
    expected = unanimous_rows(body, option)
    assert expected
    same_rows(answer(repo_client, "unanimous-voters", params), expected, list(expected[0]))


def vote_change_rows(body: str, code: str | None) -> list[Row]:
    out = []
    for before, after in itertools.pairwise(body_votes(body)):
        for who, was in before.ballots.items():
            now = after.ballots.get(who)
            if now is None or now == was or code not in (None, who):
                continue
            out.append(
                {
                    "state": state(who),
                    "state_label": state_label()[who],
                    "from_symbol": before.symbol,
                    "from_date": before.date,
                    "from_vote": was,
                    "to_symbol": after.symbol,
                    "to_date": after.date,
                    "to_vote": now,
                    "source": before.source,
                }
            )
    return out


@covers("vote-changes")
@pytest.mark.parametrize(
    ("body", "code"), [("unga", "KOR"), ("unga", None), ("hrc", None), ("unsc", None)]
)
def test_vote_changes(repo_client: TestClient, body: str, code: str | None) -> None:
    params = {"body": ID + f"org/{body}"}
    if code:
        params["state"] = ID + state(code)
    expected = vote_change_rows(body, code)
    assert expected
    same_rows(answer(repo_client, "vote-changes", params), expected, list(expected[0]))


# The essay reports the 2024 veto by the month: "Russia's veto in March 2024 of a motion to
# extend the mandate of the Panel of Experts"; no tally, and no symbol (marked).
ESSAY_VETO_EVIDENCE = (
    cite(ESSAY, 905, 907, "Russia's veto in March", "2024 of a motion to extend the mandate"),
    absent(ESSAY, "S/2024/255", "2024/255"),
)
VETO_COLUMNS = ["draft", "symbol", "date", "vetoed_by", "vetoed_by_label"]
VETO_COLUMNS += ["yes", "no", "abstain", "source", "identifiedByCurator"]


def vetoed_rows(code: str | None) -> list[Row]:
    facts = [
        (v.document, v.symbol, v.date, who, str(v.yes), str(v.no), str(v.abstain), v.source)
        for v in body_votes("unsc")
        for who in v.vetoed_by
    ]
    facts.append(("doc/S/2024/255", "S/2024/255", "2024-03", "RUS", "", "", "", source(ESSAY)))
    out = []
    for doc, symbol, date, who, yes, no, abstain, src in facts:
        if code in (None, who):
            marked = flag(src == source(ESSAY))
            cells = (doc, symbol, date, state(who), state_label()[who], yes, no, abstain, src)
            out.append(dict(zip(VETO_COLUMNS, (*cells, marked), strict=True)))
    return out


@covers("vetoed-drafts")
@pytest.mark.parametrize("code", [None, "CHN", "RUS", "USA"])
def test_vetoed_drafts(repo_client: TestClient, code: str | None) -> None:
    """The failed drafts whose no-votes include a permanent member's (the data set), and the
    essay's month-precise report of the 2024 veto."""
    got = answer(repo_client, "vetoed-drafts", {"state": ID + state(code)} if code else {})
    expected = vetoed_rows(code)
    assert bool(expected) == (code != "USA")
    same_rows(got, expected, VETO_COLUMNS)
    # The topic (the curators' words for the essay's "motion to extend the mandate of the Panel
    # of Experts") is on the 2024 draft only.
    for r in got:
        assert ("Panel of Experts" in r["topic"]) == (r["draft"] == "doc/S/2024/255"), r


# =============================================================================================
# Council membership: the rules of data/votes/csv/SOURCE.md re-implemented on the roll calls
# =============================================================================================


@cache
def sc_members_by_year() -> dict[int, frozenset[str]]:
    """Per year, the Security Council member list recorded together on the most votes of that
    year (SOURCE.md, "SC member lists attached to the wrong votes")."""
    lists: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in read_csv(VOTES_CSV / "unsc_members_by_vote.csv"):
        lists[int(r["Year"])][r["ID"]].add(iso3(r["Member State"]))
    out = {}
    for year, per_vote in lists.items():
        ((members, _),) = Counter(frozenset(m) for m in per_vote.values()).most_common(1)
        assert len(members) == SC_SIZE, year
        out[year] = members
    return out


@cache
def hrc_members_by_year() -> dict[int, frozenset[str]]:
    """Per year, the states recorded as members (any code but 4) on at least a tenth of the
    Human Rights Council's recorded votes of that year (SOURCE.md, "HRC records that contradict
    the rest of the year")."""
    dates = [r["Date"] for r in read_csv(VOTES_CSV / "unhrc_all_vote_data.csv")]
    with open(VOTES_CSV / "unhrc_all_votes.csv", encoding="utf-8", newline="") as fh:
        header, *table = list(csv.reader(fh))
    assert len(header) == len(dates) + 1
    per_year = Counter(int(d[:4]) for d in dates)
    recorded: dict[int, Counter[str]] = defaultdict(Counter)
    for code, *cells in table:
        for d, cell in zip(dates, cells, strict=True):
            if cell != "4":
                recorded[int(d[:4])][code] += 1
    return {
        year: frozenset(c for c, n in recorded[year].items() if 10 * n >= per_year[year])
        for year in per_year
    }


# Memberships the sources state with dates or a year of membership; one with only a start or an
# end counts from it to the stated year, or for that year alone (the query's description). NKDB:
# "South Korea, Japan, and the U.S. set to be members of the UNSC in 2024" (the ROK from 2024,
# role member; Japan's term from 2023 is the curators' identification from the SC data set, so
# marked; the U.S. with no dates); the essay: the ROK "elected as a non-permanent member of the
# Security Council for 2024-25", Japan and the ROK present "as non-permanent members" (written in
# 2024), Albania "a non-permanent Security Council member state" in March 2023 (the first years
# of both terms are the curators', from the SC data set, so marked), and the Trump administration
# "withdrew from the UN HRC in June 2018" (an end).
# (body, state, role, start, end, stated year, source, curator-identified)
STATED_MEMBERSHIPS = [
    ("unsc", "KOR", "vocab/role/member", "2024", "", "2024", NKDB, False),
    ("unsc", "JPN", "vocab/role/member", "2023", "", "2024", NKDB, True),
    ("unsc", "USA", "vocab/role/member", "", "", "2024", NKDB, False),
    ("unsc", "KOR", "vocab/role/elected-member", "2024", "2025", "", ESSAY, False),
    ("unsc", "JPN", "vocab/role/elected-member", "2023", "", "2024", ESSAY, True),
    ("unsc", "ALB", "vocab/role/elected-member", "2022", "", "2023", ESSAY, True),
    ("hrc", "USA", "", "", "2018-06", "", ESSAY, False),
]
STATED_MEMBERSHIP_EVIDENCE = (
    cite(NKDB, 9, 9, "With South Korea, Japan, and the U.S. set to be members of the UNSC in 2024"),
    cite(NKDB, 51, 51, "set to be members of the UNSC in 2024"),
    cite(ESSAY, 319, 321, "as a non-permanent member of the Security Council for 2024-25"),
    cite(ESSAY, 337, 339, "Trump administration also withdrew from the UN HRC in June 2018"),
    cite(ESSAY, 895, 897, "The presence of both Japan and the ROK as non-permanent members"),
    cite(ESSAY, 449, 455, "In March 2023", "Albania, a non-permanent Security Council member"),
)
COUNCIL_COLUMNS = ["body", "state", "state_label", "basis", "role", "start", "end", "votes"]
COUNCIL_COLUMNS += ["source", "identifiedByCurator"]


def council_rows(year: int, body: str | None) -> list[Row]:
    def row(
        b: str,
        code: str,
        basis: str,
        role: str,
        votes: int,
        src: str,
        *dates: str,
        mark: bool = False,
    ) -> Row:
        start, end = dates or ("", "")
        cells = (f"org/{b}", state(code), state_label()[code], basis, role, start, end)
        marked = "true" if mark else "false"
        return dict(zip(COUNCIL_COLUMNS, (*cells, str(votes), src, marked), strict=True))

    out: list[Row] = []
    for b, members, ds in (
        ("unsc", sc_members_by_year().get(year, frozenset()), dataset("unsc-voting")),
        ("hrc", hrc_members_by_year().get(year, frozenset()), dataset("unhrc-votes")),
    ):
        if body not in (None, b):
            continue
        for code in members:
            role = "permanent-member" if b == "unsc" and code in P5 else "elected-member"
            out.append(row(b, code, "roll calls of the year", f"vocab/role/{role}", 0, ds))
        cast: Counter[str] = Counter()
        for v in body_votes(b):
            if v.year == year:
                cast.update(v.ballots.keys())
        out += [row(b, code, "recorded vote", "", n, ds) for code, n in cast.items()]
        for sb, code, role, start, end, in_year, sid, mark in STATED_MEMBERSHIPS:
            first = int((start or in_year or end)[:4])
            last = int((end or in_year or start)[:4])
            if sb == b and first <= year <= last:
                src = source(sid)
                out.append(row(b, code, "stated in source", role, 0, src, start, end, mark=mark))
    return out


@covers("council-members-in-year")
@pytest.mark.parametrize(
    ("year", "body"),
    [
        (2024, None),
        (2010, "hrc"),
        (2018, None),
        (2006, "unsc"),
        (2016, None),
        (2023, "hrc"),
        (2023, "unsc"),
        # Years in which single records contradict the rest of the year (SOURCE.md).
        (1995, "unsc"),
        (2011, "hrc"),
        (2022, "hrc"),
    ],
)
def test_council_members_in_year(repo_client: TestClient, year: int, body: str | None) -> None:
    params = {} if year == 2024 and body is None else {"year": str(year)}
    if body:
        params["body"] = ID + f"org/{body}"
    expected = council_rows(year, body)
    same_rows(answer(repo_client, "council-members-in-year", params), expected, COUNCIL_COLUMNS)


def test_council_members_stated_for_2024_per_nkdb(repo_client: TestClient) -> None:
    got = answer(repo_client, "council-members-in-year", {"body": ID + "org/unsc"})
    stated = {(r["state"], r["source"]) for r in rows_where(got, basis="stated in source")}
    assert {(state(c), source(NKDB)) for c in ("KOR", "JPN", "USA")} <= stated


# =============================================================================================
# Sponsors of drafts: the Security Council data set and the essay
# =============================================================================================

# The ROK "co-sponsoring a resolution at the 77th Session of the General Assembly in November
# 2022 and at the 52nd Session of the Human Rights Council in April 2023". The essay prints
# neither symbol (marked): a GA resolution of the 77th, an HRC resolution of the 52nd session.
ROK_COSPONSORSHIPS = [
    (Like("a resolution of the GA's 77th session", lambda s: s.startswith("A/RES/77/")), "2022-11"),
    (
        Like("a resolution of the HRC's 52nd session", lambda s: s.startswith("A/HRC/RES/52/")),
        "2023-04",
    ),
]
ROK_COSPONSORSHIP_EVIDENCE = (
    cite(ESSAY, 253, 257, "co-sponsoring a resolution at", "77th Session of the General Assembly"),
    cite(
        ESSAY,
        257,
        259,
        "in November 2022",
        "52nd Session of the Human Rights Council in April 2023",
    ),
    absent(ESSAY, "A/RES/77", "A/HRC/RES/52"),
)
SPONSOR_COLUMNS = ["symbol", "draft_of", "vote_date", "role", "state", "state_label", "joined"]
SPONSOR_COLUMNS += ["source", "identifiedByCurator"]


def sponsor_rows(case: str) -> list[Expected]:
    code = case if case.isupper() else None
    out: list[Expected] = []
    if case != "co-sponsor":
        for v in body_votes("unsc"):
            for who in v.sponsors:
                draft_of = v.document if v.adopted else ""
                cells = (v.draft, draft_of, v.date, "sponsor", state(who), state_label()[who], "")
                out.append(dict(zip(SPONSOR_COLUMNS, (*cells, v.source, "false"), strict=True)))
    if case in ("all", "KOR", "co-sponsor"):
        for symbol, joined in ROK_COSPONSORSHIPS:
            cells = (symbol, "", "", "co-sponsor", state("KOR"), state_label()["KOR"], joined)
            out.append(dict(zip(SPONSOR_COLUMNS, (*cells, source(ESSAY), "true"), strict=True)))
    return [r for r in out if code in (None, r["state"].removeprefix("state/"))]


@covers("resolution-sponsors")
@pytest.mark.parametrize("case", ["all", "KOR", "USA", "co-sponsor", "sponsor"])
def test_resolution_sponsors(repo_client: TestClient, case: str) -> None:
    """The sponsors of Security Council drafts (the data set's ``submitted_by``) and the ROK's
    two co-sponsorships the essay reports; nothing else."""
    params = {}
    if case.isupper():
        params["state"] = ID + state(case)
    elif case != "all":
        params["role"] = case
    got = answer(repo_client, "resolution-sponsors", params)
    same_rows(got, sponsor_rows(case), SPONSOR_COLUMNS)
    # A draft is listed under its own IRI.
    assert all(r["document"] == "doc/" + r["symbol"].replace(" ", "") for r in got)


# =============================================================================================
# Facts read in the source texts
# =============================================================================================

# --- source-disagreements ---------------------------------------------------------------------

# How often the UPR reviews a state: "every 4.5 years" (essay) against "every four years"
# (overview). The DPRK's first UPR: "Since its first UPR in 2009" (NKDB) against NKHR's
# "Participation in North Korea's Universal Periodic Review in both 2010 and 2014" (the 2010
# review being the first; SOURCES.md names this disagreement).
UPR_EVERY = {ESSAY: Decimal("4.5"), OVERVIEW: Decimal(4)}
FIRST_UPR = {NKDB: "2009", NKHR: "2010"}
DISAGREEMENT_EVIDENCE = (
    cite(ESSAY, 101, 103, "a peer review of its human rights records every 4.5 years"),
    cite(OVERVIEW, 19, 19, "are reviewed every four years"),
    cite(NKDB, 47, 47, "Since its first UPR in 2009"),
    cite(NKHR, 13, 13, "North Korea's Universal Periodic Review in both 2010 and 2014"),
)


def duration(years: Decimal) -> str:
    """An xsd:duration in years and months: 4.5 → P4Y6M."""
    whole = int(years)
    months = int((years - whole) * 12)
    return f"P{whole}Y" + (f"{months}M" if months else "")


def disagreement_rows(prop: str | None) -> list[Row]:
    (g1, v1), (g2, v2) = sorted(UPR_EVERY.items())
    (g3, v3), (g4, v4) = sorted(FIRST_UPR.items())
    rows = [
        ("org/upr-wg", DCTERMS + "accrualPeriodicity", duration(v1), g1, duration(v2), g2),
        ("upr/PRK/1", UNHR + "date", v3, g3, v4, g4),
    ]
    return [
        {
            "subject": s,
            "property": p,
            "value_1": a,
            "graph_1": GRAPH + ga,
            "source_1": source(ga),
            "value_2": b,
            "graph_2": GRAPH + gb,
            "source_2": source(gb),
        }
        for s, p, a, ga, b, gb in rows
        if prop in (None, p)
    ]


@covers("source-disagreements")
@pytest.mark.parametrize("prop", [None, UNHR + "date", DCTERMS + "accrualPeriodicity"])
def test_source_disagreements(repo_client: TestClient, prop: str | None) -> None:
    """The two disagreements of the sources; dates of different precision that agree (2024 and
    2024-11 for the fourth UPR, 2013 and 2013-03-21 for the COI) are not disagreements."""
    expected = disagreement_rows(prop)
    got = answer(repo_client, "source-disagreements", {"property": prop} if prop else {})
    same_rows(got, expected, list(expected[0]))


# --- upr-reviews ------------------------------------------------------------------------------

# (review, cycle, date, source, does the source give the review's ordinal?) Where it does not,
# the curators mark the cycle (identifiedByCurator).
UPR_REVIEWS = [
    ("upr/PRK/1", "1", "2009", NKDB, True),
    ("upr/PRK/1", "1", "2010", NKHR, False),
    ("upr/PRK/2", "2", "2014", NKHR, False),
    ("upr/PRK/3", "3", "2019", ESSAY, False),
    ("upr/PRK/4", "4", "2024", NKDB, True),
    ("upr/PRK/4", "4", "2024-11", ESSAY, True),
    ("upr/CHN/4", "4", "2024-01", ESSAY, False),
]
# (review, submitter, source): NKHR "submitted reports and recommendations ... during both UPR
# cycles"; civil society highlighted issues "in their submissions for North Korea's upcoming UPR"
# (the fourth), no organisation named.
UPR_SUBMISSIONS = [
    ("upr/PRK/1", "org/ngo/nkhr", NKHR),
    ("upr/PRK/2", "org/ngo/nkhr", NKHR),
    ("upr/PRK/4", "", ESSAY),
]
UPR_EVIDENCE = (
    cite(NKDB, 47, 47, "first UPR in 2009", "expected to undergo its fourth review in 2024"),
    cite(NKHR, 13, 13, "in both 2010 and 2014", "during both UPR cycles"),
    cite(ESSAY, 868, 870, "the next UPR of North Korea will take place in November", "2024"),
    cite(ESSAY, 870, 870, "its previous UPR cycle in 2019"),
    cite(ESSAY, 33, 35, "North Korea's fourth cycle of the Universal Periodic Review in"),
    cite(ESSAY, 274, 276, "during China's UPR in January 2024"),
    cite(ESSAY, 878, 882, "in their submissions for", "North Korea's upcoming UPR"),
    absent(NKHR, "first UPR", "first Universal Periodic", "second UPR", "second Universal"),
    absent(ESSAY, "third UPR", "third cycle", "China's fourth"),
)


def upr_rows(reviewed: str) -> list[Row]:
    out = []
    for review, cycle, date, sid, stated in UPR_REVIEWS:
        if review.startswith(f"upr/{reviewed}/"):
            for _, by, sub in [s for s in UPR_SUBMISSIONS if s[0] == review] or [("", "", "")]:
                cells = (review, cycle, date, source(sid), by, source(sub) if sub else "")
                out.append(dict(zip(UPR_COLUMNS, (*cells, flag(not stated)), strict=True)))
    return out


UPR_COLUMNS = ["review", "cycle_number", "date", "source", "submitted_by", "submission_source"]
UPR_COLUMNS += ["identifiedByCurator"]


@covers("upr-reviews")
@pytest.mark.parametrize("reviewed", ["PRK", "CHN"])
def test_upr_reviews(repo_client: TestClient, reviewed: str) -> None:
    params = {} if reviewed == "PRK" else {"state": ID + state(reviewed)}
    got = answer(repo_client, "upr-reviews", params)
    same_rows(got, upr_rows(reviewed), UPR_COLUMNS)
    assert all(bool(r["submission"]) == bool(r["submission_source"]) for r in got)


# --- ngo-submissions --------------------------------------------------------------------------

CHN_REVIEW_2023 = "meeting/cedaw-cttee/2023-05/review-CHN"
# (date, NGO, recipient, kind of recipient, the review or meeting it relates to, source)
NGO_SUBMISSIONS = [
    ("", "org/ngo/nkhr", "org/wgeid", "special procedure", "", NKHR),
    ("2005", "org/ngo/nkhr", "org/cedaw-cttee", "treaty body", "", NKHR),
    ("2009", "org/ngo/nkhr", "org/crc-cttee", "treaty body", "", NKHR),
    ("2010", "org/ngo/nkhr", "org/upr-wg", "UPR", "upr/PRK/1", NKHR),
    ("2014", "org/ngo/nkhr", "org/upr-wg", "UPR", "upr/PRK/2", NKHR),
    ("2024-04", "org/ngo/hrnk", "post/sr-slavery", "special procedure", "", ESSAY),
    ("2024-04", "org/ngo/nkhr", "post/sr-slavery", "special procedure", "", ESSAY),
    ("", "", "org/cedaw-cttee", "treaty body", CHN_REVIEW_2023, ESSAY),
    ("", "", "org/upr-wg", "UPR", "upr/PRK/4", ESSAY),
]
NGO_SUBMISSION_EVIDENCE = (
    cite(
        NKHR, 3, 3, "regularly submits cases of abduction", "Enforced or Involuntary Disappearances"
    ),
    cite(
        NKHR, 12, 12, "Discrimination against Women (CEDAW) in 2005", "Rights of the Child in 2009"
    ),
    cite(NKHR, 13, 13, "in both 2010 and 2014. NKHR submitted reports"),
    cite(
        ESSAY,
        625,
        627,
        "in April 2024, HRNK and the Citizens' Alliance",
        "made written submissions",
    ),
    cite(ESSAY, 627, 629, "Special Rapporteur on contemporary forms of slavery, Tomoya Obokata"),
    cite(
        ESSAY,
        615,
        624,
        "During its review of China in May 2023",
        "submissions by South Korea-based NGOs",
    ),
    cite(
        ESSAY, 878, 882, "Civil society", "have highlighted a range of issues in their submissions"
    ),
)
NGO_COLUMNS = ["date", "ngo", "recipient", "recipient_kind", "related_to", "source"]
NGO_COLUMNS += ["identifiedByCurator"]


@covers("ngo-submissions")
@pytest.mark.parametrize("ngo", [None, "org/ngo/hrnk", "org/ngo/nkhr"])
def test_ngo_submissions(repo_client: TestClient, ngo: str | None) -> None:
    expected = [
        dict(zip(NGO_COLUMNS, (*fact[:5], source(fact[5]), "false"), strict=True))
        for fact in NGO_SUBMISSIONS
        if ngo in (None, fact[1])
    ]
    got = answer(repo_client, "ngo-submissions", {"ngo": ID + ngo} if ngo else {})
    same_rows(got, expected, NGO_COLUMNS)


# --- meeting-sponsors -------------------------------------------------------------------------

SIDE_MEETING = "action/nkhr/2014-10-22-side-meeting"
ARRIA_2023 = "meeting/unsc/2023-03/arria-dprk-human-rights"
OUTREACH = "meeting/sr-dprk/outreach-to-special-rapporteurs"
EMBASSY_2023 = "meeting/usa-embassy-seoul/2023-02/families-of-detainees-and-abductees"
HRNK_DIALOGUE = "action/hrnk/2023-08-15-public-dialogue-salmon"
SEOUL_REPORT = "document/ohchr-seoul/2023-03-report-enforced-disappearances"
SEOUL_CONFERENCE = "meeting/ohchr-seoul/2023-08-30/conference-enforced-disappearances"
SEOUL_CONSULTATIONS = "meeting/ohchr-seoul/2023-12/japan-victim-consultations"
# (event, date, role, agent, source, marked?): the side meeting's year is not in the news item
# ("on October 22"), the Council meeting's symbol not in the essay.
MEETING_SPONSORS = [
    ("action/nkhr/conferences", "", "hosted", "org/ngo/nkhr", NKHR, False),
    ("action/nkhr/parallel-meetings", "", "organised", "org/ngo/nkhr", NKHR, False),
    (OUTREACH, "", "organised", "post/sr-dprk", ESSAY, False),
    *((SIDE_MEETING, "2014-10-22", "co-sponsored", state(c), SIDE, True) for c in ("AUS", "BWA")),
    (SIDE_MEETING, "2014-10-22", "co-sponsored", state("PAN"), SIDE, True),
    *(
        (SIDE_MEETING, "2014-10-22", "organised", f"org/ngo/{n}", SIDE, True)
        for n in ("nkhr", "hrw")
    ),
    (EMBASSY_2023, "2023-02", "hosted", "org/usa-embassy-seoul", ESSAY, False),
    (ARRIA_2023, "2023-03", "hosted", state("USA"), ESSAY, False),
    (ARRIA_2023, "2023-03", "co-hosted", state("ALB"), ESSAY, False),
    *((ARRIA_2023, "2023-03", "co-sponsored", state(c), ESSAY, False) for c in ("KOR", "JPN")),
    (HRNK_DIALOGUE, "2023-08-15", "hosted", "org/ngo/hrnk", ESSAY, False),
    *(("doc/S/PV.9398", "2023-08-17", "requested", state(c), ESSAY, True) for c in ("USA", "ALB")),
    *(("doc/S/PV.9398", "2023-08-17", "requested", state(c), ESSAY, True) for c in ("JPN", "KOR")),
    (SEOUL_CONFERENCE, "2023-08-30", "hosted", "org/ohchr-seoul", ESSAY, False),
    (SEOUL_CONFERENCE, "2023-08-30", "organised", "org/ohchr-seoul", ESSAY, False),
    (SEOUL_CONSULTATIONS, "2023-12", "organised", "org/ohchr-seoul", ESSAY, False),
]
MEETING_SPONSOR_EVIDENCE = (
    cite(NKHR, 3, 3, "by hosting international conferences", "organizing parallel meetings"),
    cite(ESSAY, 580, 586, "Salmón has reached out to other special rapporteurs", "to discuss"),
    cite(SIDE, 14, 14, "our close partner, Human Rights Watch, to co-organize a side meeting"),
    cite(SIDE, 16, 16, "the missions of Australia, and later Botswana and Panama, to co-sponsor"),
    cite(SIDE, 19, 19, "The side meeting took place on October 22 at the UN ECOSOC Chamber"),
    absent(SIDE, "October 22, 2014", "22 October 2014"),
    cite(ESSAY, 389, 391, "In February 2023, the U.S. Embassy in Seoul hosted"),
    cite(ESSAY, 449, 451, "In March", "2023, the United States hosted an Arria-formula meeting"),
    cite(ESSAY, 453, 457, "co-hosted by Albania", "co-sponsored by the ROK and", "Japan"),
    cite(ESSAY, 457, 461, "on August 17, 2023", "requested by the", "Albania, Japan, and the ROK"),
    absent(ESSAY, "S/PV.9398", "PV.9398"),
    cite(ESSAY, 359, 361, "During a public dialogue hosted by HRNK", "on August 15, 2023"),
    cite(ESSAY, 601, 603, "the Seoul office hosted an", "conference on enforced disappearances"),
    cite(ESSAY, 605, 609, "December 2023, the Seoul office", "organized consultations"),
)
SPONSOR_EVENT_COLUMNS = ["event", "date", "role", "agent", "source", "identifiedByCurator"]


@covers("meeting-sponsors")
@pytest.mark.parametrize(
    ("agent", "role"),
    [
        (None, None),
        ("state/KOR", None),
        (None, "requested"),
        ("org/ohchr-seoul", None),
        (None, "co-sponsored"),
    ],
)
def test_meeting_sponsors(repo_client: TestClient, agent: str | None, role: str | None) -> None:
    params = {"agent": ID + agent} if agent else {}
    if role:
        params["role"] = role
    expected = [
        dict(zip(SPONSOR_EVENT_COLUMNS, (*f[:4], source(f[4]), flag(f[5])), strict=True))
        for f in MEETING_SPONSORS
        if agent in (None, f[3]) and role in (None, f[2])
    ]
    got = answer(repo_client, "meeting-sponsors", params)
    same_rows(got, expected, SPONSOR_EVENT_COLUMNS)


# --- mandate-holders --------------------------------------------------------------------------

# (post, person, the name as the source prints it, start, end, source, marked?). Dates only
# where the source gives them: Lee Shin-wha, appointed among the first steps of the
# administration that took office in May 2022 (2022 is the curators' reading, marked), her
# mandate "renewed and extended until 2024"; Salmón visited Seoul "in August 2022 shortly after
# she began her term" (2022, marked); Yoon "entered office in May 2022"; Turner appointed "in July
# 2023"; Colombano named "In March 2024".
TENURES = [
    ("post/coi-dprk-chair", "person/michael-kirby", "Michael Kirby", "", "", SIDE, False),
    ("post/coi-dprk-chair", "person/michael-kirby", "Michael Kirby", "", "", ESSAY, False),
    ("post/hchr", "person/navanethem-pillay", "Navanethem Pillay", "", "", NKHR, False),
    ("post/hchr", "person/volker-turk", "Volker Türk", "", "", ESSAY, False),
    ("post/jpn-prime-minister", "person/kishida", "Kishida", "", "", ESSAY, False),
    ("post/kor-ambassador-hr", "person/shin-wha-lee", "Lee Shin-wha", "2022", "2024", ESSAY, True),
    ("post/kor-pr-un", "person/joon-oh", "Oh Joon", "", "", ESSAY, False),
    ("post/kor-president", "person/suk-yeol-yoon", "Yoon Suk-yeol", "2022-05", "", ESSAY, False),
    (
        "post/korea-university-professor-ir",
        "person/shin-wha-lee",
        "Lee Shin-wha",
        "",
        "",
        ESSAY,
        False,
    ),
    ("post/nkdb-director-intl-cooperation", "person/hanna-song", "Hanna Song", "", "", NKDB, False),
    ("post/nkdb-researcher", "person/hanna-song", "Hanna Song", "", "", NKDB, False),
    ("post/sr-dprk", "person/marzuki-darusman", "Marzuki Darusman", "", "", SIDE, False),
    ("post/sr-dprk", "person/elizabeth-salmon", "Elizabeth Salmón", "2022", "", ESSAY, True),
    ("post/sr-slavery", "person/tomoya-obokata", "Tomoya Obokata", "", "", ESSAY, False),
    ("post/un-rc-dprk", "person/joe-colombano", "Joe Colombano", "2024-03", "", ESSAY, False),
    ("post/us-special-envoy-nkhr", "person/robert-king", "Robert King", "", "", ESSAY, False),
    (
        "post/us-special-envoy-nkhr",
        "person/julie-turner",
        "Julie Turner",
        "2023-07",
        "",
        ESSAY,
        False,
    ),
    (
        "post/usa-deputy-assistant-secretary-eap",
        "person/jung-pak",
        "Jung Pak",
        "",
        "",
        ESSAY,
        False,
    ),
    ("post/usa-president", "person/biden", "Biden", "", "", ESSAY, False),
    (
        "post/usa-secretary-of-state",
        "person/antony-blinken",
        "Antony Blinken",
        "",
        "",
        ESSAY,
        False,
    ),
    ("post/wpk-ogd-director", "person/yong-won-jo", "Jo Yong-won", "", "", ESSAY, False),
    ("post/wpk-pad-first-vice-director", "person/hwi-choe", "Choe Hwi", "", "", ESSAY, False),
]
TENURE_EVIDENCE = (
    cite(SIDE, 16, 16, "Justice Michael Kirby, the former chair of the Commission of Inquiry"),
    cite(ESSAY, 954, 956, "former COI", "Chair Michael Kirby"),
    cite(NKHR, 8, 8, "UN High Commissioner for Human Rights, Navanethem Pillay"),
    cite(ESSAY, 465, 467, "Volker Türk", "the UN High Commissioner for Human Rights"),
    cite(ESSAY, 418, 420, "President Biden and Prime Minister Kishida"),
    cite(
        ESSAY, 225, 229, "President Yoon Suk-yeol entered office in May 2022", "to appoint Dr. Lee"
    ),
    cite(ESSAY, 229, 233, "Professor of International Relations at Korea University"),
    cite(ESSAY, 231, 231, "the Ambassador for International Cooperation on Human Rights"),
    cite(ESSAY, 245, 249, "mandate expired on July 18, 2023", "extended until", "2024"),
    cite(
        ESSAY, 159, 161, "Ambassador Oh Joon", "Permanent Representative of the Republic of Korea"
    ),
    cite(NKDB, 55, 55, "Hanna Song is the Director of International Cooperation and a researcher"),
    cite(
        SIDE,
        25,
        25,
        "Special Rapporteur on the Situation of Human Rights in North Korea, Mr. Marzuki Darusman",
    ),
    cite(ESSAY, 361, 363, "Dr. Elizabeth Salmón", "the current UN Special Rapporteur"),
    cite(ESSAY, 543, 545, "visited Seoul in August 2022 shortly after she", "began her term"),
    cite(ESSAY, 629, 629, "Special Rapporteur on contemporary forms of slavery, Tomoya Obokata"),
    cite(ESSAY, 855, 857, "In March 2024, the Secretary-", "General named Joe Colombano"),
    cite(ESSAY, 857, 859, "as the new UN resident", "coordinator for the DPRK"),
    cite(ESSAY, 346, 348, "Ambassador Robert King", "former U.S. Special Envoy for North Korean"),
    cite(
        ESSAY, 367, 369, "The appointment in July", "2023 of Julie Turner as the U.S. Special Envoy"
    ),
    cite(
        ESSAY, 393, 395, "Jung Pak", "the U.S. Deputy Assistant Secretary of State for East Asian"
    ),
    cite(ESSAY, 342, 342, "Secretary of State Antony Blinken"),
    cite(ESSAY, 777, 779, "Jo Yong-won (OGD Director) and Choe Hwi", "(PAD First Vice Director)"),
)
TENURE_COLUMNS = ["post", "mandate", "person", "person_label", "start", "end", "source"]
TENURE_COLUMNS += ["identifiedByCurator"]


@covers("mandate-holders")
@pytest.mark.parametrize("post", [None, "post/sr-dprk", "post/hchr"])
def test_mandate_holders(repo_client: TestClient, post: str | None) -> None:
    expected = []
    for p, who, name, start, end, sid, marked in TENURES:
        if post in (None, p):
            mandate = "mandate/sr-dprk" if p == "post/sr-dprk" else ""
            cells = (p, mandate, who, name, start, end, source(sid), flag(marked))
            expected.append(dict(zip(TENURE_COLUMNS, cells, strict=True)))
    got = answer(repo_client, "mandate-holders", {"post": ID + post} if post else {})
    same_rows(got, expected, TENURE_COLUMNS)


# --- mechanism-chronology ---------------------------------------------------------------------

# Per source document: (mechanism, established, created by, established by, source, marked?).
# The essay: the Commission on Human Rights "first adopted a resolution ... in April 2003. The
# following year, it created the mandate of the Special Rapporteur" (2004 is the curators'
# reading of "the following year", marked); "The HRC also authorized a one-year Commission of
# Inquiry (COI) in 2013", footnoted (the resolution's symbol is the curators'). NKHR: the
# mandate "in 2004"; "Establishment of the 2013 Commission of Inquiry ... the historic UN
# resolution establishing the Commission". NKDB and the overview: the COI in 2013; the
# overview: a Special Rapporteur appointed "since 2004".
COI_RESOLUTION = "doc/A/HRC/RES/22/13"
MECHANISMS_PER_SOURCE = [
    ("post/sr-dprk", "2004", "", "", NKHR, False),
    ("post/sr-dprk", "2004", "org/chr", "", ESSAY, True),
    ("post/sr-dprk", "2004", "", "", OVERVIEW, False),
    ("org/coi-dprk", "2013", "", "", NKDB, False),
    ("org/coi-dprk", "2013", "", COI_RESOLUTION, NKHR, False),
    ("org/coi-dprk", "2013", "org/hrc", COI_RESOLUTION, ESSAY, False),
    ("org/coi-dprk", "2013", "", "", OVERVIEW, False),
]
MECHANISM_EVIDENCE = (
    cite(ESSAY, 639, 642, "The Commission on Human", "first adopted a resolution", "April 2003"),
    cite(ESSAY, 644, 644, "The following year, it created the mandate of the Special Rapporteur"),
    cite(
        ESSAY, 646, 648, "The HRC also authorized a", "one-year Commission of Inquiry (COI) in 2013"
    ),
    cite(NKHR, 7, 7, "establishment of the mandate of the UN Special Rapporteur", "in 2004"),
    cite(
        NKHR, 9, 9, "Establishment of the 2013 Commission", "resolution establishing the Commission"
    ),
    cite(NKDB, 19, 19, "in 2013, when a group of independent experts were mandated"),
    cite(OVERVIEW, 11, 11, "In 2013, the UN established the Commission of Inquiry"),
    cite(OVERVIEW, 23, 23, "appointed a Special Rapporteur", "in North Korea since 2004"),
    absent(NKHR, "A/HRC/RES"),
    absent(ESSAY, "A/HRC/RES/22"),
)
MECHANISM_COLUMNS = ["year", "mechanism", "established", "created_by", "established_by"]
MECHANISM_COLUMNS += ["ended", "source", "identifiedByCurator"]


@covers("mechanism-chronology")
def test_mechanism_chronology(repo_client: TestClient) -> None:
    """The sources' establishment dates of the SR and the COI exactly; of the UN system chart
    (transcribed by hand, no CSV), what the data sets and texts say of it."""
    expected: list[Expected] = []
    for m, y, by, res, sid, marked in MECHANISMS_PER_SOURCE:
        cells = (y, m, y, by, res, "", source(sid), flag(marked))
        expected.append(dict(zip(MECHANISM_COLUMNS, cells, strict=True)))
    # The Panel of Experts, set up by resolution 1874 (2009) on the day of the Council's vote,
    # ended after the veto of its renewal (March 2024); the COI in 2013 by the HRC; the Seoul
    # office "was established pursuant to the COI's recommendations" (the report of 2014).
    poe = sc_resolution("1874")
    veto = next(v for v in body_votes("unsc") if v.draft == "S/2024/255")
    after_veto = Like("a day after the 2024 veto", lambda s: len(s) == 10 and s > veto.date)
    since_2014 = Like("2014 or later", lambda s: s >= "2014")
    chart = (dataset("un-system-chart"), "false")
    for cells in (
        (str(poe.year), "org/unsc-1718-poe", poe.date, "org/unsc", poe.document, after_veto),
        ("2013", "org/coi-dprk", within("2013", day=True), "org/hrc", COI_RESOLUTION, ""),
        (since_2014, "org/ohchr-seoul", since_2014, "org/hrc", Like("a resolution", bool), ""),
    ):
        expected.append(dict(zip(MECHANISM_COLUMNS, (*cells, *chart), strict=True)))
    same_rows(answer(repo_client, "mechanism-chronology"), expected, MECHANISM_COLUMNS)


SEOUL_OFFICE_EVIDENCE = cite(
    ESSAY, 652, 654, "Seoul office was established pursuant to the COI's", "recommendations"
)

# --- coi-recommendations, recommendations-without-action ---------------------------------------

COI_REC = "doc/A/HRC/25/63/rec/"
NOT_IMPLEMENTED = "vocab/status/not-implemented"
# (recommendation, measure, addressee, source describing it, follow-up status, its source,
# marked?). NKHR: the Commission "recommended referral of North Korean officials to an
# international justice mechanism". The essay: the COI recommended that the Security Council
# "refer the situation ... to the International Criminal Court" and "adopt targeted sanctions",
# and raised "the possibility of the Secretary-General referring the situation to the Security
# Council"; "There has been no action, however, on ICC referral or the imposition of targeted
# sanctions expressly based on human rights grounds"; the Seoul office "was established
# pursuant to the COI's recommendations" (which recommendation is the curators' reading).
COI_RECOMMENDATIONS = [
    ("icc-referral", "international-justice-mechanism", "", NKHR, NOT_IMPLEMENTED, ESSAY, False),
    ("icc-referral", "icc-referral", "org/unsc", ESSAY, NOT_IMPLEMENTED, ESSAY, False),
    ("sg-referral-to-unsc", "security-council-consideration", "org/unsg", ESSAY, "", "", False),
    ("targeted-sanctions", "targeted-sanctions", "org/unsc", ESSAY, NOT_IMPLEMENTED, ESSAY, False),
    (
        "field-based-structure",
        "field-based-structure",
        "",
        ESSAY,
        "vocab/status/implemented",
        ESSAY,
        True,
    ),
]
COI_RECOMMENDATION_EVIDENCE = (
    cite(NKHR, 9, 9, "recommended referral of North Korean officials to an international justice"),
    cite(
        ESSAY, 665, 667, 'the COI recommended that "the Security', "Council...refer the situation"
    ),
    cite(ESSAY, 667, 669, "to the International Criminal", "Court"),
    cite(
        ESSAY,
        669,
        671,
        '"adopt targeted sanctions against those who appear to',
        "be most responsible",
    ),
    cite(
        ESSAY, 673, 675, "the possibility of the Secretary-General referring the situation to the"
    ),
    cite(
        ESSAY,
        737,
        739,
        "no action, however, on ICC referral or the imposition",
        "of targeted sanctions",
    ),
)
COI_COLUMNS = ["recommendation", "measure", "addressee", "source", "action", "status"]
COI_COLUMNS += ["follow_up_source", "identifiedByCurator"]


def action(status: str) -> str:
    if not status:
        return "no follow-up recorded"
    done = status.endswith(("/implemented", "/partially-implemented", "/in-force"))
    return "action taken" if done else "no action"


@covers("coi-recommendations")
def test_coi_recommendations(repo_client: TestClient) -> None:
    expected = []
    for slug, m, to, sid, st, fs, marked in COI_RECOMMENDATIONS:
        cells = (COI_REC + slug, f"vocab/measure-type/{m}", to, source(sid), action(st), st)
        cells += (source(fs) if fs else "", flag(marked))
        expected.append(dict(zip(COI_COLUMNS, cells, strict=True)))
    same_rows(answer(repo_client, "coi-recommendations"), expected, COI_COLUMNS)


# The overview's own recommendations ("The international community should continue to support
# the UN's efforts, including:", a bullet each, on which nobody reports) and what it says of
# the DPRK's UPR: "While North Korea has accepted some recommendations, it has largely ignored
# or dismissed those related to political and civil rights."
OVERVIEW_RECOMMENDATIONS = {
    "strengthen-sr": cite(OVERVIEW, 50, 50, "Strengthening the role of the Special Rapporteur"),
    "encourage-engagement": cite(OVERVIEW, 51, 51, "Encouraging North Korea's engagement"),
    "integrate-into-political-talks": cite(OVERVIEW, 52, 52, "into political discussions"),
    "targeted-sanctions": cite(OVERVIEW, 53, 53, "Utilizing targeted sanctions"),
    "support-humanitarian-aid": cite(OVERVIEW, 54, 54, "Supporting humanitarian aid"),
    "encourage-exchanges": cite(OVERVIEW, 55, 55, "cultural, educational, and sports exchanges"),
}
UPR_RECOMMENDATIONS = {
    "upr/PRK/rec/accepted": "vocab/status/supported",
    "upr/PRK/rec/civil-political-rights": NOT_IMPLEMENTED,
}
UPR_RECOMMENDATION_EVIDENCE = cite(
    OVERVIEW, 19, 19, "has accepted some recommendations", "those related to political and civil"
)
WITHOUT_ACTION_COLUMNS = ["recommendation", "recommended_by", "addressee", "reason", "status"]
WITHOUT_ACTION_COLUMNS += ["follow_up_source", "source"]


def reason(status: str) -> str:
    if not status:
        return "no follow-up recorded"
    if status.endswith(("/supported", "/noted", "/pending")):
        return "response reported, no implementation reported"
    return "reported as not acted on"


def without_action_rows(by: str | None) -> list[Row]:
    rows = [
        (COI_REC + slug, "org/coi-dprk", to, reason(st), st, source(fs) if fs else "", source(sid))
        for slug, _, to, sid, st, fs, _ in COI_RECOMMENDATIONS
        if action(st) != "action taken"
    ]
    if by is None:
        rows += [
            (f"source/{OVERVIEW}/rec/{slug}", "", "", reason(""), "", "", source(OVERVIEW))
            for slug in OVERVIEW_RECOMMENDATIONS
        ]
        rows += [
            (rec, "", state("PRK"), reason(st), st, source(OVERVIEW), source(OVERVIEW))
            for rec, st in UPR_RECOMMENDATIONS.items()
        ]
    return [dict(zip(WITHOUT_ACTION_COLUMNS, r, strict=True)) for r in rows]


@covers("recommendations-without-action")
@pytest.mark.parametrize("by", [None, "org/coi-dprk"])
def test_recommendations_without_action(repo_client: TestClient, by: str | None) -> None:
    got = answer(repo_client, "recommendations-without-action", {"by": ID + by} if by else {})
    same_rows(got, without_action_rows(by), WITHOUT_ACTION_COLUMNS)


# --- sanctions-measures, sanctions-designations ------------------------------------------------

# "Resolution 2375 froze the assets of the Korean Workers' Party Organization & Guidance
# Department (OGD) and the Propaganda & Agitation Department (PAD)"; "The list of individuals
# designated by the Security Council includes ... Jo Yong-won (OGD Director) and Choe Hwi (PAD
# First Vice Director)"; Resolution 2375 "[prohibited] Member States from work authorizations
# to [North Korean] nationals", Resolution 2397 "called for the repatriation of all [North
# Koreans] earning income abroad...within 24 months"; "coal and mineral exports, which were
# restricted under Resolution 2270". The essay prints "Resolution 2375", never the symbols
# (marked), and names no sanctions committee (the regime is the curators', marked).
SANCTIONS_EVIDENCE = (
    cite(ESSAY, 769, 771, "Resolution 2375 froze the assets of the Korean Workers'"),
    cite(ESSAY, 771, 773, "Guidance Department (OGD) and the Propaganda", "Agitation Department"),
    cite(ESSAY, 773, 775, "The list of individuals designated by the", "Security Council"),
    cite(
        ESSAY, 787, 789, 'Resolution 2375 "[prohibited] Member States', "from work authorizations"
    ),
    cite(ESSAY, 789, 791, "Resolution", '2397 "called for the repatriation of all [North Koreans]'),
    cite(ESSAY, 792, 792, "within 24 months"),
    cite(
        ESSAY, 802, 804, "coal and mineral exports, which were restricted under", "Resolution 2270"
    ),
    absent(ESSAY, "S/RES/2375", "S/RES/2397", "S/RES/2270", "1718 Committee"),
)
# (measure, measure type, resolution number, regime)
SANCTIONS_MEASURES = [
    ("measure/s-res-2270-coal-mineral-exports", "sectoral-sanctions", "2270", ""),
    (
        "measure/s-res-2375-asset-freeze-wpk-departments",
        "asset-freeze",
        "2375",
        "org/unsc-1718-cttee",
    ),
    ("measure/s-res-2375-work-authorizations", "sectoral-sanctions", "2375", ""),
    ("measure/s-res-2397-repatriation-workers", "sectoral-sanctions", "2397", ""),
]
MEASURE_COLUMNS = ["measure", "measure_type", "resolution", "symbol", "regime", "vote_date"]
MEASURE_COLUMNS += ["yes", "no", "abstain", "source", "identifiedByCurator"]


@covers("sanctions-measures")
@pytest.mark.parametrize("number", [None, "2375", "2397"])
def test_sanctions_measures(repo_client: TestClient, number: str | None) -> None:
    """The essay's four measures, with the Council's vote on each resolution from the data set."""
    expected = []
    for measure, kind, n, regime in SANCTIONS_MEASURES:
        if number in (None, n):
            v = sc_resolution(n)
            cells = (measure, f"vocab/measure-type/{kind}", v.document, v.symbol, regime, v.date)
            cells += (str(v.yes), str(v.no), str(v.abstain), source(ESSAY), "true")
            expected.append(dict(zip(MEASURE_COLUMNS, cells, strict=True)))
    params = {"resolution": ID + sc_resolution(number).document} if number else {}
    same_rows(answer(repo_client, "sanctions-measures", params), expected, MEASURE_COLUMNS)


DESIGNATION_COLUMNS = ["designee", "designee_label", "kind", "measure_type", "imposed_by"]
DESIGNATION_COLUMNS += ["organisation", "post_in_designated_entity", "source"]


@covers("sanctions-designations")
def test_sanctions_designations(repo_client: TestClient) -> None:
    """The two departments (asset freeze by resolution 2375) and the two officials, each holding
    a post in a designated department."""
    res_2375 = sc_resolution("2375").document
    department = Like("a department's name", lambda s: "Department" in s)
    rows = [
        (
            f"org/{d}",
            department,
            "organisation",
            "vocab/measure-type/asset-freeze",
            res_2375,
            "",
            "",
        )
        for d in ("wpk-ogd", "wpk-pad")
    ]
    rows += [
        ("person/yong-won-jo", "Jo Yong-won", "person", "", "", "org/wpk-ogd", "true"),
        ("person/hwi-choe", "Choe Hwi", "person", "", "", "org/wpk-pad", "true"),
    ]
    expected = [dict(zip(DESIGNATION_COLUMNS, (*r, source(ESSAY)), strict=True)) for r in rows]
    got = answer(repo_client, "sanctions-designations")
    same_rows(got, expected, DESIGNATION_COLUMNS)
    assert all(r["designation"].startswith("designation/1718/") for r in got)


# --- accountability-calls ---------------------------------------------------------------------

ACCOUNTABILITY_EVIDENCE = (
    # E/CN.4/RES/2004/13: the Commission's resolution that "created the mandate of the Special
    # Rapporteur" the year after April 2003 (the essay dates nothing and prints no symbol).
    cite(ESSAY, 644, 644, "The following year, it created the mandate of the Special Rapporteur"),
    absent(ESSAY, "E/CN.4"),
    # The like-minded states' statement after the Council's meeting of 17 August 2023.
    cite(ESSAY, 747, 749, "A joint", "statement issued by these countries following the same"),
    cite(ESSAY, 751, 753, "demand the", "Council's attention"),
    # Pillay's statement after NKHR's meeting with her in December 2012 (no year given).
    cite(
        NKHR,
        8,
        8,
        "December 2012 meeting",
        "issued a strong statement calling for an investigation",
    ),
    # The resolution establishing the COI: NKHR's "2013 Commission", the essay's HRC "in 2013".
    cite(NKHR, 9, 9, "2013 Commission of Inquiry", "the historic UN resolution establishing"),
    cite(ESSAY, 646, 648, "The HRC also authorized a", "Commission of Inquiry (COI) in 2013"),
    # The HRC and GA resolutions after the COI's 2014 report that "called for legal
    # accountability" (NKHR); the UN calling for accountability at the ICC (NKDB).
    cite(NKHR, 10, 10, "Strong resolutions from both the UN Human Rights Council and the UN"),
    cite(NKHR, 10, 10, "Inquiry's 2014 report", "called for legal accountability"),
    cite(
        NKDB, 27, 27, "the UN called for North Korea's crimes to be held accountable at the Intern"
    ),
    # The Third Committee's draft: it would "call on the UN Security Council to consider the
    # human rights situation in North Korea, and possibly refer North Korea to the International
    # Criminal Court"; "the language calling for accountability and referral ... to the ICC".
    cite(SIDE, 14, 14, "call on the UN Security Council to consider the human rights situation"),
    cite(SIDE, 14, 14, "and possibly refer North Korea to the International Criminal Court"),
    cite(SIDE, 25, 25, "the language calling for accountability and referral of the situation"),
    # Salmón's statement to the HRC in April 2024 on accountability "through all possible avenues".
    cite(
        ESSAY,
        561,
        563,
        "In her statement to the HRC in April 2024",
        "the need to pursue accountability",
    ),
)
ACCOUNTABILITY_COLUMNS = ["date", "date_in_source", "document", "symbol", "kind", "adopted_by"]
ACCOUNTABILITY_COLUMNS += ["measure", "source", "identifiedByCurator"]


def accountability_rows(measure: str | None) -> list[Expected]:
    ga_2014 = next(v for v in body_votes("unga") if v.year == 2014)  # dated by the data set
    ga = (ga_2014.date, "", ga_2014.document, ga_2014.symbol, "resolution", "org/unga")
    coi = (COI_RESOLUTION, "A/HRC/RES/22/13", "resolution", "org/hrc")
    after_2012 = Like("after December 2012", lambda s: s > "2012-12")
    day_2013, day_2014 = within("2013", day=True), within("2014", day=True)
    l28 = ("2014-11-18", "2014-11-18", THIRD_COMMITTEE_DRAFT, THIRD_COMMITTEE_DRAFT)
    cn4 = ("doc/E/CN.4/RES/2004/13", "E/CN.4/RES/2004/13")
    hrc_2014 = ("doc/A/HRC/RES/25/25", "A/HRC/RES/25/25", "resolution", "org/hrc")
    pillay = "document/hchr/2013-pillay-statement-investigation"
    joint = "document/joint/statement-after-the-unsc-meeting-of-2023-08-17"
    salmon = "document/sr-dprk/2024-04-statement-hrc"
    rows: list[tuple[Any, ...]] = [
        ("", "", *cn4, "resolution", "org/chr", "special-rapporteur", ESSAY, "true"),
        ("", "", joint, "", "statement", "", "security-council-consideration", ESSAY, "false"),
        (after_2012, after_2012, pillay, "", "statement", "", "investigation", NKHR, "true"),
        # One row per call however many dates the graphs give: the most precise date (the day,
        # which no text gives) and each source's own (the essay's 2013; NKHR dates nothing).
        (day_2013, "", *coi, "commission-of-inquiry", NKHR, "true"),
        (day_2013, "2013", *coi, "commission-of-inquiry", ESSAY, "true"),
        (day_2014, "", *hrc_2014, "accountability-mechanism", NKHR, "true"),
        (*l28, "draft resolution", "", "accountability-mechanism", SIDE, "true"),
        (*l28, "draft resolution", "", "icc-referral", SIDE, "true"),
        (*l28, "draft resolution", "", "security-council-consideration", SIDE, "true"),
        (*ga, "accountability-mechanism", NKHR, "true"),
        (*ga, "icc-referral", NKDB, "true"),
        (
            "2024-04",
            "2024-04",
            salmon,
            "",
            "statement",
            "",
            "accountability-mechanism",
            ESSAY,
            "false",
        ),
    ]
    out = []
    for r in rows:
        row = dict(zip(ACCOUNTABILITY_COLUMNS, r, strict=True))
        if measure in (None, row["measure"]):
            row["measure"] = "vocab/measure-type/" + row["measure"]
            row["source"] = source(row["source"])
            out.append(row)
    return out


@covers("accountability-calls")
@pytest.mark.parametrize("measure", [None, "icc-referral", "commission-of-inquiry"])
def test_accountability_calls(repo_client: TestClient, measure: str | None) -> None:
    params = {"measure": ID + "vocab/measure-type/" + measure} if measure else {}
    got = answer(repo_client, "accountability-calls", params)
    same_rows(got, accountability_rows(measure), ACCOUNTABILITY_COLUMNS)
    # One row per call, and its date at least as precise as the source's own.
    calls = Counter((r["document"], r["measure"], r["source"]) for r in got)
    assert max(calls.values()) == 1, calls
    assert all(r["date"].startswith(r["date_in_source"]) for r in got)


# --- dprk-timeline ----------------------------------------------------------------------------

TIMELINE_COLUMNS = ["date", "kind", "event", "source", "identifiedByCurator"]
FROM_DATA_SETS = (dataset("unvotes"), dataset("unhrc-votes"), dataset("unsc-voting"))


def timeline_rows_from_data_sets(first: int = 0, last: int = 9999) -> list[Row]:
    """Resolutions adopted and drafts vetoed, from the vote data sets (a resolution is adopted
    on the day of its recorded vote)."""
    return [
        {
            "date": v.date,
            "kind": "resolution adopted" if v.adopted else "draft vetoed",
            "event": v.document,
            "source": v.source,
            "identifiedByCurator": "false",
        }
        for v in votes()
        if (v.adopted or v.vetoed_by) and first <= v.year <= last
    ]


# (date, kind, event, source, marked?): the events of the UN system the sources date in 2014 and
# in 2021-2024; marked where the text leaves out the year or the day, the symbol, or who made a
# finding.
TIMELINE_2014 = [
    ("2014", "UPR review", "upr/PRK/2", NKHR, True),
    ("2014", "meeting", "meeting/unga/2014/sr-dprk-briefing", SIDE, True),
    ("2014", "meeting", "meeting/unhq/2014/prk-meets-sr-dprk", SIDE, True),
    ("2014", "meeting", "meeting/unsc/2014/briefing-crimes-against-humanity", NKHR, False),
    ("2014", "report", "doc/A/HRC/25/63", NKHR, True),
    ("2014", "report", "doc/A/HRC/25/63", ESSAY, True),
    ("2014", "report", "doc/A/HRC/25/63", OVERVIEW, True),
    ("2014-10-22", "side event", SIDE_MEETING, SIDE, True),
    (within("2014", day=True), "Security Council meeting", "doc/S/PV.7353", NKHR, True),
]
TIMELINE_2014_EVIDENCE = (
    cite(NKHR, 13, 13, "Universal Periodic Review in both 2010 and 2014"),
    cite(SIDE, 25, 25, "A few days after our side meeting, the North Korean delegation met with"),
    cite(SIDE, 25, 25, "to give an official briefing before the UN General Assembly"),
    cite(NKHR, 3, 3, "briefing on crimes against humanity", "at the UN Security Council in 2014"),
    cite(NKHR, 10, 10, "the UN Commission of Inquiry's 2014 report"),
    cite(ESSAY, 718, 720, "After the 2014 COI", "report"),
    cite(OVERVIEW, 11, 11, "The COI's final report, published in 2014"),
    cite(SIDE, 19, 19, "The side meeting took place on October 22"),
    cite(NKHR, 11, 11, "First-ever official discussion", "at the UN Security Council"),
    absent(NKHR, "A/HRC/25/63", "S/PV"),
    absent(ESSAY, "A/HRC/25/63"),
    absent(OVERVIEW, "A/HRC/25/63"),
)
TIMELINE_2021_2024 = [
    ("2022-08", "meeting", "meeting/seoul/2022-08/sr-dprk-visit", ESSAY, False),
    ("2022-10", "report", "doc/A/77/522", ESSAY, True),
    ("2023-03", "Arria-formula meeting", ARRIA_2023, ESSAY, False),
    ("2023-03", "report", SEOUL_REPORT, ESSAY, False),
    ("2023-04", "report", "doc/A/HRC/52/65", ESSAY, True),
    ("2023-08-15", "meeting", HRNK_DIALOGUE, ESSAY, False),
    ("2023-08-15", "statement", "document/sr-dprk/2023-08-15-remarks-hrnk-dialogue", ESSAY, False),
    ("2023-08-17", "Security Council meeting", "doc/S/PV.9398", NKDB, True),
    ("2023-08-17", "Security Council meeting", "doc/S/PV.9398", ESSAY, True),
    ("2023-08-30", "conference", SEOUL_CONFERENCE, ESSAY, False),
    ("2023-12", "meeting", SEOUL_CONSULTATIONS, ESSAY, False),
    ("2024", "UPR review", "upr/PRK/4", NKDB, False),
    ("2024-03", "draft vetoed", "doc/S/2024/255", ESSAY, True),
    ("2024-03", "side event", "meeting/hrc/2024-03/side-event-dprk", ESSAY, False),
    ("2024-04", "finding", "finding/unsc-1718-poe/2024-04-kharkiv-missile", ESSAY, True),
    ("2024-04", "resolution adopted", "doc/A/HRC/RES/55/21", ESSAY, True),
    ("2024-04", "statement", "document/sr-dprk/2024-04-statement-hrc", ESSAY, False),
    ("2024-11", "UPR review", "upr/PRK/4", ESSAY, False),
]
TIMELINE_2021_2024_EVIDENCE = (
    cite(ESSAY, 543, 547, "visited Seoul in August 2022", "met with North Korean escapees"),
    cite(ESSAY, 547, 549, "In her first report to the", "General Assembly in October 2022"),
    cite(ESSAY, 449, 451, "In March", "2023, the United States hosted an Arria-formula meeting"),
    cite(ESSAY, 597, 599, "office of the OHCHR published in March", "2023 a report"),
    cite(ESSAY, 555, 557, "Her subsequent report to the HRC in April", "2023"),
    cite(ESSAY, 359, 361, "During a public dialogue hosted by HRNK", "on August 15, 2023"),
    cite(ESSAY, 361, 365, "Dr. Elizabeth Salmón", "stressed the importance of U.S. leadership"),
    cite(NKDB, 43, 43, "On August 17, the UN Security Council (UNSC) convened an open session"),
    cite(ESSAY, 457, 459, "open discussion on North Korean human", "rights on August 17, 2023"),
    cite(ESSAY, 603, 603, "international conference on enforced disappearances on August 30, 2023"),
    cite(ESSAY, 605, 607, "December 2023, the Seoul office engaged in outreach"),
    cite(NKDB, 47, 47, "expected to undergo its fourth review in 2024"),
    cite(ESSAY, 905, 907, "Russia's veto in March", "2024 of a motion to extend the mandate"),
    cite(ESSAY, 574, 578, "March 2024, Salmón, Ambassador Lee", "on the sidelines of the UN HRC"),
    cite(ESSAY, 489, 494, "UN officials tasked with monitoring", "concluded in April 2024"),
    cite(ESSAY, 654, 656, "the HRC's April 2024 resolution on North", "Korea"),
    cite(ESSAY, 561, 561, "In her statement to the HRC in April 2024"),
    cite(ESSAY, 33, 35, "fourth cycle of the Universal Periodic Review in", "November 2024"),
    absent(ESSAY, "A/77/522", "A/HRC/52/65", "S/PV.9398", "A/HRC/RES/55/21"),
    absent(NKDB, "S/PV.9398"),
)
# Events the sources tell alongside UN action but that are not events of the UN system: the
# timeline leaves them out (the rule in the query's description).
NOT_UN_EVENTS = {
    # David Hawk's 2021 report, a scholar's work about the UN.
    "document/david-hawk/2021-the-role-of-the-united-nations": cite(
        ESSAY, 198, 200, "In his 2021 report", "David Hawk noted"
    ),
    # The U.S.-Japan summit of May 2022, the joint statement at the East Asia Summit.
    "meeting/usa-jpn/2022-05/summit": cite(
        ESSAY, 418, 420, "At their", "May 2022 summit, President Biden and Prime Minister"
    ),
    "document/joint/2022-11-us-japan-rok-statement-phnom-penh": cite(
        ESSAY, 424, 426, "joint U.S.-Japan-ROK", "statement at Phnom Penh in November 2022"
    ),
    # The U.S. Embassy's meeting in Seoul, February 2023.
    EMBASSY_2023: cite(ESSAY, 389, 389, "In February 2023, the U.S. Embassy in Seoul hosted"),
    # The ROK government's report on North Korean human rights, and its English version.
    "document/kor/2023-03-report-on-north-korean-human-rights": cite(
        ESSAY, 280, 283, "It publicly released", "official report on North Korean human rights"
    ),
    "document/kor/2023-07-report-on-north-korean-human-rights-english": cite(
        ESSAY, 284, 285, "released an English version for international", "in July 2023"
    ),
    # The U.S.-ROK Joint Statement of April 2023, issued during a state visit.
    "document/joint/2023-04-us-rok-joint-statement": cite(
        ESSAY, 401, 403, "U.S.-ROK Joint Statement of", "issued during President Yoon's state visit"
    ),
    # Kirby's remark of January 2024, ten years after the COI reported.
    "document/michael-kirby/2024-01-statement-on-progress": cite(
        ESSAY, 954, 956, "former COI", "Chair Michael Kirby, who stated in January 2024"
    ),
    # The Outlaw Ocean Project's investigation (February 2024).
    "finding/outlaw-ocean-project/2024-02-seafood-processing": cite(
        ESSAY, 515, 517, "An investigation by the Outlaw Ocean Project published in February"
    ),
}


def curated_timeline(facts: list[tuple[Any, ...]]) -> list[Expected]:
    return [
        dict(zip(TIMELINE_COLUMNS, (d, k, e, source(sid), flag(marked)), strict=True))
        for d, k, e, sid, marked in facts
    ]


@covers("dprk-timeline")
def test_dprk_timeline_from_the_data_sets(repo_client: TestClient) -> None:
    got = answer(repo_client, "dprk-timeline")
    from_data = rows_where(got, source=lambda s: s in FROM_DATA_SETS)
    same_rows(from_data, timeline_rows_from_data_sets(), TIMELINE_COLUMNS)
    assert [r["date"] for r in got] == sorted(r["date"] for r in got)


@covers("dprk-timeline")
@pytest.mark.parametrize(("first", "last"), [(2014, 2014), (2021, 2024)])
def test_dprk_timeline_of_some_years(repo_client: TestClient, first: int, last: int) -> None:
    """Every event of these years, from the data sets and the source texts; of the UN system
    chart (no CSV), which events."""
    got = answer(repo_client, "dprk-timeline", {"from": str(first), "to": str(last)})
    expected: list[Expected] = list(timeline_rows_from_data_sets(first, last))
    expected += curated_timeline(TIMELINE_2014 if first == 2014 else TIMELINE_2021_2024)
    chart = rows_where(got, source=dataset("un-system-chart"))
    same_rows([r for r in got if r not in chart], expected, TIMELINE_COLUMNS)
    # 2014: the HRC's resolution of March 2014, A/HRC/RES/25/25 (missing from the HRC data set).
    want = [("resolution adopted", "doc/A/HRC/RES/25/25")] if first == 2014 else []
    assert [(r["kind"], r["event"]) for r in chart] == want


@covers("dprk-timeline")
def test_dprk_timeline_leaves_out_what_is_not_un_action(repo_client: TestClient) -> None:
    events = {r["event"] for r in answer(repo_client, "dprk-timeline")}
    assert not events & set(NOT_UN_EVENTS)
    # Not a vacuous absence: the graph holds each of them, dated, about the DPRK and of a class
    # the timeline lists; only the rule keeps them out.
    values = " ".join(f"<{ID}{e}>" for e in NOT_UN_EVENTS)
    query = f"""PREFIX unhr: <{UNHR}>
        SELECT DISTINCT ?event WHERE {{
          VALUES ?event {{ {values} }}
          VALUES ?class {{ unhr:Report unhr:Statement unhr:Meeting unhr:Finding }}
          ?event a ?class ; unhr:date ?date ; unhr:concernsState <{ID}state/PRK> }}"""
    response = repo_client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    held = {short(r["event"]) for r in csv.DictReader(io.StringIO(response.text))}
    assert held == set(NOT_UN_EVENTS)


# =============================================================================================
# The evidence, and the coverage
# =============================================================================================


@pytest.mark.parametrize("c", CITATIONS, ids=str)
def test_citation(c: Cite) -> None:
    """The facts used above stand where the comments say (or nowhere, where a value is marked)."""
    text = sources.text(c.source)
    if c.absent:
        whole = plain(text)
        for phrase in c.phrases:
            assert plain(phrase) not in whole, f"{c.source} prints {phrase!r}"
        return
    lines = text.splitlines()
    assert 1 <= c.first <= c.last <= len(lines), c
    passage = plain(" ".join(lines[c.first - 1 : c.last]))
    for phrase in c.phrases:
        assert plain(phrase) in passage, f"{c.source} {c.first}-{c.last}: {passage!r}"


def test_every_query_is_covered() -> None:
    names = {q.name for q in load_registry(ROOT / "queries")}
    assert len(names) == EXPECTED_QUERIES == len(list((ROOT / "queries").glob("*.rq")))
    assert set(COVERED) == names, sorted(names ^ set(COVERED))
    assert all(COVERED.values())
