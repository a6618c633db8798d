"""Cost of gating a typical curator change set, as the stored graph grows.

Run: .venv/bin/python bench/validation_cost.py [--sizes 0 50000 200000 800000]

The real repository is loaded, then padded with synthetic vote triples (one direct triple per
vote, like the GA voting history) to reach each size. For each size the script times, median of
--runs runs:
- ingest gate: compute + SHACL-validate a typical ingest (4 new nodes, 14 triples, pointing at
  existing states and sources), without applying it (dry run);
- update gate: the same for a SPARQL `INSERT DATA` of one triple about an existing state, which
  runs the update on a scratch copy of the store to learn its effect.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg.curation.rdf_input import parse_upload, upload_format
from kg.curation.service import CurationService
from kg.layout import project_root
from kg.settings import Settings
from kg.startup import prepare_store
from kg.validation import load_ontology, load_shapes

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


def pad(store: object, target: int) -> None:
    """Add synthetic vote triples until the named graphs hold ``target`` quads."""
    have = store.quad_count()  # type: ignore[attr-defined]
    graph = NamedNode("https://w3id.org/unhr/graph/bench-padding")
    quads = []
    i = 0
    while have + len(quads) < target:
        event = NamedNode(f"{ID}doc/A/RES/BENCH/{i // 193}/vote/2000-01-01")
        quads.append(
            Quad(event, NamedNode(UNHR + "votedYes"), NamedNode(f"{ID}state/X{i % 193:02d}"), graph)
        )
        i += 1
    for start in range(0, len(quads), 100_000):
        store.add_quads(quads[start : start + 100_000])  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 50_000, 200_000, 800_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = project_root()
    quads = parse_upload(CHANGE.encode(), upload_format("text/turtle"), into_graph="urn:x:b")
    for size in args.sizes:
        settings = Settings(
            root=root, store="memory", data_dir=Path(tempfile.mkdtemp()), query_workers=0
        )
        store = prepare_store(settings, progress=False, workers=False)
        if size:
            pad(store, size)
        service = CurationService(store, shapes=load_shapes(root), ontology=load_ontology(root))
        ingest, update = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            change = service.ingest(quads, curator="bench", source=None, comment=None, dry_run=True)
            ingest.append((time.perf_counter() - started) * 1000)
            assert change.report.conforms, change.report.to_text()
            started = time.perf_counter()
            service.update(UPDATE, curator="bench", dry_run=True)
            update.append((time.perf_counter() - started) * 1000)
        store.close()


if __name__ == "__main__":
    main()
