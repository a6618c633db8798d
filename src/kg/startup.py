"""Open the configured store and bring it up to date: the one sequence the server and CLI share."""

from __future__ import annotations

import logging
import time

from kg.bootstrap import PROV_DERIVED, RDF_TYPE, SD_NAMED_GRAPH, load_all, load_datasets
from kg.curation.checks import ONTOLOGY_RESOURCE, SHAPES_RESOURCE
from kg.importers.history.cache import recorded
from kg.layout import discover
from kg.namespaces import INFERRED_GRAPH
from kg.settings import Settings
from kg.store import open_store
from kg.store.base import Store
from kg.terms import Term, URIRef, literal

log = logging.getLogger(__name__)
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")


def inferred_graph_metadata(rule_graphs: list[str]) -> list[tuple[URIRef, Term]]:
    """How the metadata graph describes the graph of entailments."""
    statements: list[tuple[URIRef, Term]] = [
        (RDF_TYPE, SD_NAMED_GRAPH),
        (RDFS_LABEL, literal("Entailments of the ontology", lang="en")),
        (
            RDFS_COMMENT,
            literal(
                "Triples the server derives from the data with the ontology's OWL-Lite axioms "
                "(subclasses, super-properties, inverse, symmetric and transitive properties), "
                "kept current on every write. Leave this graph out of a query's dataset to see "
                "asserted triples only.",
                lang="en",
            ),
        ),
    ]
    statements += [(PROV_DERIVED, URIRef(g)) for g in rule_graphs]
    return statements


def prepare_store(settings: Settings, *, progress: bool | None = None) -> Store:
    """Open the store, load ontology/, shapes/, data/ and the recorded data sets, replay the
    journal, start workers."""
    started = time.monotonic()
    ontology = [gf.graph for gf in discover(settings.root, ("ontology",))]
    store = open_store(settings)
    try:
        if settings.load_on_start:
            records = recorded(settings.data_dir)
            keep = frozenset(r.graph for r in records)
            report = load_all(store, settings.root, progress=progress, keep=keep)
            loaded = sum(1 for r in report if r.outcome.value == "loaded")
            log.info("%d graphs loaded, %d unchanged", loaded, len(report) - loaded)
            load_datasets(store, settings.data_dir, progress=progress)
        store.replay_journal()
        entailed = store.set_entailment(ontology, INFERRED_GRAPH)
        store.set_metadata(INFERRED_GRAPH, inferred_graph_metadata(ontology))
        log.info("%d entailed triples in <%s>", entailed, INFERRED_GRAPH)
        store.prepare_resource(
            SHAPES_RESOURCE, [gf.graph for gf in discover(settings.root, ("shapes",))]
        )
        store.prepare_resource(ONTOLOGY_RESOURCE, ontology)
        store.start()
    except BaseException:
        store.close()
        raise
    description = store.describe()
    log.info(
        "store ready: %s, %d triples in %d graphs, %.1fs",
        store.kind,
        description.triples,
        len(description.graphs),
        time.monotonic() - started,
    )
    return store
