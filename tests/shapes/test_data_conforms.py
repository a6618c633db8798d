"""The whole of data/ conforms to shapes/ (warnings allowed: they mark disagreeing sources)."""

from __future__ import annotations

from pathlib import Path

from kg.validation import validate_paths


def test_all_of_data_conforms(repo_root: Path) -> None:
    report = validate_paths(None, root=repo_root)
    violations = [r for r in report.results if r.severity == "Violation"]
    assert report.conforms, report.to_text()
    assert violations == []
    # Disagreements between sources are kept and show up as warnings, not silently resolved.
    disagreements = [r for r in report.results if "sources disagree" in r.message]
    assert any("upr/PRK/1" in r.focus_node for r in disagreements)
