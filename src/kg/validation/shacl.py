"""Running pySHACL on a data graph and turning its report into a :class:`ValidationReport`.

The shapes follow ``rdfs:subClassOf`` (for ``sh:targetClass`` and ``sh:class``) through the
ontology and vocabulary triples mixed into the data graph. No RDFS inference is run: inferring
types from ``rdfs:domain``/``rdfs:range`` would make every value of ``unhr:votedYes`` a
``unhr:State`` and so hide exactly the errors ``sh:class`` is there to catch (and it is several
times slower). ``tests/shapes/test_validation.py`` pins both points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.namespaces import PREFIXES
from kg.validation.report import (
    _SEVERITY_BY_IRI,
    Severity,
    ValidationReport,
    ValidationResult,
    _sort_key,
)


def validate_graph(
    data: Graph,
    shapes: Graph,
    ontology: Graph,
    *,
    focus_nodes: set[Node] | None = None,
) -> ValidationReport:
    """Validate ``data`` against ``shapes``, with ``ontology`` mixed into the data graph.

    When ``focus_nodes`` is given, only results about those focus nodes are kept.
    """
    if focus_nodes is not None and not focus_nodes:
        return _build_report(Graph(), [], [])
    # pyshacl's ont_graph mixing copies only RDFS/OWL axioms, not the SKOS concepts and their
    # unhr:*Concept types that sh:class checks on controlled values need: add all of the
    # ontology graph to a private copy of the data, and let pyshacl work on that copy.
    combined = Graph()
    for triple in data:
        combined.add(triple)
    for triple in ontology:
        combined.add(triple)
    _conforms, report_graph, _text = pyshacl.validate(
        combined,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        inplace=True,
        advanced=False,
        allow_warnings=True,
        # No focus_nodes= here: pyshacl 0.40 then also filters the value nodes that sh:or,
        # sh:not and sh:node check, so those constraints silently pass. Filter afterwards.
    )
    report_graph = cast(Graph, report_graph)
    parents = _parent_shapes(shapes)
    kept: list[ValidationResult] = []
    kept_nodes: list[Node] = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(node, SH.focusNode)
        if focus is None or (focus_nodes is not None and focus not in focus_nodes):
            continue
        kept.append(_result(report_graph, node, focus, parents))
        kept_nodes.append(node)
    return _build_report(report_graph, kept_nodes, kept)


def _term(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    return cast(RdfLiteral, node).n3()


def _parent_shapes(shapes: Graph) -> dict[Node, Node]:
    """Property shape → the node shape that declares it (for readable ``shape`` values)."""
    parents: dict[Node, Node] = {}
    for node_shape, prop in shapes.subject_objects(SH.property):
        parents.setdefault(prop, node_shape)
    return parents


def _result(
    report: Graph, node: Node, focus: Node, parents: Mapping[Node, Node]
) -> ValidationResult:
    source_shape = report.value(node, SH.sourceShape)
    shape = parents.get(source_shape, source_shape) if source_shape is not None else None
    messages = sorted(
        report.objects(node, SH.resultMessage),
        key=lambda m: (getattr(m, "language", None) not in (None, "en"), str(m)),
    )
    severity_iri = report.value(node, SH.resultSeverity)
    severity: Severity = "Violation"
    if severity_iri is not None:
        severity = _SEVERITY_BY_IRI.get(severity_iri, "Violation")
    path = report.value(node, SH.resultPath)
    return ValidationResult(
        focus_node=_term(focus) or "",
        path=_render_path(report, path) if path is not None else None,
        value=_term(report.value(node, SH.value)),
        message=str(messages[0]) if messages else "constraint not satisfied",
        severity=severity,
        shape=_term(shape) or "",
    )


def _render_path(graph: Graph, path: Node) -> str:
    """A SHACL path as a string: an IRI, or SPARQL property-path syntax with ``<IRI>``s."""
    if isinstance(path, URIRef):
        return str(path)

    def inner(p: Node) -> str:
        if isinstance(p, URIRef):
            return f"<{p}>"
        if (p, RDF.first, None) in graph:
            return "(" + "/".join(inner(x) for x in Collection(graph, p)) + ")"
        for pred, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            sub = graph.value(p, pred)
            if sub is not None:
                return template.format(inner(sub))
        alt = graph.value(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(inner(x) for x in Collection(graph, alt)) + ")"
        return f"_:{p}"

    return inner(path)


def _build_report(
    full: Graph, keep: Iterable[Node], results: list[ValidationResult]
) -> ValidationReport:
    """A fresh report graph with only the kept results and our definition of conformance."""
    conforms = not any(r.severity == "Violation" for r in results)
    out = Graph()
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    report = BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    out.add((report, SH.conforms, RdfLiteral(conforms)))
    for node in keep:
        out.add((report, SH.result, node))
        _copy_closure(full, out, node)
    ordered = tuple(sorted(results, key=_sort_key))
    return ValidationReport(conforms=conforms, results=ordered, report_graph=out)


def _copy_closure(src: Graph, dst: Graph, node: Node) -> None:
    todo = [node]
    seen: set[Node] = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for p, o in src.predicate_objects(n):
            dst.add((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)
