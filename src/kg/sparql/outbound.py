"""What in a SPARQL operation reaches outside the store, read from its parsed algebra.

Two steps, the cheap one first:

1. :func:`may_reach_out` is a sound pre-check on the raw text: when it says False, the engine
   cannot see any of the keywords ``SERVICE``, ``LOAD``, ``FROM`` or ``USING`` in the text, so
   the operation has none of those clauses and needs no parse. It looks for the keywords
   (ASCII, any case) anywhere in the text and ignores an occurrence only where no SPARQL parser
   can read it as a keyword:

   - inside a comment that fills a whole line (a line whose first non-blank character is ``#``:
     at the start of a line a ``#`` cannot belong to an IRI, a prefixed name or a short string;
     in a long string it is text, not code). The comment is taken to end at the first ``\\r``
     *or* ``\\n``, the shorter of the readings;
   - inside a run of ``[A-Za-z0-9_]`` that directly follows ``?``, ``$`` or ``:`` (a variable
     name, or the local part of a prefixed name or blank-node label): the engine reads those
     tokens greedily, so no keyword starts inside them (``?from_year``,
     ``prov:wasDerivedFrom``).

   Every other occurrence counts, even one glued to other text: Oxigraph reads ``1SERVICE``,
   ``trueSERVICE``, ``SERVICEex:a`` and ``LOADSILENT<…>`` as keywords, and a ``<`` may be a
   less-than sign rather than the start of an IRI, so neither IRIs nor strings are skipped.
   tests/security/test_outbound.py runs these cases against Oxigraph itself.

2. :func:`read_query` / :func:`read_update` parse the text with rdflib (pyparsing: slow, so it
   runs in a worker, bounded by the job's deadline) and walk the algebra for ``SERVICE``
   patterns (at any depth: in ``OPTIONAL``, ``UNION``, ``EXISTS``, sub-queries, other
   ``SERVICE`` patterns), ``LOAD``, ``FROM`` / ``FROM NAMED`` and ``USING`` / ``USING NAMED``.
   Where rdflib and the engine could read the same text differently, the text is refused
   instead (see :func:`_rdflib_view`). When rdflib cannot read a text that mentions a keyword,
   it is refused: nothing that could not be checked is run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kg.errors import Forbidden

_LINE_COMMENT = re.compile(r"^[ \t]*#[^\r\n]*", re.MULTILINE)
_RUN = re.compile(r"([?$:]?)([A-Za-z0-9_]+)")
_KEYWORD = re.compile(r"service|load|from|using", re.IGNORECASE | re.ASCII)
_CODEPOINT_ESCAPE = re.compile(r"\\[uU]")


def may_reach_out(text: str) -> bool:
    """False only when ``text`` provably holds no ``SERVICE``, ``LOAD``, ``FROM`` or ``USING``.

    Linear in the length of ``text`` (see the module docstring for why it is sound).
    """
    if not _KEYWORD.search(text):
        return False
    code = _LINE_COMMENT.sub("", text)
    return any(not m.group(1) and _KEYWORD.search(m.group(2)) for m in _RUN.finditer(code))


@dataclass(frozen=True)
class ServiceUse:
    """One ``SERVICE`` pattern as the algebra has it."""

    #: The endpoint IRI, absolute; None when a variable names the endpoint.
    endpoint: str | None
    variable: str | None
    silent: bool
    #: Inside the pattern of another SERVICE (the other endpoint would evaluate it).
    nested: bool


@dataclass(frozen=True)
class Outbound:
    """The clauses of one operation that name something outside the store's own evaluation."""

    services: tuple[ServiceUse, ...] = ()
    loads: tuple[str, ...] = ()
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()

    @property
    def outer_services(self) -> tuple[ServiceUse, ...]:
        return tuple(s for s in self.services if not s.nested)


def _unreadable(why: str) -> Forbidden:
    return Forbidden(
        "this operation mentions SERVICE, FROM, LOAD or USING, so the server checks it with a "
        f"second SPARQL parser before running it, and that parser could not read it ({why}). "
        "Nothing was run. If it is valid SPARQL 1.1, separate keywords from other tokens with "
        "spaces and write characters as themselves rather than as \\u escapes",
        policy="unreadable",
    )


def _rdflib_view(text: str) -> str:
    """The text rdflib is given: the same offsets, and no construct the two parsers split
    differently.

    - rdflib expands ``\\uXXXX`` escapes everywhere before parsing; Oxigraph only inside IRIs
      and strings, so ``'\\u0027'`` is one string to Oxigraph and the start of a long string to
      rdflib: texts with such escapes are refused.
    - rdflib's comments run to ``\\n`` only, Oxigraph's also end at ``\\r`` (``# x\\rSERVICE``
      is a SERVICE to Oxigraph): ``\\r`` becomes ``\\n`` (same length; inside a long string it
      only changes the string's text, which does not matter to the check).
    """
    if _CODEPOINT_ESCAPE.search(text):
        raise _unreadable("\\u and \\U escapes are not accepted in such operations")
    return text.replace("\r", "\n")


def _walk(tree: Any) -> Iterator[tuple[Any, bool]]:
    """Every node of an rdflib parse or algebra tree, with whether it sits inside a SERVICE."""
    from pyparsing import ParseResults

    stack: list[tuple[Any, bool]] = [(tree, False)]
    seen: set[int] = set()
    while stack:
        node, nested = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, nested
        inside = nested or getattr(node, "name", None) == "ServiceGraphPattern"
        if isinstance(node, dict):
            stack.extend((v, inside) for v in node.values())
        elif isinstance(node, list | tuple | set | frozenset | ParseResults):
            stack.extend((v, inside) for v in node)


def _services(tree: Any, absolutize: Any) -> tuple[ServiceUse, ...]:
    from rdflib.term import URIRef, Variable

    found: list[ServiceUse] = []
    for node, nested in _walk(tree):
        if getattr(node, "name", None) != "ServiceGraphPattern":
            continue
        term = dict.get(node, "term")
        if getattr(term, "name", None) == "pname" or isinstance(term, URIRef):
            term = absolutize(term)
        silent = bool(dict.get(node, "silent"))
        if isinstance(term, Variable):
            found.append(ServiceUse(None, str(term), silent, nested))
        elif isinstance(term, URIRef):
            found.append(ServiceUse(str(term), None, silent, nested))
        else:
            raise _unreadable(f"a SERVICE endpoint it does not understand: {term!r}")
    return tuple(found)


def _parse(parse: Any, text: str) -> Any:
    from pyparsing import ParseBaseException

    try:
        return parse(_rdflib_view(text))
    except ParseBaseException as exc:
        raise _unreadable(f"{exc.msg} at line {exc.lineno}, column {exc.col}") from None
    except RecursionError:
        raise _unreadable("it nests too deeply for that parser") from None
    except Forbidden:
        raise
    except Exception as exc:  # rdflib raises bare Exceptions for some unsupported constructs
        raise _unreadable(f"{type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class QueryReading:
    """A query as rdflib read it: its outbound clauses, and how its prologue resolves IRIs."""

    outbound: Outbound
    absolutize: Callable[[Any], Any]


def read_query(text: str, *, base_iri: str | None = None) -> QueryReading:
    """The outbound clauses of a query (rdflib's parser and algebra; slow: run in a worker)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    def parse(view: str) -> Any:
        return translateQuery(parseQuery(view), base=base_iri)

    query = _parse(parse, text)
    default: list[str] = []
    named: list[str] = []
    for clause in dict.get(query.algebra, "datasetClause") or ():
        if dict.get(clause, "default") is not None:
            default.append(str(clause["default"]))
        if dict.get(clause, "named") is not None:
            named.append(str(clause["named"]))
    outbound = Outbound(
        services=_services(query.algebra, query.prologue.absolutize),
        from_graphs=tuple(default),
        from_named=tuple(named),
    )
    return QueryReading(outbound, query.prologue.absolutize)


def read_update(text: str, *, base_iri: str | None = None) -> Outbound:
    """The outbound clauses of an update (rdflib's parser and algebra; slow: run in a worker)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    def parse(view: str) -> Any:
        return translateUpdate(parseUpdate(view), base=base_iri)

    update = _parse(parse, text)
    loads: list[str] = []
    using: list[str] = []
    using_named: list[str] = []
    services: list[ServiceUse] = []
    for op in update.algebra:
        if op.name == "Load":
            loads.append(str(dict.get(op, "iri")))
        for clause in dict.get(op, "using") or ():
            if dict.get(clause, "default") is not None:
                using.append(str(clause["default"]))
            if dict.get(clause, "named") is not None:
                using_named.append(str(clause["named"]))
        services.extend(_services(op, update.prologue.absolutize))
    return Outbound(
        services=tuple(services),
        loads=tuple(loads),
        using=tuple(using),
        using_named=tuple(using_named),
    )


@dataclass(frozen=True)
class ServiceClause:
    """Where one outermost SERVICE pattern is in the text, as rdflib's grammar delimits it."""

    start: int
    end: int
    #: Offsets of its group pattern ``{ … }`` within the text.
    pattern_start: int
    endpoint: str | None
    silent: bool


def locate_services(text: str, reading: QueryReading) -> tuple[ServiceClause, ...]:
    """The outermost SERVICE clauses of ``text``, with their offsets.

    rdflib's own grammar rule for a SERVICE pattern is matched at every place where the
    tokenizer of :mod:`kg.sparql.operation` sees the keyword ``SERVICE`` outside strings,
    IRIs and comments; the caller cross-checks the result against :func:`read_query`.
    """
    from rdflib.plugins.sparql import parser as grammar

    from kg.sparql.operation import token_spans

    view = _rdflib_view(text)
    keyword_at = {
        start
        for kind, value, start, _ in token_spans(view)
        if kind == "word" and value.upper() == "SERVICE"
    }
    found: list[ServiceClause] = []
    try:
        matches = list(grammar.ServiceGraphPattern.scan_string(view))
    except RecursionError:
        raise _unreadable("it nests too deeply for that parser") from None
    for tokens, start, end in matches:
        if start not in keyword_at:
            continue
        node = tokens[0]
        term = dict.get(node, "term")
        if getattr(term, "name", None) == "pname" or type(term).__name__ == "URIRef":
            term = reading.absolutize(term)
        endpoint = str(term) if type(term).__name__ == "URIRef" else None
        silent = bool(dict.get(node, "silent"))
        found.append(ServiceClause(start, end, _group_start(view, start, end), endpoint, silent))
    return tuple(found)


def _group_start(view: str, start: int, end: int) -> int:
    """Offset of the ``{`` that opens the group pattern of the SERVICE clause at ``start``."""
    from kg.sparql.operation import token_spans

    for kind, value, offset, _ in token_spans(view[start:end]):
        if kind == "other" and value == "{":
            return start + offset
    raise _unreadable("the SERVICE pattern has no group pattern")
