"""Classifying operations on tokens, not raw text (the policy itself: tests/unit/test_policy.py)."""

from __future__ import annotations

import random
import re
import time

import pytest

from kg.errors import SparqlSyntaxError
from kg.sparql.operation import (
    Form,
    classify,
    syntax_error_from_engine,
    token_spans,
)


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


# The tokenizer's single regular expression before it was made linear: the reference the linear
# one must agree with, token for token (its ``pname`` alternative was quadratic on ``a.a.a…``).
_REFERENCE = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    | (?P<pname>[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*:[\w.\-:%\\\u00b7\u00c0-\uffff]*
                |:[\w.\-:%\\\u00b7\u00c0-\uffff]*)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)
# Characters and pieces that exercise every branch: name runs with and without a colon, escapes,
# quotes of both kinds and lengths, IRIs, comments, line ends, and non-ASCII letters and spaces
# (U+3000 is both whitespace and in the range a prefixed name may start with).
_PIECES = [*"aZ_1.-:?$<>\"'\\#\n\r{}()%·é\u3000\u00a0 \u00d7", "'''", '"""', "\\'", "a.", "a:"]


def _reference_spans(text: str) -> list[tuple[str, str, int, int]]:
    return [
        (m.lastgroup or "other", m.group(), m.start(), m.end())
        for m in _REFERENCE.finditer(text)
        if m.lastgroup != "comment"
    ]


def test_tokens_are_those_of_the_reference_tokenizer() -> None:
    rng = random.Random(8)
    for _ in range(20_000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randrange(40)))
        assert token_spans(text) == _reference_spans(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        'PREFIX ex: <http://x/> SELECT ?s WHERE { ?s ex:p "a\\"b" ; a.b.c:d ; _x:y } # c',
        "SELECT * WHERE { ?s ?p '''x''''' . ?s ?p \"\"\"a\"\"b\"\"\" }",
        "ASK { ?s <http://x/a b> 'open ; ?s ?p \"also open\n?s ?p ?o }",
        "SELECT ?a.b ?c-d WHERE { ?a\u3000b:c :d.e.:f 1.5e-3 }",
    ],
)
def test_tokens_of_typical_and_broken_queries_match_the_reference(text: str) -> None:
    assert token_spans(text) == _reference_spans(text)


# Each of these took the reference tokenizer seconds to minutes at ~100 KB (quadratic); the bound
# is generous so that a loaded machine does not fail it, and still far below the old figures.
_PATHOLOGICAL = {
    "name run with dots": "a." * 49_000,
    "prefixed names": "a:" * 49_000,
    "variables": "?a" * 49_000,
    "dots": "." * 98_000,
    "unterminated short string": '"' + "a" * 98_000,
    "escaped quotes on one line": '"\\' * 49_000,
    "unterminated long string": "'''" + "a" * 98_000,
    "escaped long quotes": "\\'''\n" * 20_000,
    "unterminated IRI": "<" + "a" * 98_000,
    "IRI starts": "<a" * 49_000,
}


@pytest.mark.parametrize("body", _PATHOLOGICAL.values(), ids=_PATHOLOGICAL.keys())
def test_classifying_pathological_text_is_fast(body: str) -> None:
    start = time.perf_counter()
    assert classify("SELECT * WHERE { " + body + " }").form is Form.SELECT
    assert time.perf_counter() - start < 2.0
