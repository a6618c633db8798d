"""What the service says about itself (Service Description, health), cached per store version.

Nothing here evaluates a query: the store keeps its per-graph counts up to date, and the
serialised Service Description is built once per store version and format.
"""

from __future__ import annotations

import threading

from kg import __version__
from kg.formats import Format
from kg.service_description import service_description
from kg.settings import Settings
from kg.store.base import Store


def limits_text(settings: Settings) -> str:
    """The limits in force, in words (announced in the Service Description)."""
    s = settings
    return (
        f"Limits: a query runs at most {s.query_timeout:g} s (less with timeout=) and returns at "
        f"most {s.max_rows} rows; a query text is at most {s.max_query_bytes} bytes and a body "
        f"{s.max_body_bytes} bytes; brackets nest at most {s.max_nesting} deep; {s.heavy_queries} "
        f"evaluations may run past {s.cheap_query_seconds:g} s at once, {s.heavy_per_client} "
        f"per client; each client (a curator by token, else an address) may use "
        f"{s.client_budget_seconds:g} s of query time per {s.client_budget_window:g} s, then "
        "gets 429 with Retry-After."
        + (
            f" A SERVICE call may take {s.service_timeout:g} s and return {s.service_max_bytes} "
            "bytes."
            if s.service_endpoints or s.service_private_endpoints
            else ""
        )
    )


class ServiceInfo:
    def __init__(self, settings: Settings, store: Store) -> None:
        self._settings = settings
        self._store = store
        self._lock = threading.Lock()
        self._sd: dict[tuple[int, str], bytes] = {}

    def service_description(self, fmt: Format) -> bytes:
        description = self._store.describe()
        key = (description.version, fmt.name)
        with self._lock:
            cached = self._sd.get(key)
        if cached is not None:
            return cached
        graph = service_description(
            endpoint=f"{self._settings.base_url()}/sparql",
            graphs=list(description.graphs),
            writable=bool(self._settings.curators()),
            limits=limits_text(self._settings),
            federated_endpoints=sorted(
                self._settings.service_endpoint_set()
                | self._settings.service_private_endpoint_set()
            ),
        )
        body = graph.serialize(format=fmt.rdflib or "turtle", encoding="utf-8")
        with self._lock:
            self._sd = {k: v for k, v in self._sd.items() if k[0] == description.version}
            self._sd[key] = body
        return body

    def health(self) -> dict[str, object]:
        description = self._store.describe()
        return {
            "status": "ok",
            "version": __version__,
            "store": description.kind,
            "store_version": description.version,
            "graphs": len(description.graphs),
            "triples": description.triples,
        }
