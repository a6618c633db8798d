"""The kg command line, run as users run it."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def env_for(root: Path) -> dict[str, str]:
    return {"KG_ROOT": str(root), "KG_DATA_DIR": str(root / "var"), "KG_STORE": "memory"}


def test_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "load", "query"):
        assert command in result.output
    serve = runner.invoke(app, ["serve", "--help"])
    assert "--port" in serve.output and "KG_PORT" in serve.output


def test_query_file_to_csv(mini_root: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?s WHERE { ?s a <https://w3id.org/unhr/ontology#State> } ORDER BY ?s")
    result = runner.invoke(app, ["query", str(query), "--format", "csv"], env=env_for(mini_root))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [
        ["s"],
        ["https://w3id.org/unhr/id/state/KOR"],
        ["https://w3id.org/unhr/id/state/PRK"],
    ]


def test_query_from_stdin_as_turtle(mini_root: Path) -> None:
    result = runner.invoke(
        app,
        ["query", "-", "-f", "turtle"],
        env=env_for(mini_root),
        input="CONSTRUCT WHERE { <https://w3id.org/unhr/id/state/KOR> ?p ?o }",
    )
    assert result.exit_code == 0, result.output
    assert "Republic of Korea" in result.stdout


def test_query_syntax_error_exits_1_with_position(mini_root: Path) -> None:
    result = runner.invoke(app, ["query", "-"], env=env_for(mini_root), input="SELECT * {")
    assert result.exit_code == 1
    assert "line 1" in result.output


def test_query_refuses_service(mini_root: Path) -> None:
    result = runner.invoke(
        app,
        ["query", "-"],
        env=env_for(mini_root),
        input="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    )
    assert result.exit_code == 1
    assert "SERVICE" in result.output


def test_bad_setting_is_refused_with_names(mini_root: Path) -> None:
    result = runner.invoke(app, ["load", "--setting", "no_such=1"], env=env_for(mini_root))
    assert result.exit_code == 2
    assert "max_rows" in result.output


@pytest.mark.parametrize("store", ["embedded", "disk"])
def test_load_reports_then_skips_unchanged_files(mini_root: Path, store: str) -> None:
    env = {**os.environ, **env_for(mini_root), "KG_STORE": store}
    first = subprocess.run(
        [sys.executable, "-m", "kg", "load"], env=env, capture_output=True, text=True, check=True
    )
    assert "loaded    source-a (11 triples)" in first.stdout
    second = subprocess.run(
        [sys.executable, "-m", "kg", "load"], env=env, capture_output=True, text=True, check=True
    )
    if store == "disk":
        assert "unchanged source-a" in second.stdout
    else:
        assert "source-a" in second.stdout
