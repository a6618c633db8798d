"""What the query policy adds: the pre-check, rdflib's parse, a SERVICE query, the audit hook.

Run: .venv/bin/python bench/policy_cost.py [--repeat 5]

1. For each canned query (``queries/*.rq``): the time of the pre-check
   (:func:`kg.sparql.outbound.may_reach_out`, what every query pays) and whether it sends the
   query to rdflib's parser; and, for comparison, what rdflib's parse + algebra would cost.
2. A SERVICE query: the policy's whole preparation (parse, checks, locating the clause, the
   re-parse of the rewritten text) with the HTTP call replaced by a constant answer.
3. The audit hook: an audited event (``sys._getframe``) with no hook, with the worker's hook
   inactive, and active; and an ``open`` of an allowed file with the hook active.

Each figure is the best of --repeat runs (the least disturbed by other load on the machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def canned(repeat: int) -> None:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.queries import load_registry
    from kg.sparql.outbound import may_reach_out

    print("canned query                      pre-check   parse?   rdflib parse+algebra")
    checks, parses = [], []
    for query in load_registry(ROOT / "queries"):
        check = best(lambda q=query: may_reach_out(q.text), repeat)
        parse = best(lambda q=query: translateQuery(parseQuery(q.text)), repeat)
        checks.append(check)
        parses.append(parse)
        print(
            f"{query.name:32s} {check * 1e6:8.1f} µs   {may_reach_out(query.text)!s:6s} "
            f"{parse * 1e3:10.1f} ms"
        )
    print(
        f"median: pre-check {statistics.median(checks) * 1e6:.1f} µs, "
        f"rdflib {statistics.median(parses) * 1e3:.1f} ms (not paid: no query needs it)"
    )


def service(repeat: int) -> None:
    from kg.sparql.federation import Federation, federate
    from kg.sparql.outbound import read_query
    from kg.sparql.policy import Policy
    from kg.sparql.service_client import Table

    endpoint = "https://query.example.org/sparql"
    policy = Policy(Federation(endpoints=frozenset({endpoint})))
    text = (
        "PREFIX unhr: <https://w3id.org/unhr/ontology#>\n"
        "SELECT ?state ?iso ?note WHERE {\n  ?state unhr:iso3 ?iso .\n"
        f"  SERVICE <{endpoint}> {{ ?state <http://x/note> ?note }}\n}} ORDER BY ?iso"
    )
    answer = Table(
        ("state", "note"),
        tuple(
            {
                "state": {"type": "uri", "value": f"https://w3id.org/unhr/id/state/S{i}"},
                "note": {"type": "literal", "value": f"note {i}"},
            }
            for i in range(100)
        ),
    )

    def fake_call(*_: Any, **__: Any) -> Table:
        return answer

    def prepare() -> None:
        reading = policy.read_query(text, known_graphs=frozenset)
        assert reading is not None
        federate(text, reading, policy.federation, caller=fake_call)

    parse = best(lambda: read_query(text), repeat)
    whole = best(prepare, repeat)
    print(
        f"SERVICE query: parse + algebra {parse * 1e3:.1f} ms; the whole preparation (checks, "
        f"locating the clause, 100-row VALUES, re-parse) {whole * 1e3:.1f} ms"
    )


HOOK_SCRIPT = r"""
import sys, time
from kg.workers.sandbox import Sandbox, code_roots
import kg
N = 200_000
def events():
    start = time.perf_counter()
    for _ in range(N):
        sys._getframe()
    return (time.perf_counter() - start) / N
def opens():
    start = time.perf_counter()
    for _ in range(2000):
        with open(kg.__file__, "rb"):
            pass
    return (time.perf_counter() - start) / 2000
base_event, base_open = min(events() for _ in range(3)), min(opens() for _ in range(3))
box = Sandbox(code_roots())
box.install()
inactive = min(events() for _ in range(3))
with box.active():
    active = min(events() for _ in range(3))
    active_open = min(opens() for _ in range(3))
print(f"audited event: {base_event*1e9:.0f} ns without a hook, {inactive*1e9:.0f} ns with the "
      f"hook inactive, {active*1e9:.0f} ns active; open() of an allowed file: "
      f"{base_open*1e6:.1f} µs without, {active_open*1e6:.1f} µs with the hook active")
"""


def hook() -> None:
    # In a child process: an audit hook cannot be removed again.
    subprocess.run([sys.executable, "-c", HOOK_SCRIPT], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    canned(args.repeat)
    service(args.repeat)
    hook()


if __name__ == "__main__":
    main()
