"""Open the configured store and bring it up to date: the one sequence the server and CLI share."""

from __future__ import annotations

import logging
import time

from kg.bootstrap import load_all
from kg.settings import Settings
from kg.store import open_store
from kg.store.base import Store

log = logging.getLogger(__name__)


def prepare_store(
    settings: Settings, *, progress: bool | None = None, workers: bool = True
) -> Store:
    """Open the store, load ontology/, shapes/ and data/, replay the journal, start workers."""
    started = time.monotonic()
    store = open_store(settings)
    try:
        if settings.load_on_start:
            report = load_all(store, settings.root, progress=progress)
            loaded = sum(1 for r in report if r.outcome.value == "loaded")
            log.info("%d graphs loaded, %d unchanged", loaded, len(report) - loaded)
        store.replay_journal()
        if workers:
            store.start_workers()
    except BaseException:
        store.close()
        raise
    log.info(
        "store ready: %s, %d triples in %d graphs, %.1fs",
        store.kind,
        store.quad_count(),
        len(store.graph_names()),
        time.monotonic() - started,
    )
    return store
