"""Classify a SPARQL operation and check it against the server's policy, without evaluating it.

The check works on tokens: comments, string literals, IRIs, variables and prefixed names are
recognised first, so that a keyword only counts where the grammar can have a keyword
(``?from``, ``ex:service`` or ``"LOAD"`` are not keywords). The engine still parses the text
itself; this module only decides what kind of operation it is and whether it may run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kg.errors import Forbidden, SparqlSyntaxError


class Form(StrEnum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    UPDATE = "UPDATE"

    @property
    def returns_graph(self) -> bool:
        return self in (Form.CONSTRUCT, Form.DESCRIBE)


_TOKEN = re.compile(
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

_QUERY_FORMS = {
    "SELECT": Form.SELECT,
    "ASK": Form.ASK,
    "CONSTRUCT": Form.CONSTRUCT,
    "DESCRIBE": Form.DESCRIBE,
}
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}


@dataclass(frozen=True)
class Operation:
    """A SPARQL operation as the server sees it before evaluation."""

    text: str
    form: Form
    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]
    uses_service: bool
    uses_load: bool


def token_spans(text: str) -> list[tuple[str, str, int, int]]:
    """Tokens other than comments, as (kind, text, start, end)."""
    out: list[tuple[str, str, int, int]] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "comment":
            out.append((kind, m.group(), m.start(), m.end()))
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(kind, value) for kind, value, _, _ in token_spans(text)]


def where_clause(text: str) -> tuple[str, str] | None:
    """The prologue and the outermost group pattern of a query, or None if not found."""
    span = where_span(text)
    if span is None:
        return None
    prologue_end, start, end = span
    return text[:prologue_end], text[start:end]


def where_span(text: str) -> tuple[int, int, int] | None:
    """Offsets of (end of prologue, start, end) of the outermost group pattern of a query."""
    spans = token_spans(text)
    start_index = next(
        (i for i, (k, v, _, _) in enumerate(spans) if k == "word" and v.upper() in _QUERY_FORMS),
        None,
    )
    if start_index is None:
        return None
    prologue_end = spans[start_index][2]
    body = spans[start_index:]
    depth = 0
    begin = 0
    for i, (kind, value, _, _) in enumerate(body):
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        elif kind == "word" and value.upper() == "WHERE" and depth == 0:
            begin = i
            break
    depth = 0
    open_at = None
    for kind, value, start, end in body[begin:]:
        if kind != "other":
            continue
        if value == "{":
            if depth == 0 and open_at is None:
                open_at = start
            depth += 1
        elif value == "}":
            depth -= 1
            if depth == 0 and open_at is not None:
                return prologue_end, open_at, end
    return None


def classify(text: str) -> Operation:
    """Find the form of ``text`` and the clauses that reach outside the store."""
    tokens = _tokens(text)
    form: Form | None = None
    froms: list[str] = []
    from_named: list[str] = []
    service = load = False
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        word = value.upper() if kind == "word" else ""
        if form is None and word in _QUERY_FORMS:
            form = _QUERY_FORMS[word]
        elif form is None and word in _UPDATE_WORDS:
            form = Form.UPDATE
        if word == "SERVICE":
            service = True
        elif word == "LOAD":
            load = True
        elif word == "FROM" and form is not None and form is not Form.UPDATE:
            named = i + 1 < len(tokens) and tokens[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            target = tokens[j][1] if j < len(tokens) else ""
            (from_named if named else froms).append(target.strip("<>"))
            i = j
        i += 1
    if form is None:
        raise SparqlSyntaxError(
            "not a SPARQL query or update: expected SELECT, ASK, CONSTRUCT, DESCRIBE or an "
            "update operation after the prologue",
            line=1,
            column=1,
        )
    return Operation(text, form, tuple(froms), tuple(from_named), service, load)


def check_policy(op: Operation, *, known_graphs: frozenset[str]) -> None:
    """Refuse what reaches outside the store: ``LOAD``, ``SERVICE``, and ``FROM`` on unknown graphs.

    ``FROM``/``FROM NAMED`` only ever select graphs already in the store (they are never
    dereferenced); naming any other IRI is refused so that nobody mistakes them for a fetch.
    """
    if op.uses_load:
        raise Forbidden("LOAD is not allowed: this server never fetches documents or files")
    if op.uses_service:
        raise Forbidden(
            "SERVICE (federated query) is not allowed on this server: it never contacts other hosts"
        )
    for iri in (*op.from_graphs, *op.from_named_graphs):
        if iri not in known_graphs:
            raise Forbidden(
                f"FROM <{iri}> names a graph that is not in this store; FROM and FROM NAMED only "
                "select stored graphs (see /sparql without a query for the list) and never "
                "dereference IRIs",
                graph=iri,
            )


_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:?\s*(.*)", re.DOTALL)


def syntax_error_from_engine(message: str) -> SparqlSyntaxError:
    """Turn the engine's parse error (``error at L:C: …``) into a positioned error."""
    m = _POSITION.search(message)
    if not m:
        return SparqlSyntaxError(f"SPARQL syntax error: {message}")
    line, column, rest = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    return SparqlSyntaxError(
        f"SPARQL syntax error at line {line}, column {column}: {rest}", line=line, column=column
    )


def data_operations(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """Split an update made only of ``INSERT DATA`` / ``DELETE DATA`` operations.

    Returns the prologue (PREFIX/BASE declarations) and ``[("INSERT" | "DELETE", "{ … }"), …]``
    in order, or None when the update has a WHERE clause or any other operation (the caller
    then evaluates it in full).
    """
    spans = token_spans(text)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(spans) and spans[i][0] == "word" and spans[i][1].upper() in ("PREFIX", "BASE"):
        i += 3 if spans[i][1].upper() == "PREFIX" else 2
    prologue = text[: spans[i][2]] if i < len(spans) else text
    while i < len(spans):
        kind, value, _, _ = spans[i]
        if kind == "other" and value == ";":
            i += 1
            continue
        if not (kind == "word" and value.upper() in ("INSERT", "DELETE")):
            return None
        if i + 2 >= len(spans) or spans[i + 1][1].upper() != "DATA" or spans[i + 2][1] != "{":
            return None
        depth = 0
        start = spans[i + 2][2]
        j = i + 2
        while j < len(spans):
            k, v, _, end = spans[j]
            if k == "other" and v == "{":
                depth += 1
            elif k == "other" and v == "}":
                depth -= 1
                if depth == 0:
                    out.append((value.upper(), text[start:end]))
                    break
            j += 1
        else:
            return None
        i = j + 1
    return (prologue, out) if out else None
