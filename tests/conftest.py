"""Shared fixtures: the real graph of this repository, small test repositories, stores and apps.

The test session adopts every process its tests leave behind (it is a child subreaper), and
fails at the end if any process it started, directly or not, is still running: servers, store
processes and workers must all die with their parent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.api.app import create_app
from kg.layout import discover
from kg.settings import Settings
from kg.startup import prepare_store
from kg.store.base import Store as KgStore
from kg.workers.lifeline import become_subreaper
from tests.server import alive, process_tree, reap

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/queries/goldens/*.csv from the current answers instead of comparing",
    )


def _left_running(before: set[int]) -> dict[int, str]:
    """Processes below this one that were not there at the start, with their command lines.

    multiprocessing's fork server and resource tracker live as long as this process (they exit
    when it does): they are not leaks.
    """
    out: dict[int, str] = {}
    for pid in alive(process_tree(os.getpid())) - before - {os.getpid()}:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if "multiprocessing" not in cmdline:
            out[pid] = cmdline
    return out


@pytest.fixture(scope="session", autouse=True)
def nothing_left_running() -> Iterator[None]:
    """Fail the session if a test left a process behind (see the module docstring)."""
    become_subreaper()
    before = process_tree(os.getpid())
    yield
    deadline = time.monotonic() + 10
    while (left := _left_running(before)) and time.monotonic() < deadline:
        reap()
        time.sleep(0.2)
    assert not left, f"processes left running after the tests: {left}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def repo_store() -> Store:
    """A read-only in-memory pyoxigraph store holding every graph of ontology/, shapes/, data/."""
    store = Store()
    for gf in discover(ROOT):
        store.bulk_load(path=str(gf.path), format=RdfFormat.TURTLE, to_graph=NamedNode(gf.graph))
    return store


def select(store: Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT over the union of named graphs; each row maps variable name → term value."""
    result = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    rows = []
    for sol in result:  # type: ignore[union-attr]
        rows.append({n: sol[n].value for n in names if sol[n] is not None})
    return rows


@pytest.fixture()
def mini_root(tmp_path: Path) -> Path:
    """A writable copy of tests/fixtures/mini: two source graphs and a one-class ontology."""
    from tests.support import copy_mini

    return copy_mini(tmp_path / "repo")


def make_settings(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "root": root,
        "store": "memory",
        "data_dir": root / "var",
        "query_workers": 1,
        "query_timeout": 10.0,
        "public_url": "http://testserver.example",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
def mini_store(mini_root: Path) -> Iterator[KgStore]:
    store = prepare_store(make_settings(mini_root), progress=False)
    yield store
    store.close()


@pytest.fixture()
def client(mini_root: Path, mini_store: KgStore) -> Iterator[TestClient]:
    app = create_app(make_settings(mini_root), mini_store)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
