"""Cost of gating a typical curator change set, as the stored graph grows.

Run: .venv/bin/python bench/validation_cost.py [--sizes 0 50000 200000 800000]

The real repository is loaded, then padded with synthetic vote triples (one direct triple per
vote, like the GA voting history) to reach each size. For each size the script times, median of
--runs runs:
- ingest gate: compute + SHACL-validate a typical ingest (4 new nodes, 14 triples, pointing at
  existing states and sources), without applying it (dry run);
- update gate: the same for a SPARQL `INSERT DATA` of one triple about an existing state, whose
  effect is computed in a worker, then validated;
- where gate: an update with a WHERE clause (a label on every state that has an ISO code), whose
  effect is computed as a SELECT with its template filled in, in a worker.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg.curation.service import CurationService, Limits
from kg.formats import by_name
from kg.layout import project_root
from kg.rdfio import parse
from kg.settings import Settings
from kg.startup import prepare_store
from kg.store.base import ChangeSet, Store
from kg.terms import Quad, URIRef

ID = "https://w3id.org/unhr/id/"
UNHR = "https://w3id.org/unhr/ontology#"
CHANGE = f"""@prefix unhr: <{UNHR}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}org/ngo/bench-a> a unhr:NGO ; rdfs:label "Bench NGO A"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
<{ID}org/ngo/bench-b> a unhr:NGO ; rdfs:label "Bench NGO B"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
<{ID}state/KOR> <http://www.w3.org/2004/02/skos/core#altLabel> "ROK"@en .
<{ID}state/PRK> <http://www.w3.org/2004/02/skos/core#altLabel> "DPRK"@en .
<{ID}person/bench-person> a unhr:Person ; rdfs:label "Bench Person"@en ;
  dcterms:source <{ID}source/nkdb-what-more> .
<{ID}org/ngo/bench-c> a unhr:NGO ; rdfs:label "Bench NGO C"@en ;
  dcterms:source <{ID}source/nkdb-what-more> .
"""
UPDATE = (
    f"INSERT DATA {{ GRAPH <https://w3id.org/unhr/graph/bench> {{ <{ID}state/KOR> "
    '<http://www.w3.org/2004/02/skos/core#altLabel> "Korea (Republic of)"@en } }'
)


WHERE_UPDATE = (
    "PREFIX unhr: <https://w3id.org/unhr/ontology#> "
    "INSERT { GRAPH <https://w3id.org/unhr/graph/bench> { ?s unhr:benchMark ?code } } "
    "WHERE { ?s unhr:iso3 ?code FILTER(STRSTARTS(?code, 'K')) }"
)


def pad(store: Store, target: int) -> None:
    """Add synthetic vote triples until the named graphs hold ``target`` quads."""
    have = store.describe().triples
    graph = URIRef("https://w3id.org/unhr/graph/bench-padding")
    batch: list[Quad] = []
    i = 0
    while have + i < target:
        event = URIRef(f"{ID}doc/A/RES/BENCH/{i // 193}/vote/2000-01-01")
        batch.append(
            Quad(event, URIRef(UNHR + "votedYes"), URIRef(f"{ID}state/X{i % 193:02d}"), graph)
        )
        i += 1
        if len(batch) == 50_000:
            store.apply(ChangeSet(f"pad-{i}", added=tuple(batch)))
            batch = []
    if batch:
        store.apply(ChangeSet(f"pad-{i}", added=tuple(batch)))


def timed_ms(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


def measure(
    service: CurationService, quads: list[Quad], runs: int
) -> tuple[list[float], list[float], list[float]]:
    """Dry runs of the three gates, ``runs`` times each."""
    ingest, update, where = [], [], []
    for _ in range(runs):
        ingest.append(
            timed_ms(
                lambda: service.ingest(
                    quads, curator="bench", source=None, comment=None, dry_run=True
                )
            )
        )
        update.append(timed_ms(lambda: service.update(UPDATE, curator="bench", dry_run=True)))
        where.append(timed_ms(lambda: service.update(WHERE_UPDATE, curator="bench", dry_run=True)))
    return ingest, update, where


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 50_000, 200_000, 800_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = project_root()
    quads = parse(CHANGE.encode(), by_name("turtle"), into_graph=URIRef("urn:x:b"))
    print(f"{'quads in store':>15} {'ingest ms':>10} {'INSERT DATA ms':>15} {'WHERE ms':>9}")
    for size in args.sizes:
        settings = Settings(root=root, store="memory", data_dir=Path(tempfile.mkdtemp()))
        store = prepare_store(settings, progress=False)
        try:
            if size:
                pad(store, size)
            service = CurationService(
                store, Limits(max_triples=20_000, max_nesting=256, timeout=60)
            )
            ingest, update, where = measure(service, quads, args.runs)
            total = store.describe().triples
            print(
                f"{total:>15,} {sorted(ingest)[len(ingest) // 2]:>10.0f} "
                f"{sorted(update)[len(update) // 2]:>15.0f} {sorted(where)[len(where) // 2]:>9.0f}"
            )
        finally:
            store.close()


if __name__ == "__main__":
    main()
