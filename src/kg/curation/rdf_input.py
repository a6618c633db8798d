"""Parsing uploaded RDF safely: known formats only, positions in errors, nothing fetched.

pyoxigraph never loads a remote JSON-LD ``@context`` (it has no loader set) and resolves no
external XML entity; a ``<!DOCTYPE`` in RDF/XML is refused outright, so that no entity trick
reaches the parser at all.
"""

from __future__ import annotations

import re

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, parse

from kg.errors import RdfSyntaxError, UnsupportedMediaType

UPLOAD_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/trig": RdfFormat.TRIG,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
_POSITION = re.compile(r"line (\d+) column (\d+)")


def upload_format(media_type: str) -> RdfFormat:
    fmt = UPLOAD_FORMATS.get(media_type)
    if fmt is None:
        raise UnsupportedMediaType(
            f"cannot read {media_type or 'a body without Content-Type'}; send one of "
            f"{', '.join(sorted(UPLOAD_FORMATS))}",
            supported=sorted(UPLOAD_FORMATS),
        )
    return fmt


def parse_upload(body: bytes, fmt: RdfFormat, *, into_graph: str | None = None) -> list[Quad]:
    """The quads of ``body``; triples (and default-graph quads) go to ``into_graph`` if given."""
    if fmt is RdfFormat.RDF_XML and re.search(rb"<!\s*(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise RdfSyntaxError(
            "RDF/XML with a <!DOCTYPE> or <!ENTITY> declaration is refused (entities could read "
            "files or expand without bound); remove the declaration or send Turtle"
        )
    try:
        quads = list(parse(body, format=fmt, base_iri=None))
    except SyntaxError as exc:
        message = str(exc)
        m = _POSITION.search(message)
        raise RdfSyntaxError(
            f"{fmt.name} syntax error: {message}",
            line=int(m.group(1)) if m else None,
            column=int(m.group(2)) if m else None,
        ) from None
    if into_graph is None:
        return quads
    target = NamedNode(into_graph)
    return [
        Quad(q.subject, q.predicate, q.object, target)
        if isinstance(q.graph_name, DefaultGraph)
        else q
        for q in quads
    ]
