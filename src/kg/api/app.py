"""``create_app(settings, store)``: the FastAPI application, with everything passed in."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from kg import __version__
from kg.api import errors, openapi
from kg.api.budgets import Budgets
from kg.api.head import HeadAsGet
from kg.api.observability import Metrics, Observe
from kg.api.request_id import RequestId
from kg.api.routes import curation, graph_store, meta, queries, sparql
from kg.api.routes.sparql import base_iri
from kg.api.service_info import ServiceInfo
from kg.curation.identity import Identities
from kg.curation.service import CurationService, Limits
from kg.layout import discover
from kg.queries import Registry, load_registry
from kg.query_catalogue import Enumerations, publish
from kg.settings import CuratorIdentity, Settings
from kg.store.base import Store

log = logging.getLogger("kg.api")


def _attach(app: FastAPI, settings: Settings, store: Store) -> None:
    """Hand ``store`` to the routes and publish the canned-query catalogue into it."""
    app.state.store = store
    app.state.identities = Identities(
        pseudonymous=settings.curator_identity is CuratorIdentity.PSEUDONYM,
        secret=settings.pseudonym_secret,
    )
    app.state.budgets = Budgets(
        settings.client_budget_seconds, settings.client_budget_window, settings.curators()
    )
    app.state.service_info = ServiceInfo(settings, store)
    app.state.enumerations = Enumerations(store, timeout=settings.query_timeout)
    app.state.curation = CurationService(
        store,
        Limits(
            max_triples=settings.max_write_triples,
            max_nesting=settings.max_nesting,
            timeout=settings.query_timeout,
            base_iri=base_iri(settings),
            schema_graphs=frozenset(
                gf.graph for gf in discover(settings.root, ("ontology", "shapes"))
            ),
            schema_curators=settings.schema_curator_names(),
        ),
        app.state.identities,
    )
    renamed = app.state.curation.publish_identities()
    if renamed:
        log.info("%d change set(s) now name their curator as KG_CURATOR_IDENTITY says", renamed)
    publish(store, app.state.registry, settings.base_url())
    app.state.metrics = Metrics(
        store,
        extra=lambda: {
            **app.state.curation.tallies,
            "budget_refusals": app.state.budgets.refused,
        },
    )


def create_app(settings: Settings, store: Store, registry: Registry | None = None) -> FastAPI:
    """Build the application over ``store``, which the caller opened, loaded and started (see
    :func:`kg.startup.prepare_store`) and closes. The canned queries come from ``registry`` or
    else ``{settings.root}/queries``; a malformed one stops here.
    """
    app = FastAPI(
        title="unhr-kg",
        version=__version__,
        description=(
            "SPARQL 1.1 endpoint and linked data for a knowledge graph of how the UN "
            "human-rights system has dealt with the DPRK."
        ),
    )
    app.state.settings = settings
    queries.install(app, registry or load_registry(settings.root / "queries"))
    _attach(app, settings, store)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list(),
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "X-Request-ID", "Authorization"],
        expose_headers=["X-Request-ID", "X-KG-Rows", "X-KG-Truncated", "Link"],
        max_age=600,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(Observe, metrics=app.state.metrics)
    app.add_middleware(RequestId)
    errors.install(app)
    openapi.install(app)
    app.include_router(meta.router)
    app.include_router(sparql.router)
    app.include_router(curation.router)
    app.include_router(graph_store.router)
    return app
