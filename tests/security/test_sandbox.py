"""The workers' audit hook fires: real workers run jobs that misbehave (see tests/jobs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.errors import Forbidden
from kg.store.base import Store
from tests.jobs import Connect, ImportLate, OpenFile
from tests.security.listener import Listener


def test_reading_a_file_outside_the_code_is_refused(mini_store: Store) -> None:
    with pytest.raises(Forbidden) as caught:
        mini_store.run(OpenFile("/etc/passwd"))
    assert "sandbox refused open '/etc/passwd'" in caught.value.message
    assert caught.value.details["policy"] == "sandbox"


def test_reading_the_data_of_the_server_is_refused(mini_store: Store, mini_root: Path) -> None:
    with pytest.raises(Forbidden, match="sandbox refused open"):
        mini_store.run(OpenFile(str(mini_root / "data" / "source-a.ttl")))


def test_a_socket_connection_is_refused_and_never_made(mini_store: Store) -> None:
    with Listener() as listener:
        with pytest.raises(Forbidden, match=r"sandbox refused socket\.connect"):
            mini_store.run(Connect(listener.port))
        assert listener.connections == 0


def test_python_may_still_read_its_own_code(mini_store: Store) -> None:
    """Lazy imports and source reads (tracebacks) keep working while a job runs."""
    for module in ("graphlib", "yaml.cyaml"):
        loaded_before, name = mini_store.run(ImportLate(module))
        assert (loaded_before, name) == (False, module)
    assert mini_store.run(OpenFile(kg.__file__)).startswith(b'"""')
    # The worker is still usable afterwards, with the hook in place.
    with pytest.raises(Forbidden):
        mini_store.run(OpenFile("/etc/hostname"))
