"""Bound how deeply a query or an RDF document nests, before any parser reads it.

Why: pyoxigraph's parsers descend recursively, and so do its evaluator and the destructors of
the trees they build. A text nested a few thousand levels deep overflows the native stack and
kills the whole process with a segfault, which no ``except`` catches: 2,200 ``{`` (a 5 KB
query), 840 ``FILTER EXISTS {``, 2,600 ``MINUS {}`` side by side, a JSON-LD object 4,000 deep.
Real queries and data nest a few dozen levels, so a limit far below the crash point (setting
``KG_MAX_NESTING``) costs nothing and turns the crash into a 400, :class:`NestingTooDeep`. At a
limit of 256 the deepest text of each kind that passes runs within a 2 MB stack; the server's
threads have 8 MB.

What: one linear pass over the text, driven by regular expressions, that builds no tree and
does not recurse. What counts as a level:

- SPARQL (:func:`check_sparql`), the height of the syntax tree the engine builds: an open
  bracket ``{ ( [ <<``; each ``!`` or ``^`` of a run of prefix operators; and, as the engine
  chains them into left- or right-deep trees, each binary operator inside one pair of
  parentheses (``&& || + - * /``), each step of a property path (``/ |``) and each element of a
  group pattern after the first (sub-groups, ``UNION``, ``OPTIONAL``, ``MINUS``, ``FILTER``,
  ``BIND``…) or of the projections and conditions of a query. A group or a function call inside
  an expression (``EXISTS {``, ``CONCAT(``) counts three: it costs the engine three times the
  stack of a plain bracket. The data of ``INSERT DATA``/``DELETE DATA`` and the
  templates of ``INSERT``/``DELETE``/``CONSTRUCT`` are flat lists: only their brackets count.
- Turtle, TriG, N-Triples, N-Quads (:func:`check_rdf`): open ``[ ( {`` and ``<<`` (annotations
  ``{| … |}`` count through their braces). JSON-LD: open ``{ [``.
- RDF/XML: element depth, from expat's events (no tree, no entity expanded, nothing fetched; a
  document that declares an entity is refused, as ``curation.rdf_input`` refuses it).

Brackets in comments, string literals (all four quote forms) and IRIs do not count. Where the
engine stops reading (a string that does not close, a closer that matches nothing), so does
the scan. Where the scan could read a text differently from the engine, it takes the reading
that counts more: the engine finds keywords without looking for word boundaries (``1FILTER(``,
``?o.FILTER(`` and ``GROUPBY(`` all parse), so the scan looks for them anywhere in a name. One
case cannot be settled without parsing: in SPARQL, ``<`` after a value inside parentheses is
the less-than operator in an expression but starts an IRI in a collection. Where the scan
cannot tell which parentheses it is in (a keyword glued to another token), and the two readings
would split the rest differently (the would-be IRI holds ``#`` or ``'``, which start a comment
or a string for the operator, or unbalanced brackets), the query is refused with a
:class:`SparqlSyntaxError` that says how to write it. Bytes that are not UTF-8 are scanned as
they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

from kg.errors import NestingTooDeep, RdfSyntaxError, SparqlSyntaxError

SETTING = "KG_MAX_NESTING"
RDF_SYNTAXES = ("turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml")


def check_sparql(text: str, *, limit: int) -> None:
    """Raise :class:`NestingTooDeep` if the query or update nests deeper than ``limit``.

    Raises :class:`SparqlSyntaxError` for the one ambiguity the scan cannot settle (a ``<``
    that may be less-than or start an IRI, and reads differently each way).
    """
    _SparqlScan(text, limit).scan(0, len(text))


def check_rdf(body: bytes, syntax: str, *, limit: int) -> None:
    """Raise :class:`NestingTooDeep` if the document nests deeper than ``limit``.

    ``syntax`` is one of :data:`RDF_SYNTAXES`.
    """
    if syntax == "rdfxml":
        _check_rdfxml(body, limit)
    elif syntax == "jsonld":
        _check_brackets(body, _JSON, limit)
    elif syntax in RDF_SYNTAXES:
        _check_brackets(body, _TURTLE, limit)
    else:
        raise ValueError(f"unknown RDF syntax {syntax!r}; expected one of {RDF_SYNTAXES}")


def _too_deep(
    what: str, depth: int, limit: int, line: int, column: int | None, note: str = ""
) -> NestingTooDeep:
    where = f"line {line}" if column is None else f"line {line}, column {column}"
    return NestingTooDeep(
        f"the {what} {depth} levels deep at {where}; the limit is {limit} ({SETTING}){note}",
        limit=limit,
        line=line,
        column=column,
    )


# --- Turtle, TriG, N-Triples, N-Quads and JSON-LD ------------------------------------------------
#
# One match per bracket: everything between two brackets (text, comments, strings, IRIs) is
# consumed inside the regex engine. Every alternative consumes at least one byte and none can
# fail once started (an unterminated string runs to the end of its line or of the body), so a
# match never fails after scanning and the scan is linear.

_TURTLE = re.compile(
    rb"""
    (?:
        [^#"'<>\[\](){}\\]++
      | \#[^\n\r]*+
      | \"\"\"(?:[^"\\]++|\\[\s\S]?|"(?!""))*+(?:\"\"\"|\Z)
      | '''(?:[^'\\]++|\\[\s\S]?|'(?!''))*+(?:'''|\Z)
      | "(?:[^"\\\n\r]++|\\.)*+"?
      | '(?:[^'\\\n\r]++|\\.)*+'?
      | <(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>
      | <(?!<) | >(?!>) | \\[\s\S]?
    )*+
    (?P<token><<|>>|[\[\](){}]|\Z)
    """,
    re.VERBOSE,
)
_JSON = re.compile(rb'(?:[^"\[\]{}]++|"(?:[^"\\]++|\\[\s\S]?)*+"?)*+(?P<token>[\[\]{}]|\Z)')
_OPENERS = frozenset({b"[", b"(", b"{", b"<<"})


def _check_brackets(body: bytes, pattern: re.Pattern[bytes], limit: int) -> None:
    """Depth of brackets, up on openers and down on closers.

    Closers are not matched against openers: a closer that does not match, or closes nothing,
    makes the parser stop there, so what follows it is never parsed.
    """
    depth = 0
    for m in pattern.finditer(body):
        token = m.group("token")
        if token in _OPENERS:
            depth += 1
            if depth > limit:
                line, column = _byte_position(body, m.start("token"))
                raise _too_deep("document nests brackets", depth, limit, line, column)
        elif token:
            depth -= 1


def _byte_position(body: bytes, offset: int) -> tuple[int, int]:
    line_start = body.rfind(b"\n", 0, offset) + 1
    column = len(body[line_start:offset].decode("utf-8", errors="replace")) + 1
    return body.count(b"\n", 0, offset) + 1, column


# --- RDF/XML -------------------------------------------------------------------------------------


class _Deep(Exception):
    """Raised from an expat handler to stop parsing at the element that passes the limit."""

    def __init__(self, depth: int, line: int) -> None:
        super().__init__(depth, line)
        self.depth, self.line = depth, line


class _EntityDeclared(Exception):
    """Raised from an expat handler: a document that declares entities is refused."""


def _check_rdfxml(body: bytes, limit: int) -> None:
    """Element depth, from expat's start and end events (expat itself keeps no call stack).

    Entity references in text go to the default handler instead of being expanded, parameter
    entities and the external DTD subset are never read and no external entity handler is set,
    so nothing is fetched; a declared entity is refused outright. A document that is not
    well-formed ends the scan without a verdict: pyoxigraph's RDF/XML parser refuses it too
    (mismatched tags, several roots, undefined entities), and that parser keeps its own stack
    of elements (20,000 nested elements do not crash it).
    """
    parser = expat.ParserCreate()
    depth = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _Deep(depth, parser.CurrentLineNumber)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def declared(*_: object) -> None:
        raise _EntityDeclared

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = declared
    parser.DefaultHandler = _ignore
    parser.CharacterDataHandler = _ignore
    parser.buffer_text = True
    try:
        parser.Parse(body, True)
    except _Deep as deep:
        raise _too_deep("document nests elements", deep.depth, limit, deep.line, None) from None
    except _EntityDeclared:
        raise RdfSyntaxError(
            "RDF/XML with an <!ENTITY> declaration is refused (entities could read files or "
            "expand without bound); remove the declaration or send Turtle"
        ) from None
    except expat.ExpatError:
        return


def _ignore(*_: object) -> None:
    return None


# --- SPARQL --------------------------------------------------------------------------------------
#
# Kinds of open level. The kind decides how a ``<`` is read and what chains into a level:
#   top     outside any bracket: prologue, clauses, update operations;
#   group   a group graph pattern ``{…}`` (also the WHERE of DELETE WHERE / CONSTRUCT WHERE);
#   data    the data or template of INSERT DATA, DELETE DATA, INSERT, DELETE, CONSTRUCT;
#   expr    parentheses that may hold an expression (FILTER, BIND, SELECT, GROUP BY…, nested);
#   list    other parentheses: collections, property-path groups, VALUES rows;
#   blank   ``[…]``; quoted  ``<<…>>``.
_CLOSER = {"{": "}", "(": ")", "[": "]", "<<": ">>"}
_CHAINS = {  # which chaining tokens add a level in which kind of level
    "path": frozenset({"group", "list", "blank", "expr"}),  # / and | (division in expressions)
    "operator": frozenset({"expr"}),  # && || * + and the minus signs inside names
    "element": frozenset({"group", "top"}),  # from the second sub-group or expression of a group
}
_NOT_AFTER_A_VALUE = frozenset(",;=>&|!^*+/-")  # after these, a ``<`` starts an operand
# A group inside an expression (FILTER EXISTS {…}) or a function call inside an expression takes
# the engine through the whole expression grammar: 840 nested FILTER EXISTS { or 930 nested
# CONCAT( overflow an 8 MB stack, against 2,200 plain { and 4,700 plain (.
_HEAVY = 3
_SPARQL_LEVELS = (
    ": a bracket, a prefix ! or ^, and each operator or group element chained inside one "
    "bracket add a level"
)

_WS = r"[ \t\r\n]*+"
_CODE = re.compile(
    rf"""{_WS}(?:
      (?P<comment>\#[^\r\n]*+)
    | (?P<quote>['"])
    | (?P<lt><)
    | (?P<close2>>>)
    | (?P<open>[(\[{{])
    | (?P<close>[)\]}}])
    | (?P<datatype>\^\^)
    | (?P<prefix>!(?!=)|\^)
    | (?P<path>\|(?!\|)|/)
    | (?P<operator>&&|\|\||[*+])
    | (?P<name>(?:[\w.:%\-?$@\u00b7\u00c0-\uffff]|\\.)++)
    | (?P<other>[\s\S])
    )""",
    re.VERBOSE,
)
# Inside data and templates only brackets matter: everything else is skipped in one step.
_DATA = re.compile(
    r"""[^#'"<>(){}\[\]\\]*+(?:
      (?P<comment>\#[^\r\n]*+)
    | (?P<quote>['"])
    | (?P<lt><)
    | (?P<close2>>>)
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<other>\\[\s\S]?|[\s\S])
    )""",
    re.VERBOSE,
)
_LONG_STRING = {
    q: re.compile(rf"{q * 3}(?:[^{q}\\]++|\\.|{q}(?!{q * 2}))*+(?P<close>{q * 3})?") for q in "'\""
}
_SHORT_STRING = {q: re.compile(rf"{q}(?:[^{q}\\\n\r]++|\\.)*+(?P<close>{q})?") for q in "'\""}
# What the engine could accept as an IRI (its IRIREF is ``<`` up to the next ``>``, then checked).
_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>")
# Before a ``//`` made only of these, the operator reading of ``<`` has parsed nothing that nests.
_INERT = re.compile(r"[\w.:%@?$~=,;]*")
_BRACKETS = re.compile(r"[()\[\]]")
_KEYWORD_HINT = re.compile("filter|bind|select|by|having")


@dataclass(slots=True)
class _Level:
    kind: str
    closer: str
    own: int  # this level's share of the height: 1, its prefix operators, what chains into it
    child_max: int = 0  # height of the tallest sub-tree already closed inside it
    clause: str = ""  # "sure"/"maybe": SELECT, BY or HAVING read here, so its ( hold expressions
    in_data: bool = False  # inside INSERT DATA, a template…: only brackets matter
    sure: bool = False  # an expr level the engine certainly reads as an expression
    elements: int = 0  # sub-groups and expressions of a group: from the second on, a join more


class _SparqlScan:
    """One pass over a query; holds the stack of open levels.

    The height that must stay within the limit is ``self.height`` (the levels open on the way
    to the current point, each with its own share) plus the tallest sub-tree already closed in
    the innermost level: a tree is as deep as its deepest path, and chaining adds to every path
    through the level, whether the chained part comes before or after.
    """

    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.levels = [_Level("top", "", 0)]
        self.height = 0  # sum of ``own`` over the open levels
        self.prefix = 0  # prefix operators read since the last operand or opener
        self.after_value = False  # the last token ends a value: a ``<`` here may be less-than
        self.constraint = ""  # "sure"/"maybe": FILTER or BIND read, the next ( holds an expression
        self.template = False  # the last token was DATA, INSERT, DELETE or CONSTRUCT
        self.blocked: dict[str, int] = {}  # quote opener -> offset before which it cannot close
        self.no_gt_from = len(text) + 1  # no ``>`` at or after this offset

    def scan(self, pos: int, stop: int) -> None:
        """Scan ``text[pos:stop]``; stop early where the engine cannot read any further."""
        text = self.text
        while pos < stop:
            pattern = _DATA if self.levels[-1].in_data else _CODE
            m = pattern.match(text, pos, stop)
            if m is None:
                return
            pos = self._token(m)
            if pos < 0:
                return

    def _token(self, m: re.Match[str]) -> int:
        """Account for the token ``m`` matched; returns where the next one starts, or -1."""
        kind = m.lastgroup or "other"
        value, start = m.group(kind), m.start(kind)
        if kind == "name":
            self._name(value, start)
        elif kind == "open":
            self._open(value, start)
        elif kind in ("close", "close2"):
            self._close(value)
        elif kind == "quote":
            return self._string(start)
        elif kind == "lt":
            return self._less_than(start)
        elif kind == "prefix":
            self._prefix(start)
        elif kind in ("path", "operator"):
            self._chain(kind, start)
            self._after(value=False)
        elif kind != "comment":  # datatype, other
            self._after(value=kind == "other" and value not in _NOT_AFTER_A_VALUE)
        return m.end()

    # -- levels

    def _open(self, bracket: str, pos: int) -> None:
        parent = self.levels[-1]
        kind, sure = self._kind(bracket, parent)
        if kind == "expr" or (kind == "group" and parent.kind == "group"):
            parent.elements += 1  # a sub-group, OPTIONAL, UNION, FILTER, BIND, a projection…
            if parent.elements > 1:
                self._chain("element", pos)
        own = (_HEAVY if self._heavy(bracket, parent) else 1) + self.prefix
        self.levels.append(
            _Level(kind, _CLOSER[bracket], own, in_data=parent.in_data or kind == "data", sure=sure)
        )
        self.height += own
        self.prefix = 0
        self._after(value=False)
        self._check(self.height, pos)

    def _heavy(self, bracket: str, parent: _Level) -> bool:
        """A group inside an expression (EXISTS), or a function call inside an expression."""
        if bracket == "{":
            return parent.kind == "expr" or bool(self.constraint)
        return bracket == "(" and parent.kind == "expr" and self.after_value

    def _kind(self, bracket: str, parent: _Level) -> tuple[str, bool]:
        """The kind of the level ``bracket`` opens, and whether the engine surely reads it so."""
        if bracket == "{":
            top_template = parent.kind == "top" and self.template
            return ("data" if parent.in_data or top_template else "group"), True
        if bracket != "(":
            return ("blank" if bracket == "[" else "quoted"), True
        if parent.in_data:
            return "list", True
        if parent.kind == "top":
            return "expr", True
        if parent.kind == "expr":
            return "expr", parent.sure
        evidence = (self.constraint, parent.clause) if parent.kind == "group" else ()
        if "sure" in evidence:
            return "expr", True
        return ("expr", False) if "maybe" in evidence else ("list", True)

    def _close(self, closer: str) -> None:
        level = self.levels[-1]
        if len(self.levels) > 1 and level.closer == closer:
            self.levels.pop()
            self.height -= level.own
            parent = self.levels[-1]
            parent.child_max = max(parent.child_max, level.own + level.child_max)
        # A closer that does not match is a syntax error: the engine stops there.
        self._after(value=True)

    def _chain(self, what: str, pos: int) -> None:
        level = self.levels[-1]
        if level.kind in _CHAINS[what] and not level.in_data:
            level.own += 1
            self.height += 1
            self._check(self.height + level.child_max, pos)

    def _prefix(self, pos: int) -> None:
        if self.levels[-1].in_data:
            return
        self.prefix += 1
        self._check(self.height + self.prefix, pos)

    def _after(self, *, value: bool) -> None:
        """After a token that is no prefix operator: end their run, note whether the token ends
        a value, forget what only the token right after FILTER or DATA… may use."""
        if self.prefix:
            level = self.levels[-1]
            level.child_max = max(level.child_max, self.prefix)
            self.prefix = 0
        self.after_value = value
        self.constraint = ""
        self.template = False

    def _check(self, height: int, pos: int) -> None:
        if height > self.limit:
            line, column = _text_position(self.text, pos)
            raise _too_deep("query nests", height, self.limit, line, column, _SPARQL_LEVELS)

    def _keywords(self, lowered: str) -> tuple[str, str]:
        """How surely the name ``lowered`` holds FILTER or BIND, and SELECT, BY or HAVING."""
        colon = lowered.find(":")
        if _KEYWORD_HINT.search(lowered, 0, colon if colon >= 0 else len(lowered)) is None:
            return "", ""
        return _evidence(lowered, ("filter", "bind")), _evidence(
            lowered, ("select", "by", "having")
        )

    # -- tokens

    def _name(self, name: str, pos: int) -> None:
        """A run of name characters: variable, prefixed name, keyword, number, language tag…"""
        level = self.levels[-1]
        if level.kind == "expr":
            for _ in range(name.count("-")):
                self._chain("operator", pos)
        lowered = name.lower()
        constraint, clause = self._keywords(lowered)
        constraint = constraint or self.constraint
        if clause and level.kind in ("top", "group") and level.clause != "sure":
            level.clause = clause
        self._after(value=lowered != "distinct")
        self.constraint = constraint  # a function name may come between FILTER and its (
        self.template = lowered in ("data", "insert", "delete", "construct")

    def _string(self, start: int) -> int:
        """Skip the string at ``start`` (long form first, as the engine tries it); -1 if no
        form closes, for then the engine stops here."""
        text, quote = self.text, self.text[start]
        for opener, pattern in ((quote * 3, _LONG_STRING[quote]), (quote, _SHORT_STRING[quote])):
            if not text.startswith(opener, start) or start < self.blocked.get(opener, 0):
                continue
            m = pattern.match(text, start)
            if m is not None and m.group("close") is not None:
                self._after(value=True)
                return m.end()
            if m is not None:
                self.blocked[opener] = m.end()
        return -1

    def _less_than(self, start: int) -> int:
        """``<`` opens ``<<``, starts an IRI, or is the less-than operator after a value in an
        expression; returns the offset after what it starts."""
        text = self.text
        level = self.levels[-1]
        if level.kind == "expr" and self.after_value:
            if level.sure:  # the engine reads the less-than operator, and nothing else
                self._after(value=False)
                return start + 1
            return self._operator_or_iri(start)
        if text.startswith("<<", start):
            self._open("<<", start)
            return start + 2
        end = text.find(">", start + 1) if start < self.no_gt_from else -1
        if end < 0:  # the engine cannot read an IRI here
            self.no_gt_from = min(self.no_gt_from, start)
            self._after(value=True)
            return start + 1
        constraint = self.constraint  # an IRI may name the function of a FILTER
        self._after(value=True)
        self.constraint = constraint
        return end + 1

    def _operator_or_iri(self, start: int) -> int:
        text = self.text
        iri = _IRI.match(text, start)
        if iri is None:  # only the less-than reading is possible
            self._after(value=False)
            return start + 1
        content = text[start + 1 : iri.end() - 1]
        stop = min((i for i in (content.find("#"), content.find("'")) if i >= 0), default=-1)
        if stop >= 0:
            slashes = content.find("//", 0, stop)
            if slashes < 0 or not _INERT.fullmatch(content, 0, slashes):
                raise _ambiguous(text, start, "holds '#' or \"'\"")
            # The operator reading fails at "//" having read nothing that nests: an IRI it is.
        elif not _balanced(content):
            raise _ambiguous(text, start, "holds unbalanced brackets")
        else:
            # Both readings end at the ">"; the operator one counts what the IRI hides.
            self._after(value=False)
            self.scan(start + 1, iri.end() - 1)
        self._after(value=True)
        return iri.end()


def _evidence(name: str, keywords: tuple[str, ...]) -> str:
    """Whether ``name`` is one of the (lower-case) ``keywords`` ("sure"), may hide one ("maybe").

    The engine reads keywords without looking for word boundaries, so ``1filter`` or
    ``?o.filter`` hold a FILTER; a prefixed name does not, after its colon.
    """
    if name in keywords:
        return "sure"
    head = name.split(":", 1)[0]
    return "maybe" if any(keyword in head for keyword in keywords) else ""


def _balanced(content: str) -> bool:
    stack: list[str] = []
    for bracket in _BRACKETS.findall(content):
        if bracket in "([":
            stack.append(")" if bracket == "(" else "]")
        elif not stack or stack.pop() != bracket:
            return False
    return not stack


def _text_position(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _ambiguous(text: str, start: int, why: str) -> SparqlSyntaxError:
    line, column = _text_position(text, start)
    return SparqlSyntaxError(
        f"'<' at line {line}, column {column} follows a value inside parentheses: as the "
        f"less-than operator it is read differently from the IRI it could also start, which "
        f"{why}; put a space after '<' if it is the operator, or write the IRI as a prefixed "
        "name",
        line=line,
        column=column,
    )
