"""Schemathesis over ``/openapi.json``: every operation of a real server, bounded in time.

The server runs on 127.0.0.1 over this repository's graph (its own data folder, a write token,
so that the write routes are exercised past their authentication) and Schemathesis' command line
runs its phases (examples, coverage, fuzzing, stateful) against it for ``KG_FUZZ_SECONDS``
(default 100). The run must end with no failure of any check: no server error (a 503 is allowed
where the operation documents it: a deadline or a busy server), every status code, content type,
header and JSON body as documented, schema-invalid requests refused, 405 with ``Allow`` for
undocumented methods, writes refused without the token. Settings: ``schemathesis.toml``; the
bodies Schemathesis cannot serialise itself (SPARQL, RDF): ``st_hooks.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import server

HERE = Path(__file__).resolve().parent
TOKEN = "fuzz-token-0123456789abcdef"
SECONDS = int(os.environ.get("KG_FUZZ_SECONDS", "100"))
SEED = int(os.environ.get("KG_FUZZ_SEED", "1"))


def run_schemathesis(url: str, report: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            url,
            "--header",
            f"Authorization: Bearer {TOKEN}",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-time",
            str(SECONDS),
            "--seed",
            str(SEED),
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS + 180,
        check=False,
    )


def operations(spec: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return sum(1 for item in spec["paths"].values() for method in item if method in methods)


def test_every_operation_conforms_to_the_document(
    tmp_path: Path, repo_root: Path, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Administrators exist, so that redaction is on and its route answers as documented (401
    # without a token, 403 with the curator's token the fuzzer sends).
    env = {
        "KG_WRITE_TOKENS": f"fuzz:{TOKEN}",
        "KG_ADMIN_TOKENS": "admin:fuzz-admin-token-0123456789abcdef",
        "KG_CLIENT_BUDGET_SECONDS": "100000",
    }
    with server(repo_root, tmp_path / "var", **env) as (_, port):
        base = f"http://127.0.0.1:{port}"
        expected = operations(httpx.get(f"{base}/openapi.json", timeout=30).json())
        started = time.monotonic()
        run = run_schemathesis(f"{base}/openapi.json", tmp_path / "report.json", tmp_path)
        elapsed = time.monotonic() - started
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    assert (tmp_path / "report.json").exists(), run.stdout[-5000:] + run.stderr[-5000:]
    report = json.loads((tmp_path / "report.json").read_text())
    cases = report["test_cases"]
    summary = (
        f"schemathesis: {cases['generated']} cases over {report['operations']['tested']} "
        f"operations in {elapsed:.0f} s (seed {SEED}); {cases['unique_failures']} failure(s)"
    )
    record_property("fuzz_cases", cases["generated"])
    record_property("fuzz_seconds", round(elapsed))
    with capsys.disabled():
        print(f"\n{summary}")
    detail = f"{summary}\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}"
    assert report["failures"] == [], detail
    assert report["errors"] == [] and cases["errored"] == 0, detail
    assert run.returncode == 0, detail
    assert report["operations"]["tested"] == report["operations"]["total"] == expected, detail
    for phase in ("examples", "coverage", "fuzzing"):
        assert report["phases"][phase]["status"] == "success", (phase, detail)
    assert cases["generated"] >= 20 * expected, detail
