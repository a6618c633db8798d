"""What operators see: one structured log line per request, and Prometheus metrics.

Both come from one pure ASGI middleware (:class:`Observe`) and from collectors that read the
state the server keeps anyway (the worker pool's counters, the store's per-graph counts, the
write path's tallies) at scrape time. Nothing here evaluates a query.

The log line never carries a secret: it names the route and the path, never the query string
(where a client might put ``access_token=``) nor a header; a client is its curator name when it
sent a valid token, else its address.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.store.base import Store

access_log = logging.getLogger("kg.access")

_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
#: Error codes worth a counter of their own (see kg.errors): deadline stops, refusals by the
#: policy, admission and budgets, SHACL rejections.
ERROR_CODES = (
    "query-timeout",
    "server-busy",
    "too-many-requests",
    "forbidden",
    "service-failed",
    "validation-failed",
    "nesting-too-deep",
    "sparql-syntax-error",
    "rdf-syntax-error",
    "bad-parameter",
    "payload-too-large",
    "internal-error",
    "store-error",
)


class _StateCollector(Collector):
    """Gauges read from the live objects at scrape time."""

    def __init__(self, store: Store, extra: Callable[[], dict[str, int]]) -> None:
        self._store = store
        self._extra = extra

    def collect(self) -> Iterator[Metric]:
        described = self._store.describe()
        triples = GaugeMetricFamily("kg_store_triples", "Triples per named graph", labels=["graph"])
        for graph in described.graphs:
            triples.add_metric([graph.name], graph.triples)
        yield triples
        yield GaugeMetricFamily(
            "kg_store_version", "Changes applied since start", described.version
        )
        snapshot = self._store.runtime_stats()
        docs = {
            "workers": "Worker processes alive",
            "idle": "Workers ready for the fast lane",
            "heavy_running": "Evaluations holding a heavy slot",
            "heavy_waiting": "Evaluations waiting for a heavy slot",
            "validate_running": "Validations and upload parses running",
            "spawned": "Workers started since the server started",
            "killed": "Workers killed at their deadline",
            "busy": "Requests refused because the server was busy",
            "heavy": "Evaluations that turned heavy",
            "caught_up": "Times a worker replayed the writes it missed instead of being replaced",
        }
        for key, value in snapshot.items():
            if key in docs:
                yield GaugeMetricFamily(f"kg_pool_{key}", docs[key], value)
        for key, value in self._extra().items():
            yield GaugeMetricFamily(f"kg_{key}", key.replace("_", " "), value)


class Metrics:
    """The app's own registry (no process-wide state), and the request instruments."""

    def __init__(self, store: Store, extra: Callable[[], dict[str, int]] = dict) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kg_requests",
            "HTTP requests by route, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kg_request_seconds",
            "Time to answer, by route (each canned query is a route of its own)",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "kg_errors",
            "Error answers by code (query-timeout: stopped at the deadline; forbidden: refused "
            "by the policy; validation-failed: refused by SHACL; …)",
            ["code"],
            registry=self.registry,
        )
        self.policy_refusals = Counter(
            "kg_policy_refusals",
            "Operations refused by the query policy, by rule (service-disabled, "
            "service-not-allowed, service-variable, service-in-update, private-address, load, "
            "unknown-graph, unreadable, sandbox)",
            ["reason"],
            registry=self.registry,
        )
        self.service_calls = Counter(
            "kg_service_calls",
            "SERVICE calls made for queries, by endpoint and outcome (ok, failed, timeout, "
            "too-large; silenced-… when a SILENT clause absorbed the failure)",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(store, extra))


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "(unmatched)"


def _client(scope: Scope) -> str:
    state = scope.get("state", {})
    curator = state.get("curator")
    if curator:
        return f"curator:{curator}"
    peer = scope.get("client")
    return str(peer[0]) if peer else "-"


class Observe:
    """ASGI middleware: time, count and log every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route(scope)
        state: dict[str, Any] = scope.get("state", {})
        self.metrics.requests.labels(route, scope["method"], str(status)).inc()
        self.metrics.latency.labels(route).observe(seconds)
        code = state.get("error_code")
        if code in ERROR_CODES:
            self.metrics.errors.labels(code).inc()
        reason = state.get("policy_refusal")
        if isinstance(reason, str):
            self.metrics.policy_refusals.labels(reason).inc()
        for endpoint, outcome in state.get("service_calls", ()):
            self.metrics.service_calls.labels(endpoint, outcome).inc()
        if access_log.isEnabledFor(logging.INFO):
            line: dict[str, Any] = {
                "request_id": state.get("request_id", "-"),
                "method": scope["method"],
                "route": route,
                "path": scope.get("path", ""),
                "status": status,
                "ms": round(seconds * 1000, 1),
                "client": _client(scope),
            }
            if code:
                line["error"] = code
            if "query_hash" in state:
                line["query_hash"] = state["query_hash"]
            access_log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                scope.get("path", ""),
                status,
                seconds * 1000,
                extra={"fields": line},
            )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and a request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(level: str, fmt: str) -> None:
    """Send the server's logs to stderr, as JSON lines (``json``) or readable text."""
    handler = logging.StreamHandler()
    if fmt == "json":
        formatter: logging.Formatter = JsonFormatter()
        formatter.converter = time.gmtime
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
