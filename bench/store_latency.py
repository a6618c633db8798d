"""Read latency of the store backends on the real graph, against raw in-memory pyoxigraph.

Run: .venv/bin/python bench/store_latency.py [--runs 50]

Every backend loads the repository's ontology/, shapes/ and data/ the way `kg serve` does, then
each query runs --runs times (after one warm-up); the table gives the median and p90 in ms of
"evaluate + serialise to SPARQL JSON", the unit an HTTP request pays for. Timings on a shared
machine are noisy: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, Store

from kg.formats import RESULT_FORMATS
from kg.layout import discover, project_root
from kg.settings import Settings
from kg.sparql.evaluate import QueryRequest
from kg.sparql.operation import Form
from kg.startup import prepare_store

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    root = project_root()
    raw = Store()
    for gf in discover(root):
        raw.bulk_load(path=str(gf.path), format=RdfFormat.TURTLE, to_graph=NamedNode(gf.graph))
    json_fmt = RESULT_FORMATS[0]
    tmp = Path(tempfile.mkdtemp())
    backends: dict[str, Callable[[str], object]] = {
        "pyoxigraph in memory (raw)": lambda q: raw.query(
            q, use_default_graph_as_union=True
        ).serialize(format=QueryResultsFormat.JSON),  # type: ignore[union-attr]
    }
    stores = {}
    for label, kind, workers in (
        ("embedded, inline", "embedded", 0),
        ("embedded, forked worker (server default)", "embedded", 2),
        ("disk (RocksDB), inline", "disk", 0),
    ):
        settings = Settings(
            root=root, store=kind, data_dir=tmp / label.split(",")[0], query_workers=workers
        )
        time.perf_counter()
        store = prepare_store(settings, progress=False)
        stores[label] = store
        backends[label] = lambda q, s=store: s.execute(
            QueryRequest(q, Form.SELECT, json_fmt, 100_000, 30.0)
        )
    names = list(backends)
    for _qname, text in QUERIES.items():
        cells = []
        for name in names:
            median, p90 = timed(lambda n=name, t=text: backends[n](t), args.runs)
            cells.append(f"{median:.2f} / {p90:.2f}")
    for store in stores.values():
        store.close()


if __name__ == "__main__":
    main()
