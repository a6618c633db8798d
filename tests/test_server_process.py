"""The real server as a subprocess: start, query, kill -9, restart, same data."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kg.store.base import ChangeSet
from kg.store.journal import Journal
from tests.support import GRAPH

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(root: Path, data_dir: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A running server on a free port (a port taken meanwhile by another process is retried)."""
    for _attempt in range(3):
        port = free_port()
        proc = _start(root, data_dir, port, env)
        if proc is not None:
            break
    else:
        raise AssertionError("server did not start on any of 3 ports")
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _start(
    root: Path, data_dir: Path, port: int, extra: dict[str, str]
) -> subprocess.Popen[bytes] | None:
    env = {
        **os.environ,
        **extra,
        "KG_ROOT": str(root),
        "KG_DATA_DIR": str(data_dir),
        "KG_PORT": str(port),
        "KG_HOST": "127.0.0.1",
        "KG_QUERY_WORKERS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            err = proc.stderr.read().decode() if proc.stderr else ""
            if "address already in use" in err:
                return None
            raise AssertionError(f"server did not start: {err[-2000:]}")
        time.sleep(0.2)


def query_count(port: int, query: str = COUNT) -> int:
    response = httpx.get(
        f"http://127.0.0.1:{port}/sparql",
        params={"query": query},
        headers={"Accept": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return int(response.text.split()[1])


def test_server_survives_kill_and_restart_with_the_same_data(
    mini_root: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    # A change set acknowledged before the first start: it must be there after every restart.
    journal = Journal(data_dir / "journal.jsonl")
    journal.append(
        ChangeSet(id="cs1", add_nquads=f'<urn:x:s> <urn:x:p> "1" <{GRAPH}changeset/cs1> .\n')
    )
    journal.close()
    with server(mini_root, data_dir) as (proc, port):
        before = query_count(port)
        assert query_count(port, "SELECT (COUNT(*) AS ?n) WHERE { <urn:x:s> ?p ?o }") == 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    with server(mini_root, data_dir) as (_, port):
        # The metadata graph records load times, which differ: compare everything else.
        assert query_count(port) == before
        assert query_count(port, "SELECT (COUNT(*) AS ?n) WHERE { <urn:x:s> ?p ?o }") == 1
        # Loading again does not duplicate anything.
        assert (
            query_count(
                port, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}source-a> {{ ?s ?p ?o }} }}"
            )
            == 11
        )
