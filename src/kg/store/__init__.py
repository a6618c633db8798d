"""Store backends, chosen in one place: :func:`open_store`."""

from __future__ import annotations

from kg.settings import Settings, StoreKind
from kg.store.base import ChangeSet, GraphStats, Store
from kg.store.oxigraph import OxigraphStore

__all__ = ["ChangeSet", "GraphStats", "OxigraphStore", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """Open the backend named by ``settings.store``.

    - ``embedded``: in-memory Oxigraph (reads at in-memory speed); files are reloaded at each
      start and every accepted change set is kept in ``{data_dir}/journal.jsonl`` (fsync'd),
      replayed at start.
    - ``disk``: Oxigraph on RocksDB under ``{data_dir}/oxigraph``; everything persists, files are
      reloaded only when their content hash changes.
    - ``memory``: in-memory, nothing persisted.
    """
    workers, memory = settings.query_workers, settings.query_memory_mb
    if settings.store is StoreKind.EMBEDDED:
        return OxigraphStore(
            kind="embedded",
            journal=settings.data_dir / "journal.jsonl",
            workers=workers,
            worker_memory_mb=memory,
        )
    if settings.store is StoreKind.DISK:
        path = settings.data_dir / "oxigraph"
        path.mkdir(parents=True, exist_ok=True)
        return OxigraphStore(kind="disk", path=path, workers=workers, worker_memory_mb=memory)
    return OxigraphStore(kind="memory", workers=workers, worker_memory_mb=memory)
