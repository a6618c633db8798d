"""Every node shape has conforming and violating cases, and each case behaves as declared.

Layout: ``tests/shapes/cases/<ShapeLocalName>/valid-*.ttl`` and ``invalid-*.ttl``. Each case is
validated together with ``cases/_context.ttl`` (reference nodes the cases point to), and only
results about the subjects of the case file count.

- A ``valid-*`` case must give no result at all (no violation and no warning).
- An ``invalid-*`` case starts with ``# expect: unhrsh:<Shape> [<path>]`` and must give a result
  whose node shape is that shape and, when a path is given, whose path is that path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.namespaces import PREFIXES, UNHRSH
from kg.validation import ValidationReport, load_ontology, load_shapes, validate_graph

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
CONTEXT = CASES / "_context.ttl"

#: Update when cases are added or removed: a broken glob must not pass silently.
EXPECTED_CASES = 245

EXTRA_PREFIXES = {
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
}


def _case_files() -> list[Path]:
    return sorted(p for p in CASES.glob("*/*.ttl") if p.name.startswith(("valid-", "invalid-")))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(ROOT)


@pytest.fixture(scope="module")
def context() -> Graph:
    return Graph().parse(CONTEXT, format="turtle")


def _validate(case: Path, shapes: Graph, ontology: Graph, context: Graph) -> ValidationReport:
    case_graph = Graph().parse(case, format="turtle")
    data = Graph()
    for triple in context:
        data.add(triple)
    for triple in case_graph:
        data.add(triple)
    return validate_graph(data, shapes, ontology, focus_nodes=set(case_graph.subjects()))


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    ns = {**PREFIXES, **EXTRA_PREFIXES}.get(prefix)
    assert ns is not None, f"unknown prefix in expectation: {curie}"
    return ns + local


def _expectation(case: Path) -> tuple[str, str | None]:
    shape, path, _ = _expectation_with_severity(case)
    return shape, path


def _expectation_with_severity(case: Path) -> tuple[str, str | None, str]:
    """``# expect: unhrsh:Shape [path] [Warning|Info]``; the severity defaults to Violation."""
    first = case.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"^# expect: (\S+)(?: (?!Warning|Info)(\S+))?(?: (Warning|Info))?\s*$", first)
    assert match, f"{case}: first line must be '# expect: unhrsh:Shape [path] [Warning|Info]'"
    shape, path, severity = match.group(1), match.group(2), match.group(3) or "Violation"
    return _expand(shape), _expand(path) if path else None, severity


def test_case_count() -> None:
    files = _case_files()
    assert len(files) == EXPECTED_CASES, f"found {len(files)} cases, expected {EXPECTED_CASES}"


def test_every_node_shape_has_valid_and_invalid_cases(shapes: Graph) -> None:
    node_shapes = {
        str(s)[len(str(UNHRSH)) :]
        for s in shapes.subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef) and str(s).startswith(str(UNHRSH))
    }
    assert len(node_shapes) >= 75
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders - node_shapes == set(), "case folders without a node shape"
    for name in sorted(node_shapes):
        folder = CASES / name
        assert list(folder.glob("valid-*.ttl")), f"{name}: no valid-*.ttl case"
        invalid = list(folder.glob("invalid-*.ttl"))
        assert invalid, f"{name}: no invalid-*.ttl case"
        own = [c for c in invalid if _expectation(c)[0] == str(UNHRSH) + name]
        assert own, f"{name}: no invalid case that expects a result from {name} itself"


def test_every_node_shape_targets_a_class(shapes: Graph) -> None:
    for s in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(s, SH.targetClass) is not None, f"{s} has no sh:targetClass"


def test_context_conforms(shapes: Graph, ontology: Graph, context: Graph) -> None:
    report = validate_graph(context, shapes, ontology, focus_nodes=set(context.subjects()))
    assert report.results == (), report.to_text()


@pytest.mark.parametrize("case", _case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(case: Path, shapes: Graph, ontology: Graph, context: Graph) -> None:
    report = _validate(case, shapes, ontology, context)
    if case.name.startswith("valid-"):
        assert report.results == (), report.to_text()
        return
    shape, path, severity = _expectation_with_severity(case)
    matching = [r for r in report.results if r.shape == shape and (path is None or r.path == path)]
    assert matching, f"expected a result from {shape} on {path}, got:\n{report.to_text()}"
    # A shape quietly downgraded to a warning would still report: the severity must match too.
    assert any(r.severity == severity for r in matching), report.to_text()
