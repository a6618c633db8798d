"""kg.validation: reports with files, conformance rules, output formats and parse errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.errors import RdfSyntaxError
from kg.validation import load_ontology, load_shapes, validate_graph, validate_paths

ROOT = Path(__file__).resolve().parents[2]
UNHR = "https://w3id.org/unhr/ontology#"
ID = "https://w3id.org/unhr/id/"

HEAD = """@base <https://w3id.org/unhr/id/> .
@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<source/validation-test> a unhr:SourceDocument ; rdfs:label "Test"@en ; dcterms:title "Test"@en .
"""

BAD_STATE = (
    HEAD
    + """
<state/ZZZ> a unhr:State ; rdfs:label "Nowhere"@en ; dcterms:source <source/validation-test> ;
    unhr:iso3 "zzz" .
"""
)

TWO_DATES = (
    HEAD
    + """
<state/ZZZ> a unhr:State ; rdfs:label "Nowhere"@en ; dcterms:source <source/validation-test> ;
    unhr:iso3 "ZZZ" ; unhr:admissionDate "1991"^^xsd:gYear , "1991-09-17"^^xsd:date .
"""
)

WRONG_CLASS = (
    HEAD
    + """
<doc/A/RES/1/1/vote/2000-01-01> a unhr:VoteEvent ; rdfs:label "A vote"@en ;
    dcterms:source <source/validation-test> ; unhr:votedYes <source/validation-test> .
"""
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def mini_root(tmp_path: Path) -> Path:
    """A repository with the real ontology and shapes and a one-file data folder."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "data" / "sources").mkdir(parents=True)
    return root


def test_violation_reports_file_focus_path_severity(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad-state.ttl", BAD_STATE)
    report = validate_paths([path], root=ROOT)
    assert not report.conforms
    iso3 = [r for r in report.results if r.path == UNHR + "iso3"]
    assert len(iso3) == 1
    result = iso3[0]
    assert result.focus_node == ID + "state/ZZZ"
    assert result.severity == "Violation"
    assert result.value == '"zzz"'
    assert result.shape == "https://w3id.org/unhr/shapes#StateShape"
    assert result.file is not None and result.file.endswith("bad-state.ttl")
    assert "iso3" in result.message


def test_only_results_about_the_given_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad-state.ttl", BAD_STATE)
    report = validate_paths([path], root=ROOT)
    subjects = {str(s) for s in Graph().parse(path, format="turtle").subjects()}
    assert report.results
    assert {r.focus_node for r in report.results} <= subjects


def test_warning_only_file_conforms(tmp_path: Path) -> None:
    path = _write(tmp_path, "two-dates.ttl", TWO_DATES)
    report = validate_paths([path], root=ROOT)
    assert report.conforms
    assert [r.severity for r in report.results] == ["Warning"]
    assert report.results[0].path == UNHR + "admissionDate"
    assert report.counts() == {"Violation": 0, "Warning": 1, "Info": 0}


def test_wrong_class_is_caught_without_rdfs_inference(tmp_path: Path) -> None:
    """With RDFS inference the range of unhr:votedYes would make any value a unhr:State."""
    path = _write(tmp_path, "wrong-class.ttl", WRONG_CLASS)
    report = validate_paths([path], root=ROOT)
    paths = [r.path for r in report.results if r.severity == "Violation"]
    assert UNHR + "votedYes" in paths


def test_outputs_parse(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad-state.ttl", BAD_STATE)
    report = validate_paths([path], root=ROOT)
    data = json.loads(json.dumps(report.to_json()))
    assert data["conforms"] is False
    assert data["counts"]["Violation"] == len(
        [r for r in report.results if r.severity == "Violation"]
    )
    assert {"focus_node", "path", "value", "message", "severity", "shape", "file"} <= set(
        data["results"][0]
    )
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(list(g.subjects(None, SH.ValidationResult))) == len(report.results)
    assert (None, SH.conforms, None) in g
    text = report.to_text()
    assert "bad-state.ttl" in text and "id:state/ZZZ" in text and "unhr:iso3" in text
    assert text.strip().splitlines()[-1].startswith("does not conform: ")


def test_parse_error_raises_with_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.ttl", HEAD + '\n<state/ZZZ> rdfs:label "unclosed ;\n')
    with pytest.raises(RdfSyntaxError) as info:
        validate_paths([path], root=ROOT)
    err = info.value
    assert err.details["file"] == str(path)
    assert err.details["line"] == HEAD.count("\n") + 2
    assert isinstance(err.details.get("column"), int)
    assert "broken.ttl" in err.message


def test_parse_error_unbound_prefix(tmp_path: Path) -> None:
    path = _write(tmp_path, "prefix.ttl", "\n\nfoo:a foo:b foo:c .\n")
    with pytest.raises(RdfSyntaxError) as info:
        validate_paths([path], root=ROOT)
    assert info.value.details["line"] == 3
    assert info.value.details["column"] == 1


def test_all_data_mode_names_files(mini_root: Path) -> None:
    _write(mini_root / "data" / "sources", "one.ttl", BAD_STATE)
    _write(mini_root / "data" / "sources", "two.ttl", TWO_DATES.replace("ZZZ", "YYY"))
    report = validate_paths(None, root=mini_root)
    files = {r.file for r in report.results}
    assert files == {"data/sources/one.ttl", "data/sources/two.ttl"}
    assert report.counts() == {"Violation": 1, "Warning": 1, "Info": 0}


def test_focus_filter_and_empty_focus() -> None:
    shapes, ontology = load_shapes(ROOT), load_ontology(ROOT)
    data = Graph().parse(data=BAD_STATE, format="turtle")
    full = validate_graph(data, shapes, ontology)
    assert not full.conforms
    none = validate_graph(data, shapes, ontology, focus_nodes=set())
    assert none.conforms and none.results == ()
