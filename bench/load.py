"""Load: the scenario of tests/test_load.py, for longer, with the figures as Markdown.

Run: .venv/bin/python bench/load.py [--minutes 5] [--segment 10] [--json figures.json]

Starts `python -m kg serve` on 127.0.0.1 (embedded store, all of data/, a fresh data directory)
and runs 8 curators (SPARQL reads of varied cost, canned queries with parameters, /validate,
INSERT DATA, ingests, reverts) for --minutes, in segments of --segment seconds alternately
without and with a greedy client (8 connections of CPU-bound queries, over its budget of query
time). Then checks that every acknowledged write is in the store, and again after a restart
(the first server is killed with SIGKILL), and prints the figures as Markdown tables: requests
served, p50/p99 per kind of request, 429s issued, errors, and the curators' read latency without
and with the greedy client. See tests/loadgen.py for what each client does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.loadgen import (  # noqa: E402
    AUDITOR,
    Plan,
    check_writes,
    curator_tokens,
    markdown,
    run,
    server_env,
    summary,
)
from tests.server import server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the load")
    parser.add_argument("--segment", type=float, default=10.0, help="seconds per segment")
    parser.add_argument("--curators", type=int, default=8, help="well-behaved clients")
    parser.add_argument("--budget", type=float, default=30.0, help="KG_CLIENT_BUDGET_SECONDS")
    parser.add_argument("--window", type=float, default=40.0, help="KG_CLIENT_BUDGET_WINDOW")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    curators = curator_tokens(args.curators)
    env = server_env(curators, args.budget, args.window)
    pairs = max(1, round(args.minutes * 60 / (2 * args.segment)))
    segments = (("calm", args.segment), ("greedy", args.segment)) * pairs
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        with server(ROOT, data_dir, **env) as (_, port):
            base = f"http://127.0.0.1:{port}"
            print(f"server on {base}; {len(segments)} segments of {args.segment:g} s", flush=True)
            result = run(Plan(base=base, curators=curators, segments=segments))
            figures = summary(result, args.window)
            problems = check_writes(base, AUDITOR[1], result.ledger)
        with server(ROOT, data_dir, **env) as (_, port):
            problems += [
                f"after a restart: {p}"
                for p in check_writes(f"http://127.0.0.1:{port}", AUDITOR[1], result.ledger)
            ]
    figures["write_problems"] = problems
    figures["machine_load_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    print()
    print(markdown(figures))
    print()
    print(
        "Every acknowledged write present, before and after a restart: "
        + ("yes" if not problems else "NO: " + "; ".join(problems))
    )
    print(
        f"Machine: {os.cpu_count()} CPUs, load average (1 min) {load_before:.1f} before the "
        f"run, {os.getloadavg()[0]:.1f} after."
    )
    for line in figures["first_errors"]:
        print(f"error: {line}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
