"""Load: eight curators and a greedy client on the real server, with the repository's data.

80 s of load in 5 s segments that alternate the curators alone (``calm``) and the curators with
a greedy client (``greedy``); ``tests/loadgen.py`` says what each client does. Then:

- no error: every request got the one status it may get (no 5xx, no connection error, no 429
  for a curator), and ``/readyz`` and ``/metrics`` answered in every segment;
- the server's request counter rose by at least the number of requests the clients made (and
  by no more than those and the scrapes), and counted every 429;
- the greedy client, past its budget (30 s of query time per 40 s here), got 429 with
  ``Retry-After``, and the curators kept their latency: their reads' p50 and p99 in the greedy
  segments over those in the calm ones stay under tolerant bounds (with the budget check
  removed, the greedy client takes the workers and the p50 bound fails by far);
- every acknowledged write is in the store (and every reverted one is not), and every change set
  is listed, before and after a restart on the same data directory (the first server is killed
  with SIGKILL: the writes come back from the journal).

The server runs with its default settings but for the budget, and a cheap-query threshold of 2 s
(see ``server_env``).

Ratios, counts and generous absolute caps only, as the machine may be shared and noisy. The
figures go to ``load-summary.json`` in the test's tmp dir, and to stdout.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.loadgen import (
    AUDITOR,
    READS,
    WRITES,
    Plan,
    check_writes,
    curator_tokens,
    gauge,
    requests_counted,
    run,
    sample_rows,
    server_env,
    summary,
)
from tests.server import server

pytestmark = pytest.mark.load

CURATORS = curator_tokens(8)
BUDGET_SECONDS = 30.0
BUDGET_WINDOW = 40.0
SEGMENTS = (("calm", 5.0), ("greedy", 5.0)) * 8
ENV = server_env(CURATORS, BUDGET_SECONDS, BUDGET_WINDOW)
#: Bounds on the curators' read latency, greedy segments over calm ones.
P50_RATIO = 3.0
P99_RATIO = 5.0
#: Absolute caps (generous: a shared machine is slow), in ms.
READ_P99_CAP = 10_000
WRITE_P99_CAP = 20_000


@pytest.mark.timeout(300)
def test_load_with_a_greedy_client(repo_root: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    with server(repo_root, data_dir, **ENV) as (_, port):
        base = f"http://127.0.0.1:{port}"
        counted_before = requests_counted(base)
        result = run(Plan(base=base, curators=CURATORS, segments=SEGMENTS))
        figures = summary(result, BUDGET_WINDOW)
        # The server counts a request once it has answered it: wait for the last ones.
        made = sum(1 for s in result.samples if s.status is not None)
        scrapes = 1
        deadline = time.monotonic() + 10
        while (counted := requests_counted(base) - counted_before) < made + scrapes:
            if time.monotonic() > deadline:
                break
            scrapes += 1
            time.sleep(0.05)
        figures["requests_counted_by_metrics"] = counted
        budget_refusals = gauge(base, "kg_budget_refusals")
        counted_429 = requests_counted(base, status="429")
        problems = check_writes(base, AUDITOR[1], result.ledger)
    path = tmp_path / "load-summary.json"
    path.write_text(json.dumps(figures, indent=2))
    with open(tmp_path / "load-samples.jsonl", "w") as out:
        out.writelines(json.dumps(row) + "\n" for row in sample_rows(result.samples))
    print(f"\nload summary ({path}):\n{json.dumps(figures, indent=2)}")

    assert figures["errors"] == 0, figures["first_errors"]
    per_kind = figures["per_kind"]
    assert set(per_kind) == {*READS, *WRITES, "validate", "greedy", "readyz", "metrics"}
    assert figures["acknowledged_writes"] >= 10 and figures["reverted"] >= 1
    for probe in ("readyz", "metrics"):
        answered_in = {s.segment for s in result.samples if s.kind == probe}
        assert answered_in == {"calm", "greedy"}, (probe, answered_in)
    assert made + scrapes == counted, f"metrics count {counted}, clients made {made}"

    # The curators keep their latency while the greedy client is about.
    ratios = figures["ratios"]
    assert ratios["p50_greedy_over_calm"] <= P50_RATIO, figures["curator_reads_ms"]
    assert ratios["p99_greedy_over_calm"] <= P99_RATIO, figures["curator_reads_ms"]
    for kind in READS:
        assert per_kind[kind]["p99_ms"] <= READ_P99_CAP, (kind, per_kind[kind])
    for kind in (*WRITES, "validate"):
        assert per_kind[kind]["p99_ms"] <= WRITE_P99_CAP, (kind, per_kind[kind])

    # The greedy client was served, then refused with Retry-After (checked on every 429), and
    # only it: the server's counters agree with what the clients saw.
    assert figures["statuses"].get("greedy 200", 0) > 0 and figures["429_issued"] > 0
    over_budget = [s for s in result.samples if s.limit == "KG_CLIENT_BUDGET_SECONDS"]
    assert over_budget and {s.who for s in over_budget} == {"greedy"}
    # Retry-After: when enough of the client's spending has left the window.
    assert all(1 <= int(str(s.retry_after)) <= BUDGET_WINDOW for s in over_budget)
    assert budget_refusals == len(over_budget)
    assert counted_429 == figures["429_issued"]

    # Every acknowledged write is there, and still there after a restart.
    assert not problems, problems
    with server(repo_root, data_dir, **ENV) as (_, port):
        after_restart = check_writes(f"http://127.0.0.1:{port}", AUDITOR[1], result.ledger)
    assert not after_restart, after_restart
