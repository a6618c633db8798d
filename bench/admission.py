"""Fair admission: does a cheap query stay fast while hostile clients load the server?

Run: .venv/bin/python bench/admission.py [--samples 200] [--runaways 4] [--timeout 5]

Starts `python -m kg serve` (embedded store, all of data/, writes enabled) on a free port and
measures the latency of `ASK {}` from a separate client (one request every 20 ms, request to
last byte) in three scenarios, printing p50/p90/p99/max in ms:

1. alone;
2. with --runaways clients (each a client of its own, by its token) each sending a runaway query
   (a cross product of the whole graph) and sending it again as soon as it is answered (503 at
   the deadline or busy, 429 past its budget);
3. with one client re-sending a 98 KB pathological query (`a.` repeated 49,000 times) and one
   re-sending a 10 MB upload to /validate (the largest body the server takes).

Also prints what the hostile clients got back (status counts) and the server's CPU time.
Timings on a shared machine are noisy: compare the scenarios of one run.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import cpu_seconds, free_port, process_tree, start, stop  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y }"
PATHOLOGICAL = "SELECT * WHERE { ?s ?p ?o } " + "a." * 49_000
CHEAP = "ASK {}"
CLIENT_TOKENS = [f"bench-client-{i}-token-0123456789" for i in range(16)]


def big_upload(limit: int = 10_000_000, nodes: int = 9_900) -> bytes:
    """Nearly ``limit`` bytes of Turtle, ``nodes`` NGOs with long labels: two triples each, so
    under the write limit of 20,000 triples, and the upload is parsed and then validated."""
    head = (
        "@prefix unhr: <https://w3id.org/unhr/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )
    fixed = len('<https://w3id.org/unhr/id/org/ngo/bench-0000> a unhr:NGO ; rdfs:label " "@en .\n')
    pad = "x" * ((limit - len(head)) // nodes - fixed - 8)
    lines = [head]
    for n in range(nodes):
        node = f"<https://w3id.org/unhr/id/org/ngo/bench-{n:04d}>"
        lines.append(f'{node} a unhr:NGO ; rdfs:label "{pad} {n}"@en .\n')
    return "".join(lines).encode()


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]

    return (
        f"p50 {at(0.5):7.1f}  p90 {at(0.9):7.1f}  p99 {at(0.99):7.1f}  max {ordered[-1]:7.1f}"
        f"  (n={len(values)}, mean {statistics.fmean(values):.1f})"
    )


def measure_cheap(base: str, samples: int) -> list[float]:
    out: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(samples):
            started = time.perf_counter()
            response = client.get("/sparql", params={"query": CHEAP, "format": "json"})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"ASK failed: {response.status_code} {response.text[:200]}")
            out.append(elapsed)
            time.sleep(0.02)
    return out


def hostile(
    base: str,
    stop: threading.Event,
    statuses: Counter[str],
    send: Callable[[httpx.Client], int],
    token: str,
) -> None:
    # Each hostile client is a client of its own for the per-client budgets (its own token).
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        while not stop.is_set():
            try:
                statuses[str(send(client))] += 1
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1


def scenario(
    name: str, base: str, samples: int, senders: list[Callable[[httpx.Client], int]]
) -> None:
    stop = threading.Event()
    statuses: Counter[str] = Counter()
    threads = [
        threading.Thread(
            target=hostile, args=(base, stop, statuses, s, CLIENT_TOKENS[i]), daemon=True
        )
        for i, s in enumerate(senders)
    ]
    for t in threads:
        t.start()
    if senders:
        time.sleep(2.0)  # let the hostile load build up
    try:
        latencies = measure_cheap(base, samples)
    finally:
        stop.set()
    for t in threads:
        t.join(timeout=120)
    print(f"{name:42} {percentiles(latencies)}")
    if statuses:
        print(f"{'':42} hostile requests answered: {dict(sorted(statuses.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="ASK requests per scenario")
    parser.add_argument("--runaways", type=int, default=4, help="runaway clients")
    parser.add_argument(
        "--timeout", type=float, default=5.0, help="the server's query deadline (KG_QUERY_TIMEOUT)"
    )
    args = parser.parse_args()
    token = "bench-token-0123456789abcdef"  # noqa: S105 - a throw-away server's token
    upload = big_upload()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        tokens = ",".join(f"client{i}:{t}" for i, t in enumerate(CLIENT_TOKENS))
        env = {
            "KG_STORE": "embedded",
            "KG_WRITE_TOKENS": f"bench:{token},{tokens}",
            "KG_QUERY_TIMEOUT": str(args.timeout),
        }
        proc = start(ROOT, Path(tmp) / "var", port, env)
        if proc is None:
            raise SystemExit("the port was taken; run again")
        base = f"http://127.0.0.1:{port}"
        try:
            print(f"server on {base}; 10 MB upload: {len(upload):,} bytes")
            scenario("ASK alone", base, args.samples, [])

            def runaway(client: httpx.Client) -> int:
                return client.get("/sparql", params={"query": RUNAWAY}).status_code

            scenario(
                f"ASK with {args.runaways} runaway clients re-sending",
                base,
                args.samples,
                [runaway] * args.runaways,
            )

            def pathological(client: httpx.Client) -> int:
                return client.post(
                    "/sparql",
                    content=PATHOLOGICAL,
                    headers={"Content-Type": "application/sparql-query"},
                ).status_code

            def validate(client: httpx.Client) -> int:
                return client.post(
                    "/validate", content=upload, headers={"Content-Type": "text/turtle"}
                ).status_code

            scenario(
                "ASK with the 98 KB query and a 10 MB upload",
                base,
                args.samples,
                [pathological, validate],
            )
            tree = process_tree(proc.pid)
            print(f"CPU time of the server's processes: {cpu_seconds(tree):.1f} s")
        finally:
            stop(proc, signal.SIGTERM)


if __name__ == "__main__":
    main()
