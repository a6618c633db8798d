"""Reading and writing RDF documents as :mod:`kg.terms` quads.

pyoxigraph's parsers and serialisers are used here as a library (they are fast, report
positions, never fetch a remote JSON-LD ``@context`` and resolve no XML entity); nothing in this
module touches a store. Every text that reaches a parser here has first passed the nesting
pre-scan of :mod:`kg.nesting` when it comes from a client (see :func:`parse`), because the
parsers recurse and a deeply nested document would overflow the stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import BadRequest, RdfSyntaxError
from kg.formats import Format
from kg.terms import (
    DEFAULT_GRAPH,
    XSD_STRING,
    BNode,
    Literal,
    Object,
    Quad,
    Subject,
    Term,
    URIRef,
    literal,
)

_POSITION = re.compile(r"line (\d+)(?: between columns| column|, column) (\d+)")
_XML_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: A JSON-LD document is a JSON object or array (JSON-LD 1.1, 9.1): optional BOM, whitespace.
_JSON_LD_START = re.compile(rb"\A(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")


def ox_format(fmt: Format) -> ox.RdfFormat:
    found = ox.RdfFormat.from_media_type(fmt.media_type)
    if found is None:  # pragma: no cover - the table holds only formats pyoxigraph knows
        raise ValueError(f"pyoxigraph cannot read or write {fmt.media_type}")
    return found


# --------------------------------------------------------------------------- term conversion


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_graph(graph: URIRef) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph == DEFAULT_GRAPH else ox.NamedNode(str(graph))


def to_ox_quad(q: Quad) -> ox.Quad:
    return ox.Quad(to_ox(q.s), to_ox(q.p), to_ox(q.o), to_ox_graph(q.g))  # type: ignore[arg-type]


def from_ox(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return literal(term.value, lang=term.language)
        return literal(term.value, datatype=term.datatype.value)
    if isinstance(term, ox.Triple):
        raise BadRequest("RDF-star quoted triples are not supported here")
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox_graph(graph: object) -> URIRef:
    if isinstance(graph, ox.DefaultGraph):
        return DEFAULT_GRAPH
    if isinstance(graph, ox.NamedNode):
        return URIRef(graph.value)
    if isinstance(graph, ox.BlankNode):
        raise BadRequest("graphs named by blank nodes are not supported")
    raise TypeError(f"not a graph name: {graph!r}")


def from_ox_quad(q: ox.Quad) -> Quad:
    s, o = from_ox(q.subject), from_ox(q.object)
    if isinstance(s, Literal):  # pragma: no cover - RDF does not allow it
        raise BadRequest("a literal cannot be a subject")
    return Quad(s, URIRef(q.predicate.value), o, from_ox_graph(q.graph_name))


# --------------------------------------------------------------------------- documents


def _syntax_error(fmt: Format, exc: SyntaxError) -> RdfSyntaxError:
    message = str(exc)
    m = _POSITION.search(message)
    return RdfSyntaxError(
        f"{fmt.name} syntax error: {message}",
        line=int(m.group(1)) if m else None,
        column=int(m.group(2)) if m else None,
    )


def parse(
    body: bytes,
    fmt: Format,
    *,
    base_iri: str | None = None,
    into_graph: URIRef | None = None,
) -> list[Quad]:
    """The quads of ``body``; triples (and default-graph quads) go to ``into_graph`` if given.

    RDF/XML with a ``<!DOCTYPE`` or ``<!ENTITY`` declaration is refused outright: entities could
    read files or expand without bound. JSON-LD must be an object or an array (a JSON number or
    string is not a JSON-LD document, though the parser would read it as an empty graph).
    """
    if fmt.name == "rdfxml" and _XML_DOCTYPE.search(body):
        raise RdfSyntaxError(
            "RDF/XML with a <!DOCTYPE> or <!ENTITY> declaration is refused (entities could read "
            "files or expand without bound); remove the declaration or send Turtle"
        )
    if fmt.name == "jsonld" and not _JSON_LD_START.match(body):
        raise RdfSyntaxError(
            "a JSON-LD document is a JSON object or array; this body starts with something else"
        )
    try:
        parsed = [from_ox_quad(q) for q in ox.parse(body, format=ox_format(fmt), base_iri=base_iri)]
    except SyntaxError as exc:
        raise _syntax_error(fmt, exc) from None
    if into_graph is None:
        return parsed
    return [q.in_graph(into_graph) if q.in_default_graph else q for q in parsed]


def serialize_nquads(quads: Iterable[Quad]) -> str:
    data = ox.serialize([to_ox_quad(q) for q in quads], format=ox.RdfFormat.N_QUADS)
    return (data or b"").decode()


def parse_nquads(text: str) -> list[Quad]:
    return [from_ox_quad(q) for q in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)]


def iri_problem(text: str) -> str | None:
    """Why ``text`` is not an IRI the store can hold (RFC 3987, as pyoxigraph checks it), or
    None when it is one."""
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        return str(exc)
    return None


def nt(term: Term) -> str:
    """A term in N-Triples syntax (safe to embed in SPARQL: it is escaped by the serialiser)."""
    return str(to_ox(term))


__all__ = [
    "Object",
    "Subject",
    "from_ox",
    "from_ox_quad",
    "iri_problem",
    "nt",
    "ox_format",
    "parse",
    "parse_nquads",
    "serialize_nquads",
    "to_ox",
    "to_ox_quad",
]
