"""Open the configured store and bring it up to date: the one sequence the server and CLI share."""

from __future__ import annotations

import logging
import time

from kg.bootstrap import load_all
from kg.curation.checks import ONTOLOGY_RESOURCE, SHAPES_RESOURCE
from kg.layout import discover
from kg.settings import Settings
from kg.store import open_store
from kg.store.base import Store

log = logging.getLogger(__name__)


def prepare_store(settings: Settings, *, progress: bool | None = None) -> Store:
    """Open the store, load ontology/, shapes/ and data/, replay the journal, start workers."""
    started = time.monotonic()
    store = open_store(settings)
    try:
        if settings.load_on_start:
            report = load_all(store, settings.root, progress=progress)
            loaded = sum(1 for r in report if r.outcome.value == "loaded")
            log.info("%d graphs loaded, %d unchanged", loaded, len(report) - loaded)
        store.replay_journal()
        store.prepare_resource(
            SHAPES_RESOURCE, [gf.graph for gf in discover(settings.root, ("shapes",))]
        )
        store.prepare_resource(
            ONTOLOGY_RESOURCE, [gf.graph for gf in discover(settings.root, ("ontology",))]
        )
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
