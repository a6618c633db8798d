"""Fixtures for the canned-query tests: the real repository served by the app, loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings

from kg.api.app import create_app
from kg.startup import prepare_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


@pytest.fixture(scope="session")
def repo_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app over every graph of this repository (ontology/, shapes/, data/, queries/)."""
    settings = make_settings(ROOT, data_dir=tmp_path_factory.mktemp("kg-data"))
    store = prepare_store(settings, progress=False)
    app = create_app(settings, store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    store.close()
