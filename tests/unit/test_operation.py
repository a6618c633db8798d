"""Classifying operations and the outbound-access policy, on tokens not raw text."""

from __future__ import annotations

import pytest

from kg.errors import Forbidden, SparqlSyntaxError
from kg.sparql.operation import Form, check_policy, classify, syntax_error_from_engine


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", Form.SELECT),
        ("PREFIX ex: <http://x/> ask { ?s ex:p ?o }", Form.ASK),
        ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", Form.CONSTRUCT),
        ("DESCRIBE <http://x/a>", Form.DESCRIBE),
        ("# SELECT in a comment\nINSERT DATA { <a:a> <a:b> <a:c> }", Form.UPDATE),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", Form.UPDATE),
    ],
)
def test_form(text: str, form: Form) -> None:
    assert classify(text).form is form


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?service WHERE { ?service <http://x/load> "SERVICE LOAD FROM" }',
        "SELECT * WHERE { ?s <http://x/p> ?from } # SERVICE <http://evil>",
        "PREFIX service: <http://x/> SELECT * WHERE { ?s service:load ?o }",
        "SELECT * WHERE { ?s ?p '''multi\nline SERVICE''' }",
    ],
)
def test_keywords_inside_names_strings_and_comments_do_not_count(text: str) -> None:
    op = classify(text)
    assert not op.uses_service and not op.uses_load and op.from_graphs == ()
    check_policy(op, known_graphs=frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { service <http://127.0.0.1/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://g>",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1/x> WHERE { ?s ?p ?o }",
    ],
)
def test_outbound_access_is_forbidden(text: str) -> None:
    with pytest.raises(Forbidden):
        check_policy(classify(text), known_graphs=frozenset({"https://w3id.org/unhr/graph/a"}))


def test_from_a_known_graph_is_allowed() -> None:
    op = classify("SELECT * FROM <https://w3id.org/unhr/graph/a> WHERE { ?s ?p ?o }")
    check_policy(op, known_graphs=frozenset({"https://w3id.org/unhr/graph/a"}))
    assert op.from_graphs == ("https://w3id.org/unhr/graph/a",)


def test_text_that_is_no_operation_is_a_syntax_error() -> None:
    with pytest.raises(SparqlSyntaxError):
        classify("hello world")


def test_engine_message_gets_its_position() -> None:
    error = syntax_error_from_engine("error at 3:14: expected one of LATERAL")
    assert error.details == {"line": 3, "column": 14}
    assert "line 3, column 14" in error.message


def test_data_operations_are_split_in_order() -> None:
    from kg.sparql.operation import data_operations

    split = data_operations(
        'PREFIX x: <urn:x:> DELETE DATA { x:a x:b "}" } ; '
        "INSERT DATA { GRAPH <urn:g> { x:a x:b 1 ; x:c 2 } }"
    )
    assert split == (
        "PREFIX x: <urn:x:> ",
        [("DELETE", '{ x:a x:b "}" }'), ("INSERT", "{ GRAPH <urn:g> { x:a x:b 1 ; x:c 2 } }")],
    )
    assert data_operations("DELETE WHERE { ?s ?p ?o }") is None
    assert data_operations("INSERT DATA { <a:a> <a:b> <a:c> } ; CLEAR ALL") is None
