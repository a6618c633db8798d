"""The real server as a subprocess (``python -m kg serve``) on a free port, for tests."""

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree(pid: int) -> set[int]:
    """``pid`` and its live descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                state, ppid = fh.read().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue
        if state != "Z":
            children.setdefault(int(ppid), []).append(int(entry))
    found = {pid}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids of ``pids`` that are running (zombies and gone processes are not)."""
    running = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def reap() -> None:
    """Collect exited processes this (subreaper) test process adopted."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def cpu_seconds(pids: set[int]) -> float:
    """CPU time (user + system) the processes ``pids`` have used so far, in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def wait_gone(pids: set[int], timeout: float = 10) -> set[int]:
    """Wait until none of ``pids`` runs (reaping what this process adopted); what still runs."""
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        reap()
        time.sleep(0.05)
    reap()
    return alive(pids)


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGKILL) -> set[int]:
    """Signal a server and wait for it and every process it started; what still runs."""
    tree = process_tree(proc.pid) if proc.poll() is None else set()
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=30)
    return wait_gone(tree)


def start(
    root: Path, data_dir: Path, port: int, env: dict[str, str], *, timeout: float = 60
) -> subprocess.Popen[bytes] | None:
    """Start a server; None when the port was taken meanwhile."""
    full_env = {
        **os.environ,
        "KG_ROOT": str(root),
        "KG_DATA_DIR": str(data_dir),
        "KG_PORT": str(port),
        "KG_HOST": "127.0.0.1",
        "KG_QUERY_WORKERS": "1",
        "KG_LOG_LEVEL": "warning",
        **env,
    }
    # The server's log goes to a file (a pipe nobody reads would fill up and block it).
    log_path = data_dir.parent / f"server-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve"],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            err = log_path.read_text(errors="replace")
            if "address already in use" in err:
                return None
            raise AssertionError(f"server did not start: {err[-3000:]}")
        time.sleep(0.1)


@contextmanager
def server(
    root: Path, data_dir: Path, *, port: int | None = None, **env: str
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A running server (a port taken meanwhile by another process is retried)."""
    for _attempt in range(3):
        chosen = port or free_port()
        proc = start(root, data_dir, chosen, env)
        if proc is not None:
            break
    else:
        raise AssertionError("server did not start on any of 3 ports")
    tree = process_tree(proc.pid)
    try:
        yield proc, chosen
    finally:
        stop(proc)
        wait_gone(tree)
