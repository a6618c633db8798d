"""Do reads stay fast while curators write?

Run: .venv/bin/python bench/reads_under_writes.py [--seconds 20] [--readers 6] [--writers 2]

Starts `python -m kg serve` (embedded store, all of data/, two idle query workers) on a free
port and measures the latency of reads (request to last byte) from ``--readers`` clients, each
sending as fast as it is answered a mix of an entity lookup, a label search and the
`vote-tallies` canned query, in two phases of ``--seconds`` each:

1. readers alone;
2. readers and ``--writers`` curators, each sending `INSERT DATA` of a new alternative label of a
   state (a real, SHACL-gated write) as fast as it is acknowledged.

Prints read p50/p90/p99 per phase, their ratio, the writes acknowledged and, from /metrics, how
many workers were forked and how many caught up with the writes by replaying them. 8 clients
by default (6 readers, 2 writers). Timings on a shared machine are noisy: compare the phases of
one run.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import free_port, start, stop  # noqa: E402

ID = "https://w3id.org/unhr/id/"
READS = [
    ("/sparql", {"query": f"SELECT ?p ?o WHERE {{ <{ID}state/PRK> ?p ?o }}", "format": "json"}),
    (
        "/sparql",
        {
            "query": "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
            'FILTER(CONTAINS(LCASE(STR(?l)), "korea")) }',
            "format": "json",
        },
    ),
    ("/queries/vote-tallies", {"format": "json"}),
]


def at(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def reader(base: str, stop_at: float, out: list[float], errors: Counter[str]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        n = 0
        while time.monotonic() < stop_at:
            path, params = READS[n % len(READS)]
            n += 1
            started = time.perf_counter()
            response = client.get(path, params=params)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                errors[f"read {response.status_code}"] += 1
                continue
            out.append(elapsed)


def writer(base: str, token: str, who: int, stop_at: float, done: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            label = f"bench label {who}-{n}"
            update = (
                f"INSERT DATA {{ <{ID}state/KOR> "
                f'<http://www.w3.org/2004/02/skos/core#altLabel> "{label}"@en }}'
            )
            response = client.post("/sparql", content=update)
            if response.status_code != 201:
                raise SystemExit(f"write refused: {response.status_code} {response.text[:300]}")
            done.append(1)


def pool_counters(base: str) -> dict[str, float]:
    text = httpx.get(base + "/metrics", timeout=30).text
    found: dict[str, float] = {}
    for name in ("spawned", "caught_up", "killed"):
        m = re.search(rf"^kg_pool_{name} (\S+)", text, re.M)
        if m:
            found[name] = float(m.group(1))
    return found


def phase(
    base: str, seconds: float, readers: int, writers: int, token: str
) -> tuple[list[float], int, Counter[str]]:
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    done: list[int] = []
    threads = [
        threading.Thread(target=reader, args=(base, stop_at, latencies, errors))
        for _ in range(readers)
    ] + [
        threading.Thread(target=writer, args=(base, token, w, stop_at, done))
        for w in range(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, len(done), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    token = "bench-token-0123456789abcdef"  # noqa: S105 - a throw-away server's token
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            "KG_STORE": "embedded",
            "KG_WRITE_TOKENS": f"bench:{token}",
            "KG_QUERY_WORKERS": "2",
            # The readers are one client (one address): lift the per-client budget.
            "KG_CLIENT_BUDGET_SECONDS": "100000",
        }
        proc = start(ROOT, Path(tmp) / "var", port, env)
        if proc is None:
            raise SystemExit("the port was taken; run again")
        base = f"http://127.0.0.1:{port}"
        try:
            phase(base, 2.0, args.readers, 0, token)  # warm-up
            idle, _, idle_errors = phase(base, args.seconds, args.readers, 0, token)
            before = pool_counters(base)
            mixed, writes, mixed_errors = phase(
                base, args.seconds, args.readers, args.writers, token
            )
            after = pool_counters(base)
        finally:
            stop(proc, signal.SIGTERM)
    print("| phase | reads | p50 ms | p90 ms | p99 ms | writes acknowledged |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, values, w in (("readers alone", idle, 0), ("readers + writers", mixed, writes)):
        print(
            f"| {name} | {len(values)} | {at(values, 0.5):.1f} | {at(values, 0.9):.1f} "
            f"| {at(values, 0.99):.1f} | {w} |"
        )
    print(
        f"\nread p50 under writes / idle p50: {at(mixed, 0.5) / at(idle, 0.5):.2f}x; "
        f"p99: {at(mixed, 0.99) / at(idle, 0.99):.2f}x"
    )
    delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    print(f"during the writes: workers {delta} (from /metrics)")
    if idle_errors or mixed_errors:
        print(f"errors: {dict(idle_errors + mixed_errors)}")


if __name__ == "__main__":
    main()
