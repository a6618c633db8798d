"""Shared fixtures: the real graph of this repository, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.layout import discover

ROOT = Path(__file__).resolve().parent.parent


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
