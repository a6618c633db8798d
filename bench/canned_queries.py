"""HTTP latency of the canned queries (queries/*.rq) against a real `kg serve` process.

Run: .venv/bin/python bench/canned_queries.py [--runs 20] [--workers 2] [--defaults]
                                              [--dataset ga-votes [--dataset sc-votes …]]

Starts `python -m kg serve` on 127.0.0.1 on a free port with a throw-away KG_DATA_DIR, waits
for /healthz, then requests every canned query with the parameters of its first case in
tests/queries/cases.yaml, or with none (its declared defaults) under --defaults (`Accept:
text/csv`): one warm-up, then --runs timed requests. Prints the median and p90 in ms (request
to last byte, keep-alive) per query and stops the server; a query that answers 503 (deadline)
is reported as a timeout. With --dataset, the voting data set is first converted into the
throw-away data folder (as `kg load --dataset` does; --dataset-input gives its folder), so the
server loads it at start; the conversion and start-up times are printed.
Timings on a shared machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "queries" / "cases.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f}s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed requests per query")
    parser.add_argument("--workers", type=int, default=None, help="KG_QUERY_WORKERS")
    parser.add_argument(
        "--defaults", action="store_true", help="request every query with its default parameters"
    )
    parser.add_argument(
        "--dataset",
        action="append",
        default=[],
        help="load this voting data set too (ga-votes, sc-votes, hrc-votes; repeatable)",
    )
    parser.add_argument(
        "--dataset-input", type=Path, default=None, help="input folder (with one --dataset)"
    )
    parser.add_argument("--timeout", type=float, default=None, help="KG_QUERY_TIMEOUT")
    args = parser.parse_args()

    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as data_dir:
        env = {
            **os.environ,
            "KG_HOST": "127.0.0.1",
            "KG_PORT": str(port),
            "KG_DATA_DIR": data_dir,
            "KG_ROOT": str(ROOT),
            "KG_LOG_LEVEL": "warning",
            # One client asks everything: the per-client budget would cut the run short.
            "KG_CLIENT_BUDGET_SECONDS": "1000000",
        }
        if args.workers is not None:
            env["KG_QUERY_WORKERS"] = str(args.workers)
        if args.timeout is not None:
            env["KG_QUERY_TIMEOUT"] = str(args.timeout)
        for name in args.dataset:
            from kg.importers.history import default_input, spec
            from kg.importers.history.cache import convert

            source = args.dataset_input or default_input(ROOT, spec(name))
            record, _ = convert(name, source, ROOT, Path(data_dir), progress=False)
            print(f"converted {name}: {record.triples:,} triples in {record.seconds:.1f}s")
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_ready(base, proc, timeout=900.0 if args.dataset else 120.0)
            print(f"server ready on {base} in {time.monotonic() - started:.1f}s")
            rows = []
            with httpx.Client(base_url=base, headers={"Accept": "text/csv"}, timeout=120) as c:
                for name in sorted(cases):
                    params = {k: str(v) for k, v in (cases[name][0].get("params") or {}).items()}
                    if args.defaults:
                        params = {}
                    try:
                        warm = c.get(f"/queries/{name}", params=params)
                    except httpx.TimeoutException:
                        warm = None
                    if warm is None or warm.status_code == 503:
                        rows.append((name, -1, float("inf"), float("inf")))
                        print(f"{name}: timeout", flush=True)
                        continue
                    if warm.status_code != 200:
                        raise SystemExit(f"{name}: HTTP {warm.status_code}: {warm.text[:200]}")
                    n_rows = int(warm.headers.get("x-kg-rows", "0"))
                    times = []
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        response = c.get(f"/queries/{name}", params=params)
                        response.read()
                        times.append((time.perf_counter() - t0) * 1000)
                        assert response.status_code == 200, (name, response.status_code)
                    rows.append((name, n_rows, statistics.median(times), percentile(times, 0.9)))
                    print(f"{name}: p50 {rows[-1][2]:.1f} ms", flush=True)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    width = max(len(r[0]) for r in rows)
    print(f"\n{args.runs} runs per query after one warm-up; ms, request to last byte\n")
    print(f"| {'query':<{width}} | rows | median ms | p90 ms |")
    print(f"|{'-' * (width + 2)}|-----:|----------:|-------:|")
    for name, n_rows, median, p90 in rows:
        if n_rows < 0:
            print(f"| {name:<{width}} |    - |   timeout |      - |")
            continue
        print(f"| {name:<{width}} | {n_rows:>4} | {median:>9.1f} | {p90:>6.1f} |")
    slow = [r[0] for r in rows if r[2] > 100]
    print(f"\nover 100 ms (p50) or timed out: {', '.join(slow) or 'none'}")


if __name__ == "__main__":
    main()
