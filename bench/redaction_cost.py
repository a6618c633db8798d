"""Cost of a redaction as the history of change sets grows, and of the restart after it.

Run: .venv/bin/python bench/redaction_cost.py [--histories 100 1000 5000]

The real repository is loaded into an embedded store whose journal already holds N change sets
(each 10 triples in its own graph, with the description the server writes into the metadata
graph), written straight to the journal so that building the history is cheap. Then one change
set in the middle is redacted through the write path (reading every change set's record, the
journal rewritten, the store changed), and the store is started again (replay, the redaction
redone). Printed: journal size, redaction time, start time after it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from kg.curation.changes import Change, changeset_graph, new_changeset_id, provenance
from kg.curation.service import CurationService, Limits
from kg.layout import project_root
from kg.settings import Settings
from kg.startup import prepare_store
from kg.store.base import ChangeSet
from kg.store.journal import Journal
from kg.terms import Quad, URIRef, literal
from kg.validation import ValidationReport

ID = "https://w3id.org/unhr/id/"


def history(path: Path, count: int) -> list[str]:
    """Write ``count`` change sets of 10 triples to a fresh journal; their ids."""
    journal = Journal(path)
    report = ValidationReport(True, (), Graph())
    ids = []
    for n in range(count):
        cs_id = new_changeset_id()[:-6] + f"{n:06x}"
        graph = URIRef(changeset_graph(cs_id))
        node = URIRef(f"{ID}org/ngo/bench-{n}")
        added = tuple(
            Quad(node, URIRef(f"https://example.org/p{k}"), literal(f"value {n}.{k}"), graph)
            for k in range(10)
        )
        change = Change(cs_id, "ingest", (), added, report, True)
        record = provenance(
            change, curator="bench", comment=f"bench {n}", source=None, reverts=None
        )
        journal.append(ChangeSet(cs_id, (), (*added, *record), {"curator": "bench"}))
        ids.append(cs_id)
    journal.close()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()
    print("| change sets | journal MB | redaction s | start after it s |")
    print("|---:|---:|---:|---:|")
    for count in args.histories:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp)
            ids = history(data_dir / "journal.jsonl", count)
            settings = Settings(
                root=project_root(), data_dir=data_dir, store="embedded", query_workers=1
            )
            store = prepare_store(settings, progress=False)
            try:
                service = CurationService(
                    store, Limits(max_triples=20_000, max_nesting=256, timeout=300)
                )
                started = time.perf_counter()
                service.redact(ids[count // 2], admin="bench", reason="bench")
                redaction = time.perf_counter() - started
            finally:
                store.close()
            size = (data_dir / "journal.jsonl").stat().st_size / 1e6
            started = time.perf_counter()
            prepare_store(settings, progress=False).close()
            restart = time.perf_counter() - started
            print(f"| {count} | {size:.1f} | {redaction:.2f} | {restart:.1f} |")


if __name__ == "__main__":
    main()
