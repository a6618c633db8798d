"""docs/ontology.md names every term and is exactly what kg.ontology_docs generates."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg.namespaces import UNHR
from kg.ontology_docs import curie, main, render_reference

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "ontology.md"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "ontology.ttl", format="turtle")


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    return Graph().parse(ROOT / "ontology" / "vocabularies.ttl", format="turtle")


def _missing(text: str, ontology: Graph, vocabularies: Graph) -> list[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {
        s
        for k in kinds
        for s in ontology.subjects(RDF.type, k)
        if isinstance(s, URIRef) and s.startswith(str(UNHR))
    }
    assert len(terms) >= 170
    missing = [curie(t) for t in terms if f"### {curie(t)} " not in text]
    schemes = list(vocabularies.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 12
    missing += [str(s) for s in schemes if f"Scheme IRI `{s}`" not in text]
    concepts = list(vocabularies.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 84
    for c in concepts:
        notation = vocabularies.value(c, SKOS.notation)
        row = f"| `{notation}` | {vocabularies.value(c, SKOS.prefLabel)} |"
        if row not in text:
            missing.append(str(c))
    return sorted(missing)


def test_every_term_is_in_the_reference(ontology: Graph, vocabularies: Graph) -> None:
    assert _missing(DOCS.read_text(encoding="utf-8"), ontology, vocabularies) == []


def test_missing_term_is_detected(ontology: Graph, vocabularies: Graph) -> None:
    text = DOCS.read_text(encoding="utf-8").replace("### unhr:votedYes ", "### removed ")
    assert _missing(text, ontology, vocabularies) == ["unhr:votedYes"]


def test_reference_is_not_stale(ontology: Graph, vocabularies: Graph) -> None:
    expected = render_reference(ontology, vocabularies)
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/ontology.md is stale: run `python -m kg.ontology_docs`"
    )


def test_check_mode_detects_staleness(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "docs").mkdir()
    for name in ("ontology.ttl", "vocabularies.ttl"):
        (tmp_path / "ontology" / name).write_bytes((ROOT / "ontology" / name).read_bytes())
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert main(["--root", str(tmp_path), "--check"]) == 0
    assert (tmp_path / "docs" / "ontology.md").read_text(encoding="utf-8") == DOCS.read_text(
        encoding="utf-8"
    )
