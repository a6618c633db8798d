"""Store backends, chosen in one place: :func:`open_store`."""

from __future__ import annotations

from kg.settings import Settings, StoreKind
from kg.sparql.policy import Federation, Policy
from kg.store.base import Store
from kg.workers.pool import PoolLimits

__all__ = ["Store", "open_store", "policy", "pool_limits"]


def policy(settings: Settings) -> Policy:
    """The query policy (what SERVICE may reach, at what cost), from settings."""
    return Policy(
        Federation(
            endpoints=settings.service_endpoint_set(),
            private_endpoints=settings.service_private_endpoint_set(),
            timeout=settings.service_timeout,
            max_bytes=settings.service_max_bytes,
        )
    )


def pool_limits(settings: Settings) -> PoolLimits:
    """The admission limits of the worker pool, from settings."""
    return PoolLimits(
        idle=settings.query_workers,
        heavy=settings.heavy_queries,
        heavy_queue=settings.heavy_queue,
        cheap_seconds=settings.cheap_query_seconds,
        validate=settings.validation_workers,
        queue_seconds=settings.queue_seconds,
        heavy_per_client=settings.heavy_per_client,
    )


def open_store(settings: Settings) -> Store:
    """Open the backend named by ``settings.store`` (not yet loaded, no workers yet).

    - ``embedded``: in-memory Oxigraph in a store process; files are reloaded at each start and
      every accepted change set is kept in ``{data_dir}/journal.jsonl`` (fsync'd), replayed at
      start.
    - ``memory``: the same, with nothing persisted.
    """
    from kg.store.oxigraph import OxigraphStore

    journal = settings.data_dir / "journal.jsonl" if settings.store is StoreKind.EMBEDDED else None
    return OxigraphStore(
        kind=settings.store.value,
        journal=journal,
        limits=pool_limits(settings),
        worker_memory_mb=settings.query_memory_mb,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        policy=policy(settings),
    )
