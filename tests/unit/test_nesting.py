"""The nesting pre-scan: what counts as a level, what does not, where it says, why it matters."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.errors import NestingTooDeep, RdfSyntaxError, SparqlSyntaxError
from kg.nesting import check_rdf, check_sparql

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 40


def sparql_depth_ok(text: str, limit: int = LIMIT) -> bool:
    try:
        check_sparql(text, limit=limit)
    except NestingTooDeep:
        return False
    return True


def rdf_depth_ok(body: str | bytes, syntax: str, limit: int = LIMIT) -> bool:
    data = body.encode() if isinstance(body, str) else body
    try:
        check_rdf(data, syntax, limit=limit)
    except NestingTooDeep:
        return False
    return True


# --- SPARQL: each kind of level, just under and just over the limit -------------------------------
#
# (maker of a text nesting k times, levels the text adds around the k)

P = "PREFIX : <urn:x:> "
SPARQL_LEVELS: dict[str, tuple[Callable[[int], str], int]] = {
    "braces": (lambda k: "SELECT * WHERE " + "{" * k + "}" * k, 0),
    "expression parentheses": (
        lambda k: "SELECT * WHERE { FILTER(" + "(" * k + "1" + ")" * k + ") }",
        2,
    ),
    "collections": (lambda k: "SELECT * WHERE { ?s ?p " + "(" * k + "1" + ")" * k + " }", 1),
    "blank nodes": (lambda k: "SELECT * WHERE { ?s ?p " + "[ ?p " * k + "1" + " ]" * k + " }", 1),
    "quoted triples": (
        lambda k: "SELECT * WHERE { " + "<< " * k + "?s ?p ?o" + " >> ?p ?o" * k + " . }",
        1,
    ),
    "path groups": (lambda k: P + "SELECT * WHERE { ?s " + "(" * k + ":p" + ")" * k + " ?o }", 1),
    "negations": (lambda k: "SELECT * WHERE { FILTER(" + "!" * k + "true) }", 2),
    "inverse paths": (lambda k: P + "SELECT * WHERE { ?s " + "^ " * k + ":p ?o }", 1),
    "&& chain": (lambda k: "SELECT * WHERE { FILTER(" + "true && " * k + "true) }", 2),
    "|| chain": (lambda k: "SELECT * WHERE { FILTER(" + "false||" * k + "true) }", 2),
    "+ chain": (lambda k: "SELECT * WHERE { FILTER(" + "1 + " * k + "1 > 0) }", 2),
    "- chain": (lambda k: "SELECT * WHERE { FILTER(" + "1-" * k + "1 > 0) }", 2),
    "* and / chain": (lambda k: "SELECT * WHERE { FILTER(" + "2*1/" * (k // 2) + "1) }", 2),
    "path sequence": (lambda k: P + "SELECT * WHERE { ?s " + ":p/" * k + ":p ?o }", 1),
    "path alternatives": (lambda k: P + "SELECT * WHERE { ?s " + ":p|" * k + ":p ?o }", 1),
    "UNION": (lambda k: "SELECT * WHERE { " + "{} UNION " * k + "{} }", 2),
    "OPTIONAL": (lambda k: "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * k + "}", 1),
    "MINUS": (lambda k: "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * k + "}", 1),
    "BIND": (
        lambda k: "SELECT * WHERE { " + "".join(f"BIND(1 AS ?v{i}) " for i in range(k)) + "}",
        1,
    ),
    "FILTER EXISTS (three levels each)": (
        lambda k: "SELECT * WHERE { " + "FILTER EXISTS { " * (k // 3) + "}" * (k // 3) + " }",
        1,
    ),
    "projections": (
        lambda k: "SELECT " + " ".join(f"(1 AS ?v{i})" for i in range(k)) + " WHERE {}",
        0,
    ),
    "nested function calls (three levels each)": (
        lambda k: (
            "SELECT * WHERE { FILTER(" + "CONCAT(" * (k // 3) + "'a'" + ")" * (k // 3) + ") }"
        ),
        2,
    ),
    "INSERT DATA": (
        lambda k: "INSERT DATA { <urn:s> <urn:p> " + "[ <urn:p> " * k + "1" + " ]" * k + " }",
        1,
    ),
}


@pytest.mark.parametrize(("make", "around"), SPARQL_LEVELS.values(), ids=SPARQL_LEVELS.keys())
def test_sparql_levels_just_under_and_over_the_limit(
    make: Callable[[int], str], around: int
) -> None:
    assert sparql_depth_ok(make(LIMIT - around))
    assert not sparql_depth_ok(make(LIMIT - around + 3))


def test_sparql_limit_is_exact_and_the_error_names_it() -> None:
    assert sparql_depth_ok("SELECT * WHERE " + "{" * LIMIT + "}" * LIMIT)
    text = "SELECT * WHERE " + "{" * (LIMIT + 1) + "}" * (LIMIT + 1)
    with pytest.raises(NestingTooDeep) as info:
        check_sparql(text, limit=LIMIT)
    error = info.value
    assert error.status == 400 and error.code == "nesting-too-deep"
    assert error.details == {
        "limit": LIMIT,
        "line": 1,
        "column": len("SELECT * WHERE ") + LIMIT + 1,
    }
    assert f"{LIMIT + 1} levels deep at line 1, column {LIMIT + 16}" in error.message
    assert f"the limit is {LIMIT} (KG_MAX_NESTING)" in error.message


def test_sparql_position_on_a_later_line() -> None:
    text = "PREFIX : <urn:x:>\nSELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(" + "(" * 50 + "1"
    with pytest.raises(NestingTooDeep) as info:
        check_sparql(text, limit=LIMIT)
    # group and FILTER( are levels 1 and 2; the 39th "(" is the 41st level
    assert info.value.details == {"limit": LIMIT, "line": 4, "column": len("  FILTER(") + 39}


def test_data_and_templates_are_flat_lists() -> None:
    graphs = "GRAPH <urn:g> { <urn:s> <urn:p> ( 1 2 ) , [ <urn:p> 3 ] } " * 500
    assert sparql_depth_ok("INSERT DATA { " + graphs + "}")
    assert sparql_depth_ok("DELETE DATA { " + graphs + "}")
    assert sparql_depth_ok("INSERT { " + graphs + "} WHERE { ?s ?p ?o }")
    assert sparql_depth_ok("CONSTRUCT { " + "?s ?p ( 1 ) . " * 500 + "} WHERE { ?s ?p ?o }")
    assert sparql_depth_ok(" ;\n".join(["INSERT DATA { <urn:s> <urn:p> 1 }"] * 500))
    # …while the same braces in a group pattern are joined one after the other
    assert not sparql_depth_ok("SELECT * WHERE { " + graphs + "}")


@pytest.mark.parametrize(
    "hidden",
    [
        "'(((((' ",
        '"[[[[[" ',
        "'''{{{{{\n(((((''' ",
        '"""a\n((((("""',
        '"""\\"\\"\\"(((( "(((( """ ',
        '"\\"(((((" ',
        "'\\'((((((' ",
        "<urn:x:(((((> ",
        "# {{{{{ ((((( [[[[[\n",
        ":a\\(\\(\\(\\(\\( ",
    ],
)
def test_brackets_in_strings_iris_comments_and_escapes_do_not_count(hidden: str) -> None:
    text = P + "SELECT * WHERE { ?s ?p " + hidden + ". }"
    assert sparql_depth_ok(text, limit=1)


@pytest.mark.parametrize(
    "iri",
    ["<http://x/#a>", "<urn:x:a#b>", "<http://x/\\u0041#a>", "<it's>", "ex:a\\#b"],
)
def test_what_follows_an_iri_with_hash_or_quote_is_counted(iri: str) -> None:
    """Inside an IRI (or escaped in a prefixed name) ``#`` and ``'`` start nothing."""
    text = "SELECT * WHERE { ?s " + iri + " " + "(" * 10 + "1" + ")" * 10 + " }"
    assert sparql_depth_ok(text, limit=11)
    assert not sparql_depth_ok(text, limit=10)


@pytest.mark.parametrize("string", ["'''a\n'b'\n'''", '"""a\n"b"\n"""', "'\\''", '"\\""'])
def test_what_follows_a_string_is_counted(string: str) -> None:
    text = "SELECT * WHERE { ?s ?p " + string + " , " + "(" * 10 + "1" + ")" * 10 + " }"
    assert sparql_depth_ok(text, limit=11)
    assert not sparql_depth_ok(text, limit=10)


def test_less_than_after_a_value_is_the_operator_in_an_expression() -> None:
    # As an IRI, <'>  would hide what follows it inside a string; as less-than it does not.
    deep = "(" * 50 + "1" + ")" * 50
    text = "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'>'+" + deep + ") }"
    assert not sparql_depth_ok(text)
    assert sparql_depth_ok("SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'b'&&?a>'a') }")


@pytest.mark.parametrize(
    "glued",
    ["?s ?p 1FILTER(", "?s ?p ?o.FILTER(", "?s ?p ?o FILTER:f(", "?s ?p trueBIND("],
)
def test_keywords_glued_to_other_tokens_still_count(glued: str) -> None:
    """The engine reads keywords without word boundaries: all of these open an expression."""
    deep = "(" * 50 + "1" + ")" * 50
    assert not sparql_depth_ok(P + "SELECT * WHERE { " + glued + deep + ") }")
    # where it cannot tell an IRI from less-than, and the two readings differ, it refuses
    with pytest.raises(SparqlSyntaxError, match="put a space after '<'"):
        check_sparql(P + "SELECT * WHERE { " + glued + "?s<'>'+" + deep + ") }", limit=LIMIT)


def test_collections_of_iris_are_not_mistaken_for_comparisons() -> None:
    collections = "?s ?p ( <urn:x#a> <urn:x#b> <it's> ) .\n" * 300
    assert sparql_depth_ok("SELECT * WHERE {\n" + collections + "}")
    values = "( <urn:x#a> <urn:x#b> )\n" * 300
    assert sparql_depth_ok("SELECT * WHERE { VALUES (?a ?b) {\n" + values + "} }")


def test_an_unterminated_string_ends_the_scan() -> None:
    """The engine stops at a string that does not close: nothing after it is parsed."""
    assert sparql_depth_ok('SELECT * WHERE { ?s ?p "no end\n' + "{" * 100)


# --- RDF syntaxes ---------------------------------------------------------------------------------

T = "@prefix : <urn:x:> .\n"
RDF_LEVELS: dict[str, tuple[str, Callable[[int], str], int]] = {
    "turtle [": ("turtle", lambda k: T + ":s :p " + "[ :p " * k + "1" + " ]" * k + " .", 0),
    "turtle (": ("turtle", lambda k: T + ":s :p " + "( " * k + "1" + " )" * k + " .", 0),
    "turtle <<": ("turtle", lambda k: T + "<< " * k + ":s :p :o" + " >> :p :o" * k + " .", 0),
    "turtle {| annotations": (
        "turtle",
        lambda k: T + ":s :p :o " + "{| :p :o " * k + "|}" * k + " .",
        0,
    ),
    "trig {": ("trig", lambda k: T + ":g { :s :p " + "[ :p " * k + "1" + " ]" * k + " }", 1),
    "ntriples <<(": (
        "ntriples",
        lambda k: (
            "<urn:s> <urn:p> "
            + "<<( <urn:s> <urn:p> " * (k // 2)
            + "<urn:o>"
            + " )>>" * (k // 2)
            + " ."
        ),
        0,
    ),
    "nquads <<(": (
        "nquads",
        lambda k: (
            "<urn:s> <urn:p> "
            + "<<( <urn:s> <urn:p> " * (k // 2)
            + "<urn:o>"
            + " )>>" * (k // 2)
            + " <urn:g> ."
        ),
        0,
    ),
    "jsonld {": ("jsonld", lambda k: '{"urn:p": ' * k + '"x"' + "}" * k, 0),
    "jsonld [": ("jsonld", lambda k: '{"urn:p": ' + "[" * k + '"x"' + "]" * k + "}", 1),
    "rdfxml elements": (
        "rdfxml",
        lambda k: (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:x="urn:x:"><rdf:Description>'
            + "<x:p><rdf:Description>" * (k // 2)
            + "</rdf:Description></x:p>" * (k // 2)
            + "</rdf:Description></rdf:RDF>"
        ),
        2,
    ),
}


@pytest.mark.parametrize(("syntax", "make", "around"), RDF_LEVELS.values(), ids=RDF_LEVELS.keys())
def test_rdf_levels_just_under_and_over_the_limit(
    syntax: str, make: Callable[[int], str], around: int
) -> None:
    assert rdf_depth_ok(make(LIMIT - around), syntax)
    assert not rdf_depth_ok(make(LIMIT - around + 3), syntax)


@pytest.mark.parametrize(
    ("syntax", "body", "line", "column"),
    [
        ("turtle", T + ":a :b :c .\n:s :p\n  " + "[ :p " * 50, 4, 3 + 5 * (LIMIT)),
        ("jsonld", '{\n  "urn:p":\n' + "[" * 50, 3, LIMIT),
        ("trig", T + "# é {{{{\n:g {\n" + "(" * 50, 4, LIMIT),
        ("turtle", T + ":s :p \"é\", '''x\ny''',\n  " + "(" * 50, 4, 3 + LIMIT),
    ],
)
def test_rdf_position_on_a_later_line(syntax: str, body: str, line: int, column: int) -> None:
    with pytest.raises(NestingTooDeep) as info:
        check_rdf(body.encode(), syntax, limit=LIMIT)
    assert info.value.details == {"limit": LIMIT, "line": line, "column": column}
    assert f"at line {line}, column {column}; the limit is {LIMIT}" in info.value.message


def test_rdfxml_reports_the_line() -> None:
    body = '<r xmlns="urn:x:">\n<a>\n' + "<a>" * 50
    with pytest.raises(NestingTooDeep) as info:
        check_rdf(body.encode(), "rdfxml", limit=LIMIT)
    assert info.value.details == {"limit": LIMIT, "line": 3}


@pytest.mark.parametrize(
    ("syntax", "hidden"),
    [
        ("turtle", ':s :p "[[[[\\"((((" , \'((((\' , """{{{{\n"{{{{""" , \'\'\'((((\'\'\' .'),
        ("turtle", ":s :p <urn:x:[[[[((((> . # [[[[((((\n"),
        ("turtle", ":s :p \"\"\"a\n[[[[ ((((\"\"\" , '''a\n[[[[ ((((''' ."),
        ("trig", ":g { :s :p '''{{{{ \\' ((((''' }"),
        ("ntriples", '<urn:s> <urn:p> "<<( <<( <<(" .'),
        ("jsonld", '{"urn:p": "[[[[{{{{\\"[[[[{{{{", "[[[[": 1}'),
        ("rdfxml", '<r xmlns="urn:x:"><!-- <a><a><a> --><![CDATA[<a><a><a>]]>&lt;a&gt;</r>'),
    ],
)
def test_rdf_brackets_in_strings_iris_and_comments_do_not_count(syntax: str, hidden: str) -> None:
    assert rdf_depth_ok(T + hidden if syntax in ("turtle", "trig") else hidden, syntax, limit=1)


def test_rdfxml_refuses_entity_declarations_without_expanding_them() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = f'<!DOCTYPE r [<!ENTITY l0 "lol">{laughs}]><r a="&l9;">&l9;</r>'
    with pytest.raises(RdfSyntaxError, match="ENTITY"):
        check_rdf(body.encode(), "rdfxml", limit=LIMIT)


def test_malformed_or_undecodable_input_is_left_to_the_parser() -> None:
    assert rdf_depth_ok(b"<r><a></b></r>", "rdfxml")
    assert rdf_depth_ok(b"\xff\xfe\x00[ \xc3 ( \x80 ] ]] ))", "turtle")
    assert rdf_depth_ok(b'{"\xff": [\xfe]}', "jsonld")
    assert not rdf_depth_ok(b"\xff\xfe" + b"[\xc3" * 50, "turtle")


def test_unknown_syntax_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="rdfxml"):
        check_rdf(b"", "xml", limit=LIMIT)


# --- No false positives on this repository --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *sorted((ROOT / "ontology").glob("*.ttl")),
        *sorted((ROOT / "shapes").glob("*.ttl")),
        *sorted((ROOT / "data").rglob("*.ttl")),
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_repository_turtle_passes_a_tight_limit(path: Path) -> None:
    check_rdf(path.read_bytes(), "turtle", limit=64)


@pytest.mark.parametrize("path", sorted((ROOT / "queries").glob("*.rq")), ids=lambda p: p.name)
def test_repository_queries_pass_a_tight_limit(path: Path) -> None:
    check_sparql(path.read_text(encoding="utf-8"), limit=64)


# --- The scan itself is linear --------------------------------------------------------------------

# SPARQL texts are scanned token by token (queries are capped at 100 KB): 300 KB each; RDF is
# scanned bracket to bracket inside the regex engine: 1 MB each. A quadratic scan takes minutes.
KB = 1_000
MB = 1_000_000
HOSTILE_SPARQL = {
    "no closing >": "SELECT * WHERE { " + "?s <a " * (300 * KB // 6),
    "escaped quotes on one line": 'SELECT * WHERE { ?s ?p "' + '\\"' * (300 * KB // 2),
    "escaped long quotes": "SELECT * WHERE { ?s ?p " + "\\'''\n" * (300 * KB // 5),
    "less-than after values": "SELECT * WHERE { 1FILTER(" + "?a<a" * (300 * KB // 4) + ") }",
    "less-than and IRIs": "SELECT * WHERE { 1FILTER(" + "?a<x>" * (300 * KB // 5) + ") }",
    "name run with dots": "SELECT * WHERE { ?s ?p " + "a." * (300 * KB // 2) + " }",
    "balanced brackets": "SELECT * WHERE { " + "((1)) " * (300 * KB // 6) + " }",
}
HOSTILE_RDF = {
    "no closing >": ("turtle", b"<a " * (MB // 3)),
    "escaped quotes": ("turtle", b'"' + b'\\"' * (MB // 2)),
    "escaped long quotes": ("turtle", b"\\'''\n" * (MB // 5)),
    "backslashes": ("turtle", b"\\" * MB),
    "unterminated JSON string": ("jsonld", b'["' + b"\\" * MB),
    "flat JSON arrays": ("jsonld", b"[[]," * (MB // 4) + b"[]]"),
}


@pytest.mark.parametrize("text", HOSTILE_SPARQL.values(), ids=HOSTILE_SPARQL.keys())
def test_scanning_hostile_sparql_is_fast(text: str) -> None:
    start = time.perf_counter()
    with contextlib.suppress(SparqlSyntaxError):
        check_sparql(text, limit=10**9)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize(("syntax", "body"), HOSTILE_RDF.values(), ids=HOSTILE_RDF.keys())
def test_scanning_a_hostile_megabyte_of_rdf_is_fast(syntax: str, body: bytes) -> None:
    start = time.perf_counter()
    check_rdf(body, syntax, limit=10**9)
    assert time.perf_counter() - start < 2.0


# --- Why it matters -------------------------------------------------------------------------------

ISSUE_PAYLOADS = {  # issue 8: each of these kills the process that parses it
    "sparql": (
        "import sys, pyoxigraph; pyoxigraph.Store().query(sys.stdin.read())",
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    ),
    "jsonld": (
        "import sys, pyoxigraph; "
        "list(pyoxigraph.parse(sys.stdin.buffer.read(), format=pyoxigraph.RdfFormat.JSON_LD))",
        '{"http://example.org/p": ' * 4000 + '"x"' + "}" * 4000,
    ),
}


def test_the_issue_payloads_crash_pyoxigraph_and_the_scan_refuses_them() -> None:
    running = {
        name: subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
        )
        for name, (code, _) in ISSUE_PAYLOADS.items()
    }
    for name, process in running.items():
        process.communicate(ISSUE_PAYLOADS[name][1].encode(), timeout=60)
    # a negative code is death by a signal: the parser overflowed its stack (SIGSEGV)
    assert {name: p.returncode < 0 for name, p in running.items()} == {
        "sparql": True,
        "jsonld": True,
    }
    with pytest.raises(NestingTooDeep):
        check_sparql(ISSUE_PAYLOADS["sparql"][1], limit=256)
    with pytest.raises(NestingTooDeep):
        check_rdf(ISSUE_PAYLOADS["jsonld"][1].encode(), "jsonld", limit=256)
