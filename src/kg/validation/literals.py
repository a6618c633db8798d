"""Lexical checks of typed literals: ``"sometime"^^xsd:gYear`` is not a year.

pySHACL's ``sh:datatype`` trusts rdflib, which does not check the lexical form of every XSD
type (it accepts any text as an ``xsd:gYear``); these patterns follow XML Schema 1.1 Part 2 for
the types the data uses.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

from rdflib.term import Node

from kg.terms import BNode, Literal, Quad
from kg.validation.report import ValidationResult

XSD = "http://www.w3.org/2001/XMLSchema#"
SHAPE = "https://w3id.org/unhr/shapes#WellFormedLiteral"
_TZ = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_PATTERNS = {
    "gYear": rf"{_YEAR}{_TZ}",
    "gYearMonth": rf"{_YEAR}-(0[1-9]|1[0-2]){_TZ}",
    "date": rf"(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01]){_TZ}",
    "dateTime": (
        rf"(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])T{_TIME}{_TZ}"
    ),
    "integer": r"[+-]?[0-9]+",
    "nonNegativeInteger": r"\+?[0-9]+|-0+",
    "positiveInteger": r"\+?0*[1-9][0-9]*",
    "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    "boolean": r"true|false|1|0",
}
_COMPILED = {XSD + name: re.compile(pattern, re.ASCII) for name, pattern in _PATTERNS.items()}


def _well_formed(lit: Literal) -> bool:
    pattern = _COMPILED.get(str(lit.datatype))
    if pattern is None:
        return True
    match = pattern.fullmatch(str(lit))
    if match is None:
        return False
    if "d" in pattern.groupindex:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        leap = calendar.isleap(abs(year)) if year else True
        days = 29 if month == 2 and leap else calendar.monthrange(2001, month)[1]
        return day <= days
    return True


def ill_typed(statements: Iterable[Quad | tuple[Node, Node, Node]]) -> list[ValidationResult]:
    """A violation for every literal of ``statements`` whose text is not of its datatype."""
    out: list[ValidationResult] = []
    for s, p, o, *_ in statements:
        if isinstance(o, Literal) and o.datatype is not None and not _well_formed(o):
            kind = str(o.datatype).removeprefix(XSD)
            out.append(
                ValidationResult(
                    focus_node=f"_:{s}" if isinstance(s, BNode) else str(s),
                    path=str(p),
                    value=o.n3(),
                    message=f"{str(o)!r} is not a valid xsd:{kind}",
                    severity="Violation",
                    shape=SHAPE,
                )
            )
    return out
