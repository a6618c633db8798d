"""The query policy, decided on rdflib's algebra (no worker, no engine: the decisions only)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kg.errors import Forbidden
from kg.queries import load_registry
from kg.sparql.outbound import may_reach_out, read_query
from kg.sparql.policy import Federation, Policy

GRAPH_A = "https://w3id.org/unhr/graph/a"
KNOWN = frozenset({GRAPH_A})
ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "https://query.example.org/sparql"
FEDERATED = Policy(Federation(endpoints=frozenset({ENDPOINT})))


def known() -> frozenset[str]:
    return KNOWN


def refusal(policy: Policy, text: str, **kwargs: object) -> str:
    with pytest.raises(Forbidden) as caught:
        policy.read_query(text, known_graphs=known, **kwargs)  # type: ignore[arg-type]
    reason = caught.value.details["policy"]
    assert isinstance(reason, str)
    return reason


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?service WHERE { ?service <http://x/load> "SERVICE LOAD FROM" }',
        "SELECT * WHERE { ?s <http://x/p> ?from } # SERVICE <http://evil>",
        "PREFIX service: <http://x/> SELECT * WHERE { ?s service:load ?o }",
        "SELECT * WHERE { ?s ?p '''multi\nline SERVICE''' }",
        'SELECT * WHERE { ?s ?p "x"@service }',
    ],
)
def test_keywords_inside_names_strings_and_comments_are_not_clauses(text: str) -> None:
    reading = Policy().read_query(text, known_graphs=known)
    assert reading is None or reading.outbound == type(reading.outbound)()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELECT * WHERE { service <http://127.0.0.1/> { ?s ?p ?o } }", "service-disabled"),
        ("SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }", "service-disabled"),
        ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://x/> {} } }", "service-disabled"),
        ("ASK { FILTER NOT EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }", "service-disabled"),
        ("SELECT * { { SELECT ?s { SERVICE <http://x/> { ?s ?p ?o } } } }", "service-disabled"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "unknown-graph"),
        ("SELECT * FROM NAMED <http://127.0.0.1/x> WHERE { ?s ?p ?o }", "unknown-graph"),
        # Glued keywords: Oxigraph reads them as SERVICE; rdflib does not read them at all.
        ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> {} }", "unreadable"),
        ("SELECT * WHERE { ?s ?p trueSERVICE <http://x/> {} }", "unreadable"),
        # A comment that Oxigraph ends at \r and rdflib would not: read as Oxigraph does.
        ("SELECT * WHERE { ?s ?p ?o # x\rSERVICE <http://x/> {} \n}", "service-disabled"),
        # \u escapes: rdflib expands them everywhere, Oxigraph only in IRIs and strings.
        (
            "SELECT * WHERE { ?s ?p ?a FILTER(?a != '\\u0027') SERVICE <http://x/> {} "
            "FILTER(?a != '\\u0027') }",
            "unreadable",
        ),
        # The less-than sign that a tokenizer takes for the start of an IRI.
        (
            "SELECT * WHERE { ?s ?p ?a FILTER(?a<1)SERVICE#x>\n<http://x/>{?s ?p ?o} }",
            "service-disabled",
        ),
    ],
)
def test_outbound_access_is_refused_with_its_rule(text: str, reason: str) -> None:
    assert refusal(Policy(), text) == reason


def test_the_refusal_names_the_setting_to_change() -> None:
    with pytest.raises(Forbidden, match="KG_SERVICE_ENDPOINTS"):
        Policy().read_query("SELECT * { SERVICE <http://x/> {} }", known_graphs=known)


def test_from_a_known_graph_is_allowed_and_the_protocol_dataset_overrides_from() -> None:
    reading = Policy().read_query(
        f"SELECT * FROM <{GRAPH_A}> WHERE {{ ?s ?p ?o }}", known_graphs=known
    )
    assert reading is not None and reading.outbound.from_graphs == (GRAPH_A,)
    other = "SELECT * FROM <http://elsewhere/g> WHERE { ?s ?p ?o }"
    assert Policy().read_query(other, known_graphs=known, dataset_given=True) is not None


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX g: <https://w3id.org/unhr/graph/> SELECT * FROM g:a WHERE { ?s ?p ?o }",
        "BASE <https://w3id.org/unhr/graph/> SELECT * FROM <a> WHERE { ?s ?p ?o }",
        "SELECT * FROM <a> WHERE { ?s ?p ?o }",
    ],
)
def test_from_iris_are_resolved_before_the_policy_looks_at_them(text: str) -> None:
    base = "https://w3id.org/unhr/graph/x"
    assert Policy().read_query(text, known_graphs=known, base_iri=base) is not None
    with pytest.raises(Forbidden, match="unhr/elsewhere/a"):
        Policy().read_query(
            text.replace("graph/", "elsewhere/"),
            known_graphs=known,
            base_iri=base.replace("graph/", "elsewhere/"),
        )


def test_service_goes_only_to_listed_endpoints_and_never_through_a_variable() -> None:
    assert refusal(FEDERATED, "SELECT * { SERVICE <https://other.example/sparql> {} }") == (
        "service-not-allowed"
    )
    assert refusal(FEDERATED, "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }") == "service-variable"
    listed = (
        "PREFIX q: <https://query.example.org/> "
        "SELECT * { ?s ?p ?o SERVICE SILENT q:sparql { ?s ?p ?x } }"
    )
    reading = FEDERATED.read_query(listed, known_graphs=known)
    assert reading is not None
    (use,) = reading.outbound.outer_services
    assert (use.endpoint, use.silent) == (ENDPOINT, True)


def test_every_service_of_the_algebra_is_checked_even_nested_ones() -> None:
    inner = (
        f"SELECT * {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o "
        "FILTER EXISTS { SERVICE <http://x/> {} } } }"
    )
    assert refusal(FEDERATED, inner) in ("service-not-allowed", "unreadable")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("LOAD <file:///etc/passwd>", "load"),
        ("LOAD SILENT <http://127.0.0.1:9/x> INTO GRAPH <http://g>", "load"),
        ("INSERT DATA { <a:a> <a:b> 1 } ; LOAD <http://x/>", "load"),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "service-in-update"),
    ],
)
def test_updates_never_load_nor_call_services(text: str, reason: str) -> None:
    with pytest.raises(Forbidden) as caught:
        FEDERATED.check_update(text)
    assert caught.value.details["policy"] == reason


def test_using_selects_graphs_and_is_reported() -> None:
    outbound = Policy().check_update(
        "DELETE { ?s ?p ?o } USING <http://g/a> USING NAMED <http://g/b> WHERE { ?s ?p ?o }"
    )
    assert outbound.using == ("http://g/a",) and outbound.using_named == ("http://g/b",)


def test_engine_guard_refuses_service_in_the_servers_own_texts() -> None:
    with pytest.raises(Forbidden):
        Policy().check_engine_text("SELECT * WHERE { SERVICE <http://x/> {} }")
    Policy().check_engine_text("SELECT * WHERE { ?s ?p ?o }")


def test_no_canned_query_needs_the_parse() -> None:
    """The fast path covers every canned query: none pays for rdflib's parser."""
    registry = load_registry(ROOT / "queries")
    assert len(list(registry)) >= 20
    assert [q.name for q in registry if may_reach_out(q.text)] == []


def test_queries_that_mention_a_keyword_are_read_and_checked() -> None:
    assert may_reach_out("SELECT * { ?s ?p ?o } # from")
    assert read_query("SELECT * { ?s ?p ?o } # from").outbound.services == ()


def test_the_pre_check_is_linear() -> None:
    for body in ("fromfrom" * 20_000, "?a" * 50_000, "x:" * 50_000, "#\n" * 50_000):
        started = time.perf_counter()
        may_reach_out(body)
        assert time.perf_counter() - started < 0.5
