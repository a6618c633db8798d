"""Canned-query headers are parsed strictly; parameters are typed by suffix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.errors import ConfigError, ParameterError
from kg.queries import bind_parameters, load_query, load_registry, with_values
from kg.rdfio import nt

GOOD = """#+ summary: Votes of a state
#+ description: Every recorded vote of the state.
#+ tags:
#+   - coalition
#+ defaults:
#+   - year: 2014
#+ enumerate:
#+   - state
PREFIX unhr: <https://w3id.org/unhr/ontology#>
SELECT ?v WHERE {
  ?v unhr:votedYes ?_state_iri ; unhr:voteDate ?d .
  FILTER(YEAR(?d) = ?_year_integer)
  FILTER(!BOUND(?__body_iri) || ?b = ?__body_iri)
  FILTER(STR(?v) != "?_in_a_string" && STR(?v) != '?_in_single_quotes')
  # ?_commented_out is no parameter
}
"""


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_header_and_parameters(tmp_path: Path) -> None:
    q = load_query(write(tmp_path, GOOD))
    assert q.summary == "Votes of a state"
    assert q.tags == ("coalition",)
    params = {p.name: p for p in q.parameters}
    assert set(params) == {"state", "year", "body"}
    assert params["state"].kind == "iri" and params["state"].required and params["state"].enumerate
    assert params["year"].kind == "integer" and not params["year"].required
    assert params["year"].default == "2014"
    assert params["body"].kind == "iri" and not params["body"].required


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("#+ summary: x\n#+ colour: blue\nSELECT * {}", 2, "unknown header key 'colour'"),
        ("#+ summary: [unclosed\nSELECT * {}", 1, "malformed"),
        ("SELECT * {}", 1, "no '#+' header"),
        ("#+ tags:\n#+   - a\nSELECT * {}", 1, "summary"),
    ],
)
def test_bad_headers_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_query(path)
    assert message in info.value.message
    assert f"{path}:{line}" in info.value.message


def test_default_for_unknown_parameter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no variable"):
        load_query(write(tmp_path, "#+ summary: x\n#+ defaults:\n#+   - nope: 1\nSELECT * {}"))


def test_update_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="read-only"):
        load_query(write(tmp_path, "#+ summary: x\nDELETE WHERE { ?s ?p ?o }"))


def test_registry_stops_on_the_first_bad_file(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.rq")
    write(tmp_path, "#+ summary: x\n#+ bogus: 1\nSELECT * {}", "b.rq")
    with pytest.raises(ConfigError, match=r"b\.rq:2"):
        load_registry(tmp_path)


INJECTIONS = [
    '">',
    "} ; DROP ALL",
    'x" } ; DROP ALL ; SELECT * { "',
    "line\nbreak",
    "'quoted'",
    "<http://evil/>",
    "a" * 5000,
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_iri_parameter_refuses_injection(tmp_path: Path, payload: str) -> None:
    q = load_query(write(tmp_path, GOOD))
    with pytest.raises(ParameterError) as info:
        bind_parameters(q, {"state": payload})
    assert info.value.details["parameter"] == "state"


@pytest.mark.parametrize("payload", ["2014; DROP ALL", "1e3", "", " ", "99999999999999999999"])
def test_integer_parameter_refuses_non_integers(tmp_path: Path, payload: str) -> None:
    q = load_query(write(tmp_path, GOOD))
    if payload.strip() == "":
        # Empty means "use the default".
        bound = bind_parameters(q, {"state": "https://w3id.org/unhr/id/state/KOR", "year": payload})
        assert nt(bound["_year_integer"]) == '"2014"^^<http://www.w3.org/2001/XMLSchema#integer>'
        return
    with pytest.raises(ParameterError, match="year"):
        bind_parameters(q, {"state": "https://w3id.org/unhr/id/state/KOR", "year": payload})


def test_string_values_stay_literals(tmp_path: Path) -> None:
    path = write(tmp_path, "#+ summary: t\nSELECT ?s WHERE { ?s ?p ?_text }")
    q = load_query(path)
    text = with_values(q, bind_parameters(q, {"text": '"} ; DROP ALL #\nx'}))
    assert 'VALUES (?_text) { ("\\"} ; DROP ALL #\\nx") }' in text
    store = Store()
    payload = Literal('"} ; DROP ALL #\nx')
    store.add(Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), payload))
    store.add(Quad(NamedNode("urn:x:t"), NamedNode("urn:x:p"), Literal("other")))
    rows = [r["s"].value for r in store.query(text)]  # type: ignore[union-attr]
    assert rows == ["urn:x:s"]
    assert len(store) == 2


def test_missing_required_and_unknown_parameters(tmp_path: Path) -> None:
    q = load_query(write(tmp_path, GOOD))
    with pytest.raises(ParameterError, match="'state' is required"):
        bind_parameters(q, {})
    with pytest.raises(ParameterError, match="unknown parameter 'stat'"):
        bind_parameters(q, {"stat": "x"})


def test_decimals_are_bound_without_exponent(tmp_path: Path) -> None:
    q = load_query(
        write(tmp_path, "#+ summary: d\nSELECT ?x WHERE { BIND(?_share_decimal AS ?x) }")
    )
    for raw, expected in (("5e-7", "0.0000005"), ("0.5", "0.5"), ("1E+2", "100")):
        term = bind_parameters(q, {"share": raw})["_share_decimal"]
        assert str(term) == expected
    with pytest.raises(ParameterError, match="share"):
        bind_parameters(q, {"share": "NaN"})


@pytest.mark.parametrize(
    "raw", ["\u0663", "1\u00b2", "\uff11\uff12", "1e-99999999", "1e99999999", "1" * 40 + "e40"]
)
def test_numbers_are_ascii_and_bounded(tmp_path: Path, raw: str) -> None:
    q = load_query(
        write(
            tmp_path,
            "#+ summary: d\nSELECT ?x WHERE { BIND(?_share_decimal + ?__n_integer AS ?x) }",
        )
    )
    with pytest.raises(ParameterError):
        bind_parameters(q, {"share": raw})
    with pytest.raises(ParameterError):
        bind_parameters(q, {"share": "1", "n": raw})
