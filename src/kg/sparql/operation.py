"""Classify a SPARQL operation (query form or update) without evaluating it, and tokenize it.

The work is on tokens: comments, string literals, IRIs, variables and prefixed names are
recognised first, so that a keyword only counts where the grammar can have a keyword
(``?from``, ``ex:with`` or ``"SELECT"`` are not keywords). The engine still parses the text
itself. Whether an operation may run (SERVICE, LOAD, FROM) is not decided here but on its
parsed algebra, by :mod:`kg.sparql.policy`: this tokenizer is close to the grammar, not equal
to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kg.errors import SparqlSyntaxError


class Form(StrEnum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    UPDATE = "UPDATE"

    @property
    def returns_graph(self) -> bool:
        return self in (Form.CONSTRUCT, Form.DESCRIBE)


# The tokenizer. Every character is looked at a bounded number of times, whatever the input:
# - a name run (letters, digits, ``_ . - ·`` and non-ASCII) is matched once; whether it is a
#   prefixed name depends only on the character after it (``:``), so it is decided once, and a
#   run without that colon is split into words and single characters without rescanning;
# - a string that does not close stops where its content ends (a line end for short strings,
#   an invalid escape or the end of the text for long ones); every later quote of the same kind
#   before that point is escaped from the first one's point of view, so it cannot close either,
#   and is not tried again (``blocked`` below);
# - an IRI that does not close fails at the first character an IRI cannot hold, at the latest
#   the next ``<``, so the failed attempts cover disjoint stretches.
# The tokens are exactly those of the single regular expression this replaced (whose ``pname``
# alternative rescanned a whole ``a.a.a…`` run from every token start): tests/unit compares both.
_NAME_RUN = r"[\w.\-\u00b7\u00c0-\uffff]"
_LEX = re.compile(
    rf"""
      (?P<comment>\#[^\n\r]*+)
    | (?P<quote>['"])
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*+>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]++)
    | (?P<pname>:[\w.\-:%\\\u00b7\u00c0-\uffff]*+)
    | (?P<run>{_NAME_RUN}++)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)
_LOCAL = re.compile(r":[\w.\-:%\\\u00b7\u00c0-\uffff]*+")
# Inside a run followed by ``:``, the first letter starts the prefixed name that runs to the end
# of the local part; inside any other run there are only words and single characters.
_RUN_BEFORE_COLON = re.compile(
    r"(?P<pname>[A-Za-z\u00c0-\uffff])|(?P<word>[A-Za-z_]\w*)|(?P<other>\S)"
)
_RUN_ALONE = re.compile(r"(?P<word>[A-Za-z_]\w*)|(?P<other>\S)")
_LONG_STRING = {
    q: re.compile(rf"{q * 3}(?:[^{q}\\]|\\.|{q}(?!{q * 2}))*+(?P<close>{q * 3})?") for q in "'\""
}
_SHORT_STRING = {q: re.compile(rf"{q}(?:[^{q}\\\n\r]|\\.)*+(?P<close>{q})?") for q in "'\""}

Span = tuple[str, str, int, int]

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
    uses_with: bool = False


def token_spans(text: str) -> list[Span]:
    """Tokens other than comments, as (kind, text, start, end); linear in the length of ``text``.

    Kinds: ``string``, ``iri``, ``var``, ``pname``, ``word`` and ``other`` (one character).
    """
    out: list[Span] = []
    blocked: dict[str, int] = {}  # quote opener -> offset before which it cannot close
    pos = 0
    while (m := _LEX.search(text, pos)) is not None:
        kind = m.lastgroup or "other"
        if kind == "quote":
            pos = _quoted(text, m.start(), blocked, out)
        elif kind == "run":
            pos = _run(text, m.start(), m.end(), out)
        else:
            if kind != "comment":
                out.append((kind, m.group(), m.start(), m.end()))
            pos = m.end()
    return out


def _quoted(text: str, start: int, blocked: dict[str, int], out: list[Span]) -> int:
    """The string at ``start`` (long form first), or the lone quote; returns the next offset."""
    quote = text[start]
    for opener, pattern in ((quote * 3, _LONG_STRING[quote]), (quote, _SHORT_STRING[quote])):
        if not text.startswith(opener, start) or start < blocked.get(opener, 0):
            continue
        m = pattern.match(text, start)
        if m is not None and m.group("close") is not None:
            out.append(("string", m.group(), start, m.end()))
            return m.end()
        if m is not None:
            blocked[opener] = m.end()
    out.append(("other", quote, start, start + 1))
    return start + 1


def _run(text: str, start: int, end: int, out: list[Span]) -> int:
    """Tokens of the name run ``text[start:end]``; returns the next offset."""
    local = _LOCAL.match(text, end)
    if local is None:
        out.extend(
            (m.lastgroup or "other", m.group(), m.start(), m.end())
            for m in _RUN_ALONE.finditer(text, start, end)
        )
        return end
    for m in _RUN_BEFORE_COLON.finditer(text, start, end):
        if m.lastgroup == "pname":
            out.append(("pname", text[m.start() : local.end()], m.start(), local.end()))
            return local.end()
        out.append((m.lastgroup or "other", m.group(), m.start(), m.end()))
    return end


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
    """Find the form of ``text`` (and whether an update uses ``WITH``)."""
    form: Form | None = None
    with_ = False
    for kind, value in _tokens(text):
        word = value.upper() if kind == "word" else ""
        if form is None and word in _QUERY_FORMS:
            form = _QUERY_FORMS[word]
        elif form is None and word in _UPDATE_WORDS:
            form = Form.UPDATE
        if word == "WITH":
            with_ = True
    if form is None:
        raise SparqlSyntaxError(
            "not a SPARQL query or update: expected SELECT, ASK, CONSTRUCT, DESCRIBE or an "
            "update operation after the prologue",
            line=1,
            column=1,
        )
    return Operation(text, form, with_)


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
