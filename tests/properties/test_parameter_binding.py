"""Property: no parameter value changes a canned query's shape.

Whatever a client sends, the value is either refused (a ParameterError naming the parameter: a
400) or bound as one RDF term. Bound, the query text is read back by an independent SPARQL
parser (rdflib's): it is the canned query with exactly one VALUES row at the head of its WHERE
group, that row holds exactly the term the value denotes (the same characters, quotes, braces,
newlines and all), and everything else parses as the canned query does.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pyparsing import ParseResults
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.api.app import create_app
from kg.errors import ParameterError
from kg.queries import CannedQuery, Parameter, bind_parameters, load_query, load_registry
from kg.queries import with_values as bind_in_text
from kg.startup import prepare_store
from tests.conftest import make_settings
from tests.support import copy_mini

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: A query with a parameter of every kind the convention has (see kg.queries).
EVERY_KIND = """#+ summary: One parameter of every kind
#+ defaults:
#+   - flag: true
SELECT ?s WHERE {
  ?s ?p ?o .
  FILTER(?o IN (?_thing_iri, ?_count_integer, ?_ratio_decimal, ?__flag_boolean, ?_name,
                ?_label_en, ?_day_xsd_date, ?_year_xsd_gYear))
}
"""
VALID = {
    "iri": ["https://w3id.org/unhr/id/state/KOR", "urn:x-test:a", "http://example.org/é?q=1#f"],
    "integer": ["2014", "-7", "+0012"],
    "decimal": ["1.5", "-0.25", "3", "1e3"],
    "boolean": ["true", "false", "1", "0"],
    "string": ["Korea", ""],
    "lang": ["Korea"],
    str(XSD.date): ["2014-12-18", "2014-12-18Z"],
    str(XSD.gYear): ["2014", "-0044"],
}


def valid(parameter: Parameter) -> list[str]:
    """Values the parameter takes (by its datatype, for an xsd one)."""
    return VALID[str(parameter.datatype) if parameter.kind == "xsd" else parameter.kind]


#: Fragments that mean something in SPARQL (or in the serialisations it embeds).
SPECIAL = [
    ">",
    "<",
    " ",
    "{",
    "}",
    '"',
    "'",
    '"""',
    "\n",
    "\r",
    "\t",
    "\\",
    "\\u0022",
    "#",
    "?x",
    "$x",
    ".",
    ";",
    ",",
    "(",
    ")",
    "^^<http://www.w3.org/2001/XMLSchema#integer>",
    "@en",
    "\x00",
    "\u2028",
    "\U0001f600",
    "é",
    "} UNION { ?s ?p ?o",
    "> . ?s ?p ?o . <",
    '" ) } SELECT * WHERE { ?s ?p ?o } #',
]
hostile = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=4)), max_size=8).map(
    "".join
)
huge_integers = st.integers(min_value=-(10**40), max_value=10**40).map(str)


def values_for(parameter: Parameter) -> st.SearchStrategy[str]:
    good = st.sampled_from(valid(parameter))
    return st.one_of(
        hostile,
        good,
        st.tuples(good, hostile).map("".join),
        st.tuples(hostile, good).map("".join),
        huge_integers,
    )


# -- reading a query back with rdflib --------------------------------------------------------


def plain(node: Any) -> Any:
    """A parse tree as comparable values (blank node labels are fresh on every parse)."""
    if isinstance(node, CompValue):
        return (node.name, tuple((k, plain(v)) for k, v in node.items()))
    if isinstance(node, (ParseResults, list, tuple)):
        return tuple(plain(v) for v in node)
    if isinstance(node, BNode):
        return "_:b"
    return node


def as_term(node: Any) -> URIRef | Literal:
    """A term of the parse tree of a VALUES row (full IRIs and literals only)."""
    if isinstance(node, URIRef):
        return node
    assert isinstance(node, CompValue) and node.name == "literal", node
    fields = dict(node)  # (CompValue.get answers a missing key with its name)
    return Literal(str(fields["string"]), datatype=fields.get("datatype"), lang=fields.get("lang"))


def expected_term(parameter: Parameter, raw: str) -> URIRef | Literal:
    """The term a value denotes, from the convention (kg.queries' docstring)."""
    value = raw.strip()
    match parameter.kind:
        case "iri":
            return URIRef(value)
        case "integer":
            return Literal(str(int(value)), datatype=XSD.integer)
        case "boolean":
            return Literal(str(value.lower() in ("true", "1")).lower(), datatype=XSD.boolean)
        case "string":
            return Literal(raw)
        case "lang":
            return Literal(raw, lang=parameter.language)
        case "xsd":
            return Literal(value, datatype=URIRef(str(parameter.datatype)))
    raise AssertionError(parameter.kind)  # decimals are compared by value, see below


def where_parts(tree: Any) -> list[Any]:
    return list(tree[1]["where"]["part"])


def check_bound(query: CannedQuery, original: Any, raw: dict[str, str], target: str) -> None:
    """``raw`` binds every parameter but ``target`` to a valid value."""
    try:
        bound = bind_parameters(query, raw)
    except ParameterError as exc:
        event("refused")
        assert exc.status == 400
        assert exc.details["parameter"] == target
        return
    event("bound")
    text = bind_in_text(query, bound)
    if not bound:
        assert text == query.text
        return
    tree = parseQuery(text)
    head, *rest = where_parts(tree)
    # Everything but the VALUES row reads as the canned query does ...
    assert plain(tree[0]) == plain(original[0])
    assert plain(rest) == plain(where_parts(original))
    for key in original[1]:
        if key != "where":
            assert plain(tree[1][key]) == plain(original[1][key]), key
    # ... and the row binds exactly the bound variables, each to the term its value denotes.
    assert head.name == "InlineData"
    assert [str(v) for v in head["var"]] == sorted(bound)
    (row,) = head["value"]
    terms = dict(zip(sorted(bound), (as_term(t) for t in row), strict=True))
    for parameter in query.parameters:
        if parameter.variable not in bound:
            continue
        given = raw.get(parameter.name) or str(parameter.default)
        got = terms[parameter.variable]
        if parameter.kind == "decimal":
            assert got.datatype == XSD.decimal
            assert Decimal(str(got)) == Decimal(given.strip())
        else:
            assert got == expected_term(parameter, given), (parameter.name, given)


# -- the properties --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> tuple[CannedQuery, Any]:
    path = tmp_path_factory.mktemp("queries") / "every-kind.rq"
    path.write_text(EVERY_KIND)
    query = load_query(path)
    kinds = {p.kind for p in query.parameters} - {"xsd"}
    assert kinds | {str(p.datatype) for p in query.parameters if p.kind == "xsd"} == set(VALID)
    return query, parseQuery(query.text)


@SETTINGS
@given(data=st.data())
def test_no_value_of_any_kind_changes_the_query(
    every_kind: tuple[CannedQuery, Any], data: st.DataObject
) -> None:
    query, original = every_kind
    target = data.draw(st.sampled_from(query.parameters), label="parameter")
    raw = {p.name: valid(p)[0] for p in query.parameters if p.required}
    raw[target.name] = data.draw(values_for(target), label="value")
    check_bound(query, original, raw, target.name)


@pytest.fixture(scope="module")
def repository_queries(repo_root: Path) -> list[tuple[CannedQuery, Any]]:
    registry = load_registry(repo_root / "queries")
    return [(q, parseQuery(q.text)) for q in registry if q.parameters]


@settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_no_value_changes_a_query_of_this_repository(
    repository_queries: list[tuple[CannedQuery, Any]], data: st.DataObject
) -> None:
    query, original = data.draw(st.sampled_from(repository_queries), label="query")
    target = data.draw(st.sampled_from(query.parameters), label="parameter")
    raw = {target.name: data.draw(values_for(target), label="value")}
    for p in query.parameters:
        if p.required and p.name != target.name:
            raw[p.name] = valid(p)[0]
    check_bound(query, original, raw, target.name)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = copy_mini(tmp_path_factory.mktemp("mini") / "repo")
    (root / "queries" / "every-kind.rq").write_text(EVERY_KIND)
    app_settings = make_settings(root)
    store = prepare_store(app_settings, progress=False)
    try:
        with TestClient(create_app(app_settings, store), raise_server_exceptions=False) as c:
            yield c
    finally:
        store.close()


def from_catalogue(entry: dict[str, Any]) -> Parameter:
    """The parameter a catalogue entry describes (its type is a kind, or an xsd datatype IRI)."""
    kind = entry["type"]
    if kind in VALID and kind.startswith("http"):
        return Parameter(entry["name"], "", "xsd", True, datatype=kind)
    return Parameter(entry["name"], "", kind, True, language="en" if kind == "lang" else None)


@settings(SETTINGS, max_examples=40)
@given(data=st.data())
def test_over_http_a_value_is_answered_or_refused_naming_it(
    served: TestClient, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(["every-kind", "labels-matching"]), label="query")
    catalogue = {q["name"]: q for q in served.get("/queries").json()["queries"]}
    parameters = catalogue[name]["parameters"]
    target = data.draw(st.sampled_from(parameters), label="parameter")
    raw = {p["name"]: valid(from_catalogue(p))[0] for p in parameters if p["required"]}
    raw[target["name"]] = data.draw(values_for(from_catalogue(target)), label="value")
    answer = served.get(f"/queries/{name}", params=raw)
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"]["details"]["parameter"] == target["name"], answer.text
    else:
        assert "head" in answer.json()
