"""Read latency of the store (its worker path) on the real graph, against raw pyoxigraph.

Run: .venv/bin/python bench/store_latency.py [--runs 50]

Both load the repository's ontology/, shapes/ and data/ the way `kg serve` does, then each query
runs --runs times (after one warm-up); the table gives the median and p90 in ms of "evaluate +
serialise to SPARQL JSON", the unit an HTTP request pays for. The store's path is a job sent to a
worker process, whose deadline can stop it. Timings on a shared machine are noisy: compare the
ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Store

from kg.formats import JSON_RESULTS
from kg.layout import discover, project_root
from kg.settings import Settings
from kg.sparql.operation import Form
from kg.startup import prepare_store
from kg.store.base import QueryRequest

P = """PREFIX unhr: <https://w3id.org/unhr/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "entity card": P + """SELECT ?p ?o WHERE { <https://w3id.org/unhr/id/state/PRK> ?p ?o }""",
    "tally of a resolution": P
    + """SELECT ?y ?n ?a WHERE {
        ?v unhr:onDocument <https://w3id.org/unhr/id/doc/A/RES/69/188> ;
           unhr:yesCount ?y ; unhr:noCount ?n ; unhr:abstainCount ?a }""",
    "ROK vs China cohesion": P
    + """SELECT (COUNT(DISTINCT ?v) AS ?votes)
        (SUM(IF(?same, 1, 0)) AS ?identical) WHERE {
        ?v a unhr:VoteEvent ; ?pa <https://w3id.org/unhr/id/state/KOR> ;
           ?pb <https://w3id.org/unhr/id/state/CHN> .
        FILTER(?pa IN (unhr:votedYes, unhr:votedNo, unhr:abstained, unhr:nonVoting))
        FILTER(?pb IN (unhr:votedYes, unhr:votedNo, unhr:abstained, unhr:nonVoting))
        BIND(?pa = ?pb AS ?same) }""",
    "yes on every GA vote": P
    + """SELECT ?state WHERE {
        ?v unhr:votingBody <https://w3id.org/unhr/id/org/unga> ; unhr:votedYes ?state }
        GROUP BY ?state HAVING (COUNT(DISTINCT ?v) = 9)""",
    "label search": P
    + """SELECT DISTINCT ?s ?l WHERE { ?s rdfs:label ?l
        FILTER(CONTAINS(LCASE(STR(?l)), "korea")) }""",
    "count everything": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    root = project_root()
    raw = Store()
    for gf in discover(root):
        raw.bulk_load(path=str(gf.path), format=RdfFormat.TURTLE, to_graph=NamedNode(gf.graph))
    settings = Settings(root=root, store="memory", data_dir=Path(tempfile.mkdtemp()))
    store = prepare_store(settings, progress=False)
    backends: dict[str, Callable[[str], object]] = {
        "pyoxigraph in memory (raw)": lambda q: raw.query(  # type: ignore[union-attr]
            q, use_default_graph_as_union=True
        ).serialize(format=QueryResultsFormat.JSON),
        "store, worker process (server path)": lambda q: store.query(
            QueryRequest(q, Form.SELECT, JSON_RESULTS, 100_000, 30.0)
        ),
    }
    names = list(backends)
    print(f"{'query':24} " + " | ".join(f"{n:>36}" for n in names))
    print("median / p90 in ms")
    try:
        for qname, text in QUERIES.items():
            cells = []
            for name in names:
                median, p90 = timed(lambda n=name, t=text: backends[n](t), args.runs)
                cells.append(f"{median:.2f} / {p90:.2f}")
            print(f"{qname:24} " + " | ".join(f"{c:>36}" for c in cells))
    finally:
        store.close()


if __name__ == "__main__":
    main()
