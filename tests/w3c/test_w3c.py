"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, one case each.

The manifests, how their tests are run, adapted or expected to fail: ``tests/w3c/runner.py``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.w3c import runner as runner_module
from tests.w3c.runner import (
    ADAPTATIONS,
    EXPECTED_FAILURES,
    SERVICE_DESCRIPTION_CHECKS,
    Runner,
    W3CTest,
    all_tests,
    load_manifests,
)

from kg.api.app import create_app
from kg.startup import prepare_store

TOKEN = "w3c-runner-token-0123456789abcdef"
BASE_URL = "http://testserver.example"  # the settings' public URL: sd:endpoint must match it


def _params() -> list[object]:
    params: list[object] = []
    for test in all_tests():
        failure = EXPECTED_FAILURES.get(test.id)
        marks = (
            [
                pytest.mark.xfail(
                    strict=True, raises=AssertionError, reason=f"[{failure.kind}] {failure.reason}"
                )
            ]
            if failure
            else []
        )
        params.append(pytest.param(test, id=test.id, marks=marks))
    return params


@pytest.fixture()
def runner(tmp_path: Path, repo_root: Path) -> Iterator[Runner]:
    """A fresh writable server over this repository's ontology and shapes, and no data."""
    root = tmp_path / "repo"
    for folder in ("ontology", "shapes"):
        shutil.copytree(repo_root / folder, root / folder)
    settings = make_settings(root, write_tokens=f"w3c:{TOKEN}")
    assert settings.public_url == BASE_URL
    store = prepare_store(settings, progress=False)
    try:
        app = create_app(settings, store)
        with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as client:
            del client.headers["accept"]  # send Accept only where the manifest does
            yield Runner(client, TOKEN)
    finally:
        store.close()


class FailedForAnotherReason(Exception):
    """An expected failure whose message lacks its symptom: a real failure (not an AssertionError,
    so the xfail mark, which only takes AssertionError, does not swallow it)."""


@pytest.mark.parametrize("test", _params())
def test_w3c(test: W3CTest, runner: Runner) -> None:
    failure = EXPECTED_FAILURES.get(test.id)
    try:
        runner.run(test)
    except AssertionError as exc:
        if failure is not None and failure.symptom not in str(exc):
            raise FailedForAnotherReason(
                f"expected to fail with {failure.symptom!r}, failed with: {exc}"
            ) from exc
        raise


def test_every_manifest_test_is_run() -> None:
    """How many tests each manifest lists: a test cannot drop out of the suite unnoticed."""
    manifests = load_manifests()
    assert {m.path: len(m.tests) for m in manifests} == {
        "protocol/manifest.ttl": 34,
        "graph-store-protocol/manifest.ttl": 0,  # only includes the next two
        "graph-store-protocol/manifest-direct.ttl": 4,
        "graph-store-protocol/manifest-indirect.ttl": 9,
        "service-description/manifest.ttl": 3,
    }
    # manifest-direct.ttl also describes a test its mf:entries do not list: not part of the suite.
    assert {m.path: m.unlisted for m in manifests if m.unlisted} == {
        "graph-store-protocol/manifest-direct.ttl": ("http-rdf-update#head_non_existing_direct",)
    }
    ids = [t.id for t in all_tests()]
    assert len(ids) == len(set(ids)) == 50
    # Every row of the tables names a test that exists, and no test is both adapted and xfail.
    assert set(ADAPTATIONS) <= set(ids)
    assert set(EXPECTED_FAILURES) <= set(ids)
    assert not set(ADAPTATIONS) & set(EXPECTED_FAILURES)
    assert {t.id for t in all_tests() if t.type == "ServiceDescriptionTest"} == set(
        SERVICE_DESCRIPTION_CHECKS
    )
    assert {f.kind for f in EXPECTED_FAILURES.values()} <= {"design", "optional", "bug"}
    # The "optional" failures are tests that declare the feature they need with mf:requires.
    requires = {t.id: t.requires for t in all_tests()}
    for test_id, failure in EXPECTED_FAILURES.items():
        if failure.kind == "optional":
            assert "DirectGraphIdentification" in requires[test_id], test_id


def test_the_documented_tables_match_the_runner() -> None:
    """The tables in the runner's docstring list exactly the adapted and expected-failing tests."""
    doc = runner_module.__doc__ or ""
    adapted_part, _, failing_part = doc.partition("\nExpected failures\n")
    row = re.compile(r"^((?:protocol|http-rdf-update|service-description)#\S+)\s+(\S+)", re.M)
    assert [m.group(1) for m in row.finditer(adapted_part)] == list(ADAPTATIONS)
    assert {m.group(1): m.group(2) for m in row.finditer(failing_part)} == {
        test_id: failure.kind for test_id, failure in EXPECTED_FAILURES.items()
    }
