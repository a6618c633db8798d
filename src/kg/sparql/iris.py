"""IRIs as a query or update writes them (``<…>``, relative, or prefixed) made absolute.

The resolution is done by a real parser: the operation's prologue (``PREFIX`` and ``BASE``
declarations, valid Turtle too) and the IRI are read as a one-triple Turtle document.
"""

from __future__ import annotations

import re

from kg.errors import BadRequest, RdfSyntaxError
from kg.formats import by_name
from kg.rdfio import iri_problem, parse
from kg.sparql.operation import token_spans

_TURTLE = by_name("turtle")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*", re.ASCII)


def check_absolute_iri(text: str, what: str) -> str:
    """``text`` if it is an absolute IRI (RFC 3987), else a 400 naming ``what``."""
    problem = "no scheme" if not _ABSOLUTE.fullmatch(text) else iri_problem(text)
    if problem is not None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise BadRequest(
            f"{what} must be an absolute IRI (a scheme, then no spaces, quotes, angle "
            f"brackets or control characters, and '%' only before two hex digits); got "
            f"{shown!r} ({problem})",
            parameter=what,
        )
    return text


def resolve_iri(token: str, prologue: str, *, base_iri: str | None) -> str:
    """``token`` (``<…>`` or a prefixed name) as an absolute IRI."""
    if token.startswith("<") and token.endswith(">") and ":" in token and base_iri is None:
        return token[1:-1]
    document = f"{prologue}\n<urn:x-kg:s> <urn:x-kg:p> {token} ."
    try:
        (quad,) = parse(document.encode(), _TURTLE, base_iri=base_iri)
    except (RdfSyntaxError, ValueError):
        raise BadRequest(
            f"cannot resolve the IRI {token}: an undeclared prefix, or a relative IRI "
            "without a base"
        ) from None
    return str(quad.o)


def prologue_of(text: str) -> str:
    """The PREFIX and BASE declarations at the start of ``text``."""
    spans = token_spans(text)
    i = 0
    end = 0
    while i < len(spans) and spans[i][0] == "word" and spans[i][1].upper() in ("PREFIX", "BASE"):
        i += 3 if spans[i][1].upper() == "PREFIX" else 2
        end = spans[min(i, len(spans)) - 1][3]
    return text[:end]
