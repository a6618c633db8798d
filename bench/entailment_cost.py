"""Cost of the entailments: materialising graph/inferred, and following one write.

Run: .venv/bin/python bench/entailment_cost.py [--sizes 0 200000 1000000]

The repository is loaded into a dataset as the store process holds it, padded with synthetic
vote triples (one direct triple per vote, like the GA history) to each size; then the script
times a full materialisation (what the server does at start) and the upkeep after a typical
curator write (4 new nodes, 14 triples) and after its removal, median of --runs runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pyoxigraph as ox

from kg.formats import by_name
from kg.layout import discover, project_root
from kg.namespaces import INFERRED_GRAPH
from kg.rdfio import parse
from kg.store.oxigraph.dataset import NativeDataset
from kg.store.oxigraph.entailment import Entailment
from kg.terms import URIRef

ID = "https://w3id.org/unhr/id/"
UNHR = "https://w3id.org/unhr/ontology#"
CHANGE = f"""@prefix unhr: <{UNHR}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}org/ngo/bench-a> a unhr:NGO ; rdfs:label "Bench NGO A"@en ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
<{ID}org/ngo/bench-b> a unhr:NGO ; rdfs:label "Bench NGO B"@en ; unhr:partner <{ID}org/ngo/nkhr> ;
  dcterms:source <{ID}source/nkhr-un-advocacy> .
<{ID}action/bench/2024-01-01-meeting> a unhr:LobbyingAction ; unhr:host <{ID}state/KOR> ;
  unhr:actor <{ID}org/ngo/bench-a> ; dcterms:source <{ID}source/nkhr-un-advocacy> .
<{ID}person/bench-person> a unhr:Person ; rdfs:label "Bench Person"@en ;
  dcterms:source <{ID}source/nkdb-what-more> .
"""


def pad(dataset: NativeDataset, target: int) -> None:
    graph = ox.NamedNode("https://w3id.org/unhr/graph/bench-padding")
    have = sum(dataset.counts.values())
    quads = [
        ox.Quad(
            ox.NamedNode(f"{ID}doc/A/RES/BENCH/{i // 193}/vote/2000-01-01"),
            ox.NamedNode(UNHR + "votedYes"),
            ox.NamedNode(f"{ID}state/X{i % 193:03d}"),
            graph,
        )
        for i in range(max(0, target - have))
    ]
    dataset.store.extend(quads)
    dataset.store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset.recount()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = project_root()
    rule_graphs = [gf.graph for gf in discover(root, ("ontology",))]
    change = parse(CHANGE.encode(), by_name("turtle"), into_graph=URIRef(f"{ID}bench"))
    print(f"{'quads':>10} {'inferred':>10} {'materialise s':>14} {'write ms':>9} {'undo ms':>8}")
    for size in args.sizes:
        dataset = NativeDataset()
        for gf in discover(root):
            dataset.load_file(gf.graph, gf.path, by_name("turtle"))
        if size:
            pad(dataset, size)
        entailment = Entailment(dataset, rule_graphs, INFERRED_GRAPH)
        started = time.perf_counter()
        inferred = entailment.materialise()
        full = time.perf_counter() - started
        write, undo = [], []
        for _ in range(args.runs):
            dataset.apply([], change)
            started = time.perf_counter()
            entailment.follow(change)
            write.append((time.perf_counter() - started) * 1000)
            dataset.apply(change, [])
            started = time.perf_counter()
            entailment.follow(change)
            undo.append((time.perf_counter() - started) * 1000)
        total = sum(n for g, n in dataset.counts.items() if g != INFERRED_GRAPH)
        print(
            f"{total:>10,} {inferred:>10,} {full:>14.2f} {statistics.median(write):>9.1f} "
            f"{statistics.median(undo):>8.1f}"
        )


if __name__ == "__main__":
    main()
