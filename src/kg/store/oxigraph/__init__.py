"""The Oxigraph backend: an in-memory pyoxigraph dataset in a store process, read by workers.

- :mod:`.client`: the server's :class:`~kg.store.base.Store` (control channel and worker pool);
- :mod:`.engine`: the store process and the worker loop;
- :mod:`.dataset`: the dataset and its materialised set-union default graph;
- :mod:`.evaluate`, :mod:`.jobs`, :mod:`.update`: what workers run.
"""

from kg.store.oxigraph.client import OxigraphStore

__all__ = ["OxigraphStore"]
