"""SHACL validation reports: results, conformance, and their JSON, Turtle and text forms.

A report *conforms* when it holds no ``sh:Violation``: warnings (for example two sources giving
two different dates) are reported but never refuse data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.namespaces import PREFIXES

Severity = Literal["Violation", "Warning", "Info"]
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")

_SEVERITY_BY_IRI: Mapping[Node, Severity] = MappingProxyType(
    {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
)


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result.

    ``focus_node``, ``path`` and ``shape`` are IRIs (``_:id`` for blank nodes; a complex path is
    written in SPARQL property-path syntax). ``value`` is the offending value: an IRI, or a
    literal in N-Triples form. ``shape`` is the node shape the failing constraint belongs to.
    ``file`` is the file the focus node is described in, when known.
    """

    focus_node: str
    path: str | None
    value: str | None
    message: str
    severity: Severity
    shape: str
    file: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: results plus the SHACL report graph."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    report_graph: Graph = field(compare=False, repr=False)

    def counts(self) -> dict[str, int]:
        """Number of results per severity (all three keys always present)."""
        out: dict[str, int] = {s: 0 for s in SEVERITIES}
        for r in self.results:
            out[r.severity] += 1
        return out

    def with_results(self, extra: list[ValidationResult]) -> ValidationReport:
        """This report with ``extra`` results (found outside pySHACL) added."""
        if not extra:
            return self
        results = tuple(sorted((*self.results, *extra), key=_sort_key))
        graph = Graph()
        for triple in self.report_graph:
            graph.add(triple)
        for prefix, ns in self.report_graph.namespaces():
            graph.bind(prefix, ns)
        report = graph.value(predicate=RDF.type, object=SH.ValidationReport, any=True)
        conforms = not any(r.severity == "Violation" for r in results)
        if report is not None:
            graph.set((report, SH.conforms, RdfLiteral(conforms)))
            for r in extra:
                node = BNode()
                graph.add((report, SH.result, node))
                graph.add((node, RDF.type, SH.ValidationResult))
                graph.add((node, SH.focusNode, URIRef(r.focus_node)))
                if r.path:
                    graph.add((node, SH.resultPath, URIRef(r.path)))
                graph.add((node, SH.resultMessage, RdfLiteral(r.message)))
                graph.add((node, SH.resultSeverity, SH.Violation))
                graph.add((node, SH.sourceShape, URIRef(r.shape)))
        return ValidationReport(conforms=conforms, results=results, report_graph=graph)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dictionary: conforms, counts by severity, results."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "results": [asdict(r) for r in self.results],
        }

    def to_turtle(self) -> str:
        """The SHACL validation report graph as Turtle."""
        return self.report_graph.serialize(format="turtle")

    def to_text(self) -> str:
        """A readable table (file, focus node, path, message, severity) and a summary line."""
        headers = ("file", "focus node", "path", "message", "severity")
        rows = [
            (
                r.file or "-",
                _compact(r.focus_node),
                _compact_path(r.path) if r.path else "-",
                r.message + (f" (value: {_compact(r.value)})" if r.value else ""),
                r.severity,
            )
            for r in self.results
        ]
        lines: list[str] = []
        if rows:
            widths = [
                min(60, max(len(h), *(len(row[i]) for row in rows))) for i, h in enumerate(headers)
            ]
            widths[3] = max(len(headers[3]), *(len(row[3]) for row in rows))

            def fmt(cells: tuple[str, ...]) -> str:
                return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

            lines.append(fmt(headers))
            lines.append(fmt(tuple("-" * w for w in widths)))
            lines.extend(fmt(row) for row in rows)
            lines.append("")
        counts = self.counts()
        verdict = "conforms" if self.conforms else "does not conform"
        lines.append(
            f"{verdict}: {counts['Violation']} violation(s), {counts['Warning']} warning(s), "
            f"{counts['Info']} info(s)"
        )
        return "\n".join(lines) + "\n"


def _namespace_pairs() -> list[tuple[str, str]]:
    return sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _compact(text: str | None) -> str:
    if not text:
        return "-"
    if text.startswith(('"', "_:")):
        return text
    for prefix, ns in _namespace_pairs():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return f"<{text}>"


def _compact_path(text: str) -> str:
    if not text.startswith(("<", "(", "^")):
        return _compact(text)
    return re.sub(r"<([^>]+)>", lambda m: _compact(m.group(1)), text)


def _sort_key(r: ValidationResult) -> tuple[int, str, str, str, str]:
    return (SEVERITIES.index(r.severity), r.focus_node, r.path or "", r.shape, r.message)
