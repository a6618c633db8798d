"""Start-up load: every file of ontology/, shapes/ and data/ into its named graph.

Idempotent: a graph whose file has the same SHA-256 as at its last load is left alone, a
changed file replaces its graph, and a graph whose file is gone is dropped. The metadata graph
records, per graph, the file, its hash, the load time, its size and the sources its claims cite.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pyoxigraph import Literal, NamedNode
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.layout import GraphFile, discover
from kg.namespaces import GRAPH, UNHR
from kg.store.base import Store
from kg.store.oxigraph import CONTENT_HASH

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_GENERATED = NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT_SOURCE = NamedNode("http://purl.org/dc/terms/source")
VOID_TRIPLES = NamedNode("http://rdfs.org/ns/void#triples")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_NAMED_GRAPH = NamedNode("http://www.w3.org/ns/sparql-service-description#NamedGraph")
LOADED_GRAPH = NamedNode(f"{UNHR}LoadedGraph")


class Outcome(StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    DROPPED = "dropped"


@dataclass(frozen=True)
class LoadedGraph:
    name: str
    graph: str
    outcome: Outcome
    triples: int


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    columns = (
        TextColumn("[bold]loading[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        yield progress


def _cited_sources(store: Store, gf: GraphFile) -> list[NamedNode]:
    """Distinct ``dcterms:source`` values in one graph (the sources it is derived from)."""
    return [NamedNode(v) for v in store.distinct_iri_objects(DCT_SOURCE.value, gf.graph)]


def load_all(store: Store, root: Path, *, progress: bool | None = None) -> list[LoadedGraph]:
    """Bring the store's file-backed graphs in step with the files under ``root``."""
    files = discover(root)
    show = sys.stderr.isatty() if progress is None else progress
    report: list[LoadedGraph] = []
    wanted = {gf.graph for gf in files}
    with _progress(len(files), show) as bar:
        task = bar.add_task("graphs", total=len(files)) if bar else None
        for gf in files:
            digest = file_hash(gf.path)
            if store.content_hash(gf.graph) == digest:
                report.append(LoadedGraph(gf.name, gf.graph, Outcome.UNCHANGED, -1))
            else:
                triples = store.replace_graph(gf.graph, gf.path)
                rel = gf.path.relative_to(root).as_posix()
                statements: list[tuple[NamedNode, NamedNode | Literal]] = [
                    (RDF_TYPE, SD_NAMED_GRAPH),
                    (RDF_TYPE, LOADED_GRAPH),
                    (CONTENT_HASH, Literal(digest)),
                    (NamedNode("http://purl.org/dc/terms/identifier"), Literal(rel)),
                    (VOID_TRIPLES, Literal(str(triples), datatype=NamedNode(XSD + "integer"))),
                    (
                        PROV_GENERATED,
                        Literal(
                            datetime.now(UTC).isoformat(timespec="seconds"),
                            datatype=NamedNode(XSD + "dateTime"),
                        ),
                    ),
                ]
                statements += [(PROV_DERIVED, s) for s in _cited_sources(store, gf)]
                store.set_metadata(gf.graph, statements)
                report.append(LoadedGraph(gf.name, gf.graph, Outcome.LOADED, triples))
                if not bar:
                    log.info("loaded %s into <%s>: %d triples", rel, gf.graph, triples)
            if bar and task is not None:
                bar.update(task, advance=1, description=gf.name)
    for graph in sorted(store.graph_names()):
        managed = store.content_hash(graph) is not None
        if managed and graph not in wanted and graph.startswith(str(GRAPH)):
            store.drop_graph(graph)
            report.append(LoadedGraph(graph.removeprefix(str(GRAPH)), graph, Outcome.DROPPED, 0))
            log.info("dropped <%s>: its file is gone", graph)
    return report
