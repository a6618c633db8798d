"""SHACL validation of unhr-kg data against ``shapes/``, with the ontology mixed in.

The shapes follow ``rdfs:subClassOf`` (for ``sh:targetClass`` and ``sh:class``) through the
ontology and vocabulary triples that :func:`validate_graph` mixes into the data graph. No RDFS
inference is run: inferring types from ``rdfs:domain``/``rdfs:range`` would make every value of
``unhr:votedYes`` a ``unhr:State`` and so hide exactly the errors ``sh:class`` is there to catch
(and it is several times slower). ``tests/shapes/test_validation.py`` pins both points.

A report *conforms* when it holds no ``sh:Violation``: warnings (for example two sources giving
two different dates) are reported but never refuse data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.errors import NotFound, RdfSyntaxError
from kg.layout import discover
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


# --------------------------------------------------------------------------------------- parsing


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file (into ``into`` if given).

    Raises :class:`RdfSyntaxError` with file, line and column on a syntax error, and
    :class:`NotFound` when the file does not exist.
    """
    graph = into if into is not None else Graph()
    if not path.is_file():
        raise NotFound(f"{path}: no such file", file=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RdfSyntaxError(
            f"{path}: not valid UTF-8 ({exc.reason})", file=str(path), line=None, column=None
        ) from exc
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
        raise _syntax_error(path, text, exc) from exc
    except Exception as exc:  # any other parser failure is a syntax error too
        raise RdfSyntaxError(f"{path}: {exc}", file=str(path)) from exc
    return graph


def _syntax_error(path: Path, text: str, exc: SyntaxError) -> RdfSyntaxError:
    why = getattr(exc, "_why", None) or exc.msg or str(exc)
    line: int | None = None
    column: int | None = None
    raw = getattr(exc, "_str", None)
    pos = getattr(exc, "_i", None)
    if isinstance(raw, bytes) and isinstance(pos, int):
        source = raw.decode("utf-8", errors="replace")
        # The parser hands us the document it was reading; find the position in the file.
        offset = text.find(source) if source and source != text else 0
        at = max(0, offset) + pos
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
    elif getattr(exc, "lines", None) is not None:
        line = int(exc.lines) + 1  # type: ignore[attr-defined]
    elif exc.lineno is not None:
        line = exc.lineno
        column = exc.offset
    where = f"line {line}" + (f", column {column}" if column is not None else "") if line else ""
    message = f"{path}: {where + ': ' if where else ''}{why}"
    return RdfSyntaxError(message, file=str(path), line=line, column=column)


def _load_dir(root: Path, name: str) -> Graph:
    graph = Graph()
    for gf in discover(root, dirs=(name,)):
        parse_turtle(gf.path, into=graph)
    return graph


def load_shapes(root: Path) -> Graph:
    """All shapes under ``root/shapes``."""
    return _load_dir(root, "shapes")


def load_ontology(root: Path) -> Graph:
    """The ontology and the vocabularies under ``root/ontology``, in one graph."""
    return _load_dir(root, "ontology")


# --------------------------------------------------------------------------------------- validation


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


def validate_paths(paths: list[Path] | None, *, root: Path) -> ValidationReport:
    """Validate files of the repository at ``root``.

    With ``paths`` None, every ``.ttl`` under ``root/data``. With paths, those files together
    with all of ``root/data`` as context; only results about nodes that are subjects in the
    given files are reported. Each result names the file its focus node is described in.
    """
    shapes = load_shapes(root)
    ontology = load_ontology(root)
    data_files = [gf.path for gf in discover(root, dirs=("data",))]
    per_file: dict[Path, Graph] = {p: parse_turtle(p) for p in data_files}
    focus: set[Node] | None = None
    preferred: list[Path] = []
    if paths is not None:
        preferred = [Path(p) for p in paths]
        focus = set()
        for p in preferred:
            key = _same_file(p, per_file)
            g = per_file[key] if key is not None else parse_turtle(p)
            per_file[key if key is not None else p] = g
            focus.update(g.subjects())
    merged = Graph()
    for g in per_file.values():
        for triple in g:
            merged.add(triple)
    report = validate_graph(merged, shapes, ontology, focus_nodes=focus)
    order = [*(_same_file(p, per_file) or p for p in preferred)]
    order += [p for p in per_file if p not in order]
    results = tuple(
        _with_file(r, _describing_file(r, order, per_file, root)) for r in report.results
    )
    return ValidationReport(
        conforms=report.conforms, results=results, report_graph=report.report_graph
    )


# --------------------------------------------------------------------------------------- helpers


def _same_file(path: Path, files: Mapping[Path, Graph]) -> Path | None:
    resolved = path.resolve()
    for p in files:
        if p.resolve() == resolved:
            return p
    return None


def _describing_file(
    result: ValidationResult, order: list[Path], files: Mapping[Path, Graph], root: Path
) -> str | None:
    focus = _to_node(result.focus_node)
    path = URIRef(result.path) if result.path and _is_iri(result.path) else None
    candidates = [p for p in order if (focus, None, None) in files[p]]
    if not candidates:
        return None
    chosen = candidates[0]
    if path is not None:
        with_path = [p for p in candidates if (focus, path, None) in files[p]]
        if with_path:
            chosen = with_path[0]
    try:
        return str(chosen.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(chosen)


def _with_file(result: ValidationResult, file: str | None) -> ValidationResult:
    return ValidationResult(
        focus_node=result.focus_node,
        path=result.path,
        value=result.value,
        message=result.message,
        severity=result.severity,
        shape=result.shape,
        file=file,
    )


def _is_iri(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", text))


def _to_node(text: str) -> Node:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


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


def _sort_key(r: ValidationResult) -> tuple[int, str, str, str, str]:
    return (SEVERITIES.index(r.severity), r.focus_node, r.path or "", r.shape, r.message)


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
