"""Start-up load: every file of ontology/, shapes/ and data/ into its named graph, then the
voting data sets recorded in the data folder (``kg load --dataset``, see
:mod:`kg.importers.history`).

Idempotent: a graph whose file has the same SHA-256 as at its last load is left alone, a
changed file replaces its graph, and a graph whose file is gone is dropped. The metadata graph
records, per graph, the file, its hash, the load time, its size and the sources its claims cite;
for a data set also its licence, the hash of its input and the rows it was made from.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.formats import by_name, rdf_format_for_suffix
from kg.importers.history.cache import FOLDER as DATASETS_FOLDER
from kg.importers.history.cache import Converted
from kg.layout import GraphFile, discover
from kg.namespaces import GRAPH, UNHR
from kg.store.base import Store
from kg.terms import Term, URIRef, literal

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
CONTENT_HASH = URIRef(f"{UNHR}contentHash")
PROV_GENERATED = URIRef("http://www.w3.org/ns/prov#generatedAtTime")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
VOID_TRIPLES = URIRef("http://rdfs.org/ns/void#triples")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT_IDENTIFIER = URIRef("http://purl.org/dc/terms/identifier")
SD_NAMED_GRAPH = URIRef("http://www.w3.org/ns/sparql-service-description#NamedGraph")
LOADED_GRAPH = URIRef(f"{UNHR}LoadedGraph")
INPUT_HASH = URIRef(f"{UNHR}inputHash")
SOURCE_ROWS = URIRef(f"{UNHR}sourceRows")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
DCT_DESCRIPTION = URIRef("http://purl.org/dc/terms/description")
DCT_LICENSE = URIRef("http://purl.org/dc/terms/license")
DCT_RIGHTS = URIRef("http://purl.org/dc/terms/rights")


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


def _load(store: Store, gf: GraphFile) -> int:
    fmt = rdf_format_for_suffix(gf.path.suffix)
    if fmt is None:  # pragma: no cover - layout only finds known suffixes
        raise ValueError(f"{gf.path}: unknown RDF syntax")
    return store.load_file(gf.graph, gf.path, fmt)


def load_all(
    store: Store,
    root: Path,
    *,
    progress: bool | None = None,
    keep: frozenset[str] = frozenset(),
) -> list[LoadedGraph]:
    """Bring the store's file-backed graphs in step with the files under ``root``; graphs in
    ``keep`` (the recorded data sets) are not dropped for having no file there."""
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
                triples = _load(store, gf)
                rel = gf.path.relative_to(root).as_posix()
                statements: list[tuple[URIRef, Term]] = [
                    (RDF_TYPE, SD_NAMED_GRAPH),
                    (RDF_TYPE, LOADED_GRAPH),
                    (CONTENT_HASH, literal(digest)),
                    (DCT_IDENTIFIER, literal(rel)),
                    (VOID_TRIPLES, literal(str(triples), datatype=XSD + "integer")),
                    (
                        PROV_GENERATED,
                        literal(
                            datetime.now(UTC).isoformat(timespec="seconds"),
                            datatype=XSD + "dateTime",
                        ),
                    ),
                ]
                statements += [(PROV_DERIVED, URIRef(s)) for s in store.cited_sources(gf.graph)]
                store.set_metadata(gf.graph, statements)
                report.append(LoadedGraph(gf.name, gf.graph, Outcome.LOADED, triples))
                if not bar:
                    log.info("loaded %s into <%s>: %d triples", rel, gf.graph, triples)
            if bar and task is not None:
                bar.update(task, advance=1, description=gf.name)
    for graph in sorted(store.describe().graph_names()):
        managed = store.content_hash(graph) is not None
        if managed and graph not in wanted | keep and graph.startswith(str(GRAPH)):
            store.drop_graph(graph)
            report.append(LoadedGraph(graph.removeprefix(str(GRAPH)), graph, Outcome.DROPPED, 0))
            log.info("dropped <%s>: its file is gone", graph)
    return report


def dataset_metadata(record: Converted, triples: int) -> list[tuple[URIRef, Term]]:
    """What the metadata graph says about a converted data set's graph, besides its sources."""
    from kg.importers.datasets import DATASETS
    from kg.importers.history import spec

    s = spec(record.name)
    statements: list[tuple[URIRef, Term]] = [
        (RDF_TYPE, SD_NAMED_GRAPH),
        (RDF_TYPE, LOADED_GRAPH),
        (RDFS_LABEL, literal(s.title, lang="en")),
        (CONTENT_HASH, literal(record.sha256)),
        (DCT_IDENTIFIER, literal(f"{DATASETS_FOLDER}/{record.file}")),
        (VOID_TRIPLES, literal(str(triples), datatype=XSD + "integer")),
        (INPUT_HASH, literal(record.input_sha256)),
        (SOURCE_ROWS, literal(str(sum(record.rows.values())), datatype=XSD + "integer")),
        (
            DCT_DESCRIPTION,
            literal(
                f"Converted by {record.version} from "
                + "; ".join(f"{f}: {n:,} rows" for f, n in record.rows.items())
                + f" ({record.events:,} vote events; {record.reused_events} left to the DPRK "
                "graphs of data/votes/, whose IRIs they share).",
                lang="en",
            ),
        ),
        (
            PROV_GENERATED,
            literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD + "dateTime"),
        ),
    ]
    for info in DATASETS:
        if info.ident == s.source:
            for licence in info.licences:
                if licence.startswith(("http://", "https://")):
                    statements.append((DCT_LICENSE, URIRef(licence)))
                else:
                    statements.append((DCT_RIGHTS, literal(licence, lang="en")))
    return statements


def load_datasets(
    store: Store, data_dir: Path, *, progress: bool | None = None
) -> list[LoadedGraph]:
    """Load every data set recorded in ``data_dir`` with the store's bulk loader (a graph whose
    content hash is unchanged is left alone)."""
    from kg.importers.history.cache import recorded

    records = recorded(data_dir)
    if not records:
        return []
    show = sys.stderr.isatty() if progress is None else progress
    report: list[LoadedGraph] = []
    fmt = by_name("ntriples")
    with _progress(len(records), show) as bar:
        task = bar.add_task("data sets", total=len(records)) if bar else None
        for record in records:
            if bar and task is not None:
                bar.update(task, description=f"{record.name} ({record.triples:,} triples)")
            if store.content_hash(record.graph) == record.sha256:
                report.append(LoadedGraph(record.name, record.graph, Outcome.UNCHANGED, -1))
            else:
                started = time.monotonic()
                triples = store.load_file(record.graph, record.path(data_dir), fmt)
                statements = dataset_metadata(record, triples)
                statements += [(PROV_DERIVED, URIRef(s)) for s in store.cited_sources(record.graph)]
                store.set_metadata(record.graph, statements)
                report.append(LoadedGraph(record.name, record.graph, Outcome.LOADED, triples))
                log.info(
                    "loaded data set %s into <%s>: %d triples in %.1fs",
                    record.name,
                    record.graph,
                    triples,
                    time.monotonic() - started,
                )
            if bar and task is not None:
                bar.update(task, advance=1)
    return report
