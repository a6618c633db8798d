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


@pytest.mark.parametrize("store", ["embedded", "memory"])
def test_load_reports_what_each_file_gave(mini_root: Path, store: str) -> None:
    env = {**os.environ, **env_for(mini_root), "KG_STORE": store}
    first = subprocess.run(
        [sys.executable, "-m", "kg", "load"], env=env, capture_output=True, text=True, check=True
    )
    assert "loaded    source-a (11 triples)" in first.stdout
    second = subprocess.run(
        [sys.executable, "-m", "kg", "load"], env=env, capture_output=True, text=True, check=True
    )
    # The store keeps files in memory only: every process loads them afresh, the same way.
    assert "loaded    source-a (11 triples)" in second.stdout
    assert second.stdout.strip().splitlines()[-1] == first.stdout.strip().splitlines()[-1]


def test_the_removed_disk_store_is_refused_with_a_reason(mini_root: Path) -> None:
    env = {**os.environ, **env_for(mini_root), "KG_STORE": "disk"}
    result = subprocess.run(
        [sys.executable, "-m", "kg", "load"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "'disk' store was removed" in result.stderr and "embedded" in result.stderr


def test_queries_lists_canned_queries(mini_root: Path) -> None:
    result = runner.invoke(app, ["queries"], env=env_for(mini_root))
    assert result.exit_code == 0
    assert "state-label  [test]  Label of a state" in result.output
    assert "state?=iri" in result.output


def test_canned_query_with_param_as_table(mini_root: Path) -> None:
    result = runner.invoke(
        app,
        ["query", "state-label", "-p", "state=https://w3id.org/unhr/id/state/KOR", "-f", "table"],
        env=env_for(mini_root),
    )
    assert result.exit_code == 0, result.output
    assert "Republic of Korea" in result.output and "People" not in result.output


def test_canned_query_bad_param_exits_1(mini_root: Path) -> None:
    result = runner.invoke(app, ["query", "state-label", "-p", 'state=">'], env=env_for(mini_root))
    assert result.exit_code == 1
    assert "parameter 'state'" in result.output


def test_unknown_query_name(mini_root: Path) -> None:
    result = runner.invoke(app, ["query", "no-such-query"], env=env_for(mini_root))
    assert result.exit_code == 2
    assert "state-label" in result.output


def test_import_check_on_the_repository() -> None:
    result = runner.invoke(app, ["import", "--check"])
    assert result.exit_code == 0, result.output


def test_validate_exit_codes(mini_root: Path, repo_root: Path) -> None:
    import shutil

    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    bad = mini_root / "bad.ttl"
    bad.write_text(
        "@prefix unhr: <https://w3id.org/unhr/ontology#> .\n"
        "<https://w3id.org/unhr/id/state/XX1> a unhr:State .\n"
    )
    result = runner.invoke(app, ["validate", str(bad), "--root", str(mini_root)])
    assert result.exit_code == 1
    assert "state/XX1" in result.output and "Violation" in result.output
    as_json = runner.invoke(app, ["validate", str(bad), "--root", str(mini_root), "-f", "json"])
    assert as_json.exit_code == 1
    assert '"conforms": false' in as_json.output


def test_serve_applies_setting_flags(mini_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def fake_run(application: object, **options: object) -> None:
        seen["max_rows"] = application.state.settings.max_rows  # type: ignore[attr-defined]
        seen["graceful"] = options["timeout_graceful_shutdown"]

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = runner.invoke(
        app,
        ["serve", "--setting", "max_rows=5", "-s", "KG_SHUTDOWN_SECONDS=3"],
        env=env_for(mini_root),
    )
    assert result.exit_code == 0, result.output
    assert seen == {"max_rows": 5, "graceful": 3}


def test_serve_stops_on_a_malformed_canned_query(mini_root: Path) -> None:
    (mini_root / "queries" / "bad.rq").write_text("#+ summary: x\n#+ colour: red\nSELECT * {}\n")
    result = runner.invoke(app, ["serve", "--port", "0"], env=env_for(mini_root))
    assert result.exit_code == 1
    assert "bad.rq:2: unknown header key 'colour'" in result.output


def test_journal_check_and_cut(mini_root: Path) -> None:
    from tests.store.test_journal import change

    from kg.store.journal import Journal

    data_dir = mini_root / "var"
    journal = Journal(data_dir / "journal.jsonl")
    for n in range(1, 4):
        journal.append(change(n))
    journal.close()
    env = {**env_for(mini_root), "KG_STORE": "embedded"}
    ok = runner.invoke(app, ["journal", "check"], env=env)
    assert ok.exit_code == 0 and "3 change set(s), all intact" in ok.output
    path = data_dir / "journal.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"value 2", b"value 9")
    path.write_bytes(b"".join(lines))
    damaged = runner.invoke(app, ["journal", "check"], env=env)
    assert damaged.exit_code == 1 and "record 2" in damaged.output
    # The server refuses to start the same way.
    serve = subprocess.run(
        [sys.executable, "-m", "kg", "load"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert serve.returncode == 1 and "record 2" in serve.stderr
    cut = runner.invoke(app, ["journal", "cut", "2"], env=env)
    assert cut.exit_code == 0 and "kept 1 change set(s)" in cut.output
    assert runner.invoke(app, ["journal", "check"], env=env).exit_code == 0
