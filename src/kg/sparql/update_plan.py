"""A SPARQL Update as a list of operations whose effect can be computed, not run blindly.

The server never lets an engine execute a client's update directly: it computes the quads the
update would remove and add (so that the write can be validated against the shapes and kept as
a change set), with a deadline. This module is the engine-neutral half of that:

- :func:`plan_update` splits an update (already syntax-checked by the engine) into its
  operations, each with its prologue, graph references, templates and WHERE group, working on
  tokens so that braces or keywords inside strings, IRIs and comments never count;
- :func:`parse_template` reads a quad template (``DELETE { … }``, ``INSERT { … }``, ``INSERT
  DATA { … }``) into quads whose variables are placeholder IRIs, using a real TriG parser;
- :func:`instantiate` fills a template with one solution of the WHERE pattern, following SPARQL
  1.1 Update: a quad with an unbound variable, or one that would not be valid RDF, is skipped;
  blank nodes of an INSERT template are fresh for every solution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from uuid import uuid4

from kg.errors import BadRequest, RdfSyntaxError
from kg.formats import by_name
from kg.rdfio import parse
from kg.sparql.operation import token_spans
from kg.terms import DEFAULT_GRAPH, BNode, Literal, Quad, Term, URIRef

VAR_PREFIX = "urn:x-kg-var:"
_TRIG = by_name("trig")
_GRAPH_MANAGEMENT = {"CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "LOAD"}

Token = tuple[str, str, int, int]


@dataclass(frozen=True)
class GraphRef:
    """A graph an operation names: ``kind`` is graph, default, named or all."""

    kind: str
    iri: str | None = None


@dataclass(frozen=True)
class UpdateOperation:
    """One operation of an update, as text pieces ready to evaluate or parse."""

    kind: str
    prologue: str
    silent: bool = False
    with_graph: str | None = None
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()
    delete_template: str | None = None
    insert_template: str | None = None
    where: str | None = None
    source: GraphRef | None = None
    target: GraphRef | None = None

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.using or self.using_named)


@dataclass(frozen=True)
class Template:
    """Template quads; variables appear as ``urn:x-kg-var:NAME`` IRIs."""

    quads: tuple[Quad, ...] = field(default_factory=tuple)

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(
            str(t)[len(VAR_PREFIX) :]
            for q in self.quads
            for t in q
            if isinstance(t, URIRef) and str(t).startswith(VAR_PREFIX)
        )


class _Cursor:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else None

    def word(self, ahead: int = 0) -> str:
        tok = self.peek(ahead)
        return tok[1].upper() if tok is not None and tok[0] == "word" else ""

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise BadRequest("the update ends in the middle of an operation")
        self.i += 1
        return tok

    def expect_word(self, *words: str) -> str:
        found = self.word()
        if found not in words:
            raise BadRequest(f"expected {' or '.join(words)} in the update")
        self.i += 1
        return found

    def iri_text(self) -> str:
        kind, value, _, _ = self.take()
        if kind not in ("iri", "pname"):
            raise BadRequest(f"expected an IRI in the update, found {value!r}")
        return value

    def group(self) -> str:
        """The text of the ``{ … }`` group at the cursor, braces included."""
        kind, value, start, _ = self.take()
        if kind != "other" or value != "{":
            raise BadRequest("expected '{' in the update")
        depth = 1
        while True:
            kind, value, _, end = self.take()
            if kind == "other" and value in "{}":
                depth += 1 if value == "{" else -1
                if depth == 0:
                    return self.text[start:end]


def _graph_or_default(cur: _Cursor) -> GraphRef:
    if cur.word() == "DEFAULT":
        cur.i += 1
        return GraphRef("default")
    if cur.word() == "GRAPH":
        cur.i += 1
    return GraphRef("graph", cur.iri_text())


def _graph_ref_all(cur: _Cursor) -> GraphRef:
    word = cur.word()
    if word in ("DEFAULT", "NAMED", "ALL"):
        cur.i += 1
        return GraphRef(word.lower())
    cur.expect_word("GRAPH")
    return GraphRef("graph", cur.iri_text())


def _silent(cur: _Cursor) -> bool:
    if cur.word() == "SILENT":
        cur.i += 1
        return True
    return False


def _operation(cur: _Cursor, prologue: str) -> UpdateOperation:
    word = cur.word()
    if word in _GRAPH_MANAGEMENT:
        cur.i += 1
        silent = _silent(cur)
        if word in ("CLEAR", "DROP"):
            return UpdateOperation(word.lower(), prologue, silent, target=_graph_ref_all(cur))
        if word == "CREATE":
            cur.expect_word("GRAPH")
            return UpdateOperation(
                "create", prologue, silent, target=GraphRef("graph", cur.iri_text())
            )
        if word == "LOAD":
            raise BadRequest("LOAD is not allowed: this server never fetches documents")
        source = _graph_or_default(cur)
        cur.expect_word("TO")
        return UpdateOperation(
            word.lower(), prologue, silent, source=source, target=_graph_or_default(cur)
        )
    if word in ("INSERT", "DELETE") and cur.word(1) == "DATA":
        cur.i += 2
        block = cur.group()
        if word == "INSERT":
            return UpdateOperation("insert_data", prologue, insert_template=block)
        return UpdateOperation("delete_data", prologue, delete_template=block)
    if word == "DELETE" and cur.word(1) == "WHERE":
        cur.i += 2
        block = cur.group()
        return UpdateOperation("delete_where", prologue, delete_template=block, where=block)
    with_graph = None
    if word == "WITH":
        cur.i += 1
        with_graph = cur.iri_text()
    delete = insert = None
    if cur.word() == "DELETE":
        cur.i += 1
        delete = cur.group()
    if cur.word() == "INSERT":
        cur.i += 1
        insert = cur.group()
    if delete is None and insert is None:
        raise BadRequest("expected an update operation (INSERT, DELETE, CLEAR, …)")
    using: list[str] = []
    using_named: list[str] = []
    while cur.word() == "USING":
        cur.i += 1
        if cur.word() == "NAMED":
            cur.i += 1
            using_named.append(cur.iri_text())
        else:
            using.append(cur.iri_text())
    cur.expect_word("WHERE")
    return UpdateOperation(
        "modify",
        prologue,
        with_graph=with_graph,
        using=tuple(using),
        using_named=tuple(using_named),
        delete_template=delete,
        insert_template=insert,
        where=cur.group(),
    )


def plan_update(text: str) -> list[UpdateOperation]:
    """The operations of ``text``, in order, each with the prologue in force for it."""
    cur = _Cursor(text, token_spans(text))
    prologue_parts: list[str] = []
    operations: list[UpdateOperation] = []
    while cur.peek() is not None:
        word = cur.word()
        if word in ("PREFIX", "BASE"):
            _, _, start, _ = cur.take()
            if word == "PREFIX":
                cur.take()
            _, _, _, end = cur.take()
            prologue_parts.append(text[start:end])
            continue
        tok = cur.peek()
        if tok is not None and tok[0] == "other" and tok[1] == ";":
            cur.i += 1
            continue
        operations.append(_operation(cur, "\n".join(prologue_parts)))
    return operations


# --------------------------------------------------------------------------- templates


def _placeholder_text(text: str) -> str:
    """``text`` with every variable replaced by its placeholder IRI."""
    out: list[str] = []
    last = 0
    for kind, value, start, end in token_spans(text):
        if kind == "var":
            out.append(text[last:start])
            out.append(f"<{VAR_PREFIX}{value[1:]}>")
            last = end
    out.append(text[last:])
    return "".join(out)


def _as_trig(block: str) -> str:
    """A SPARQL quad template ``{ … }`` as TriG: bare triples go in ``{ }`` default blocks."""
    inner = block.strip()[1:-1]
    spans = token_spans(inner)
    pieces: list[str] = []
    segment_start = 0
    i = 0
    while i < len(spans):
        kind, value, start, _ = spans[i]
        if kind == "word" and value.upper() == "GRAPH":
            pieces.append("{ " + inner[segment_start:start] + " }")
            depth = 0
            j = i + 1
            while j < len(spans):
                k, v, _, end = spans[j]
                if k == "other" and v in "{}":
                    depth += 1 if v == "{" else -1
                    if depth == 0:
                        break
                j += 1
            else:
                raise BadRequest("unbalanced braces in an update template")
            pieces.append(inner[start:end])
            i = j + 1
            if i < len(spans) and spans[i][0] == "other" and spans[i][1] == ".":
                i += 1
            segment_start = spans[i - 1][3] if i > 0 else 0
            continue
        i += 1
    pieces.append("{ " + inner[segment_start:] + " }")
    return "\n".join(p for p in pieces if p.strip("{} \n\t\r"))


def parse_template(block: str, prologue: str, *, base_iri: str | None) -> Template:
    """The quads of a template block (variables as placeholders), read by a TriG parser."""
    document = prologue + "\n" + _as_trig(_placeholder_text(block))
    try:
        quads = parse(document.encode(), _TRIG, base_iri=base_iri)
    except RdfSyntaxError as exc:
        raise BadRequest(f"cannot read an update template: {exc.message}") from None
    return Template(tuple(quads))


def instantiate(
    template: Template,
    solution: Mapping[str, Term],
    *,
    default_graph: URIRef = DEFAULT_GRAPH,
    fresh_blank_nodes: bool = True,
) -> list[Quad]:
    """The quads of ``template`` under ``solution`` (SPARQL 1.1 Update, section 3.1.3)."""
    scope: dict[str, BNode] = {}

    def fill(term: Term) -> Term | None:
        if isinstance(term, URIRef) and str(term).startswith(VAR_PREFIX):
            return solution.get(str(term)[len(VAR_PREFIX) :])
        if isinstance(term, BNode) and fresh_blank_nodes:
            return scope.setdefault(str(term), BNode(f"u{uuid4().hex}"))
        return term

    out: list[Quad] = []
    for q in template.quads:
        s, p, o = fill(q.s), fill(q.p), fill(q.o)
        g = default_graph if q.g == DEFAULT_GRAPH else fill(q.g)
        if s is None or p is None or o is None or g is None:
            continue
        if isinstance(s, Literal) or not isinstance(p, URIRef) or not isinstance(g, URIRef):
            continue
        out.append(Quad(s, p, o, g))
    return out


def where_query(operation: UpdateOperation) -> str:
    """The SELECT that finds the solutions of an operation's WHERE group."""
    assert operation.where is not None
    return f"{operation.prologue}\nSELECT * WHERE {operation.where}"


__all__: Sequence[str] = [
    "GraphRef",
    "Template",
    "UpdateOperation",
    "instantiate",
    "parse_template",
    "plan_update",
    "where_query",
]
