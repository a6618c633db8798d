"""Validating the repository's Turtle files (``kg validate``): parsing with positions, the shapes
and ontology under the repository root, and which file each result is about.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg.errors import NotFound, RdfSyntaxError
from kg.layout import discover
from kg.validation.literals import ill_typed
from kg.validation.report import ValidationReport, ValidationResult
from kg.validation.shacl import validate_graph


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
    report = report.with_results(ill_typed(t for t in merged if focus is None or t[0] in focus))
    order = [*(_same_file(p, per_file) or p for p in preferred)]
    order += [p for p in per_file if p not in order]
    results = tuple(
        _with_file(r, _describing_file(r, order, per_file, root)) for r in report.results
    )
    return ValidationReport(
        conforms=report.conforms, results=results, report_graph=report.report_graph
    )


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
