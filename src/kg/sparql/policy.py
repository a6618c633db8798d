"""The query policy: what an operation may reach outside the store, decided on its algebra.

This is the one place that decides. It runs where the operation is evaluated (in a worker,
just before the engine sees the text), so every path goes through it: ``/sparql`` queries and
updates, the canned queries, the Graph Store Protocol's reads, the CLI.

- ``LOAD`` is refused: this server never fetches documents or files.
- ``FROM`` / ``FROM NAMED`` only select graphs already stored (Oxigraph never dereferences
  them); naming any other graph is refused, so that nobody mistakes them for a fetch. When
  the protocol's ``default-graph-uri`` / ``named-graph-uri`` are given they replace the query's
  dataset and its ``FROM`` clauses do not matter. ``USING`` / ``USING NAMED`` in updates select
  graphs the same way and never fetch (an update may create the graph it later uses, so an
  unknown one is an empty graph, not a refusal).
- ``SERVICE`` reaches only the endpoints of :class:`Federation` (``KG_SERVICE_ENDPOINTS``;
  empty by default: refused), never through a variable (``SERVICE ?x``), never in an update.
  The engine is never given a ``SERVICE`` clause: each one is evaluated here by
  :mod:`kg.sparql.federation` and replaced by the equivalent ``VALUES`` block.

Operations that provably mention none of ``SERVICE``, ``LOAD``, ``FROM``, ``USING`` skip the
parse (:func:`kg.sparql.outbound.may_reach_out`); the others are read by rdflib's parser and
algebra (:mod:`kg.sparql.outbound`), which is slow, so this runs only in workers, under the
job's deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg.errors import Forbidden
from kg.sparql.federation import Federation, Prepared, federate
from kg.sparql.outbound import Outbound, QueryReading, may_reach_out, read_query, read_update
from kg.sparql.service_client import Guard


@dataclass(frozen=True)
class Policy:
    """The server's policy for operations (picklable: workers receive it)."""

    federation: Federation = field(default_factory=Federation)

    # -- queries -------------------------------------------------------------------------

    def read_query(
        self,
        text: str,
        *,
        known_graphs: Callable[[], frozenset[str]],
        base_iri: str | None = None,
        dataset_given: bool = False,
    ) -> QueryReading | None:
        """Check a query; None when it provably reaches nothing outside the store (no parse).

        Raises :class:`Forbidden` (``details["policy"]`` names the rule) when the query may
        not run. A reading with ``outer_services`` still needs :mod:`kg.sparql.federation`.
        """
        if not may_reach_out(text):
            return None
        reading = read_query(text, base_iri=base_iri)
        outbound = reading.outbound
        self._check_services(outbound)
        if not dataset_given:
            graphs = (*outbound.from_graphs, *outbound.from_named)
            known = known_graphs() if graphs else frozenset()
            for graph in graphs:
                if graph not in known:
                    raise Forbidden(
                        f"FROM <{graph}> names a graph that is not in this store; FROM and FROM "
                        "NAMED only select stored graphs (see /sparql without a query for the "
                        "list) and never dereference IRIs",
                        graph=graph,
                        policy="unknown-graph",
                    )
        return reading

    def prepare_query(
        self,
        text: str,
        *,
        known_graphs: Callable[[], frozenset[str]],
        base_iri: str | None = None,
        dataset_given: bool = False,
        guard: Guard | None = None,
    ) -> Prepared:
        """The text the engine may evaluate for the query ``text``, or a refusal.

        Without SERVICE clauses it is ``text`` itself; with them, the SERVICE calls are made
        (see :mod:`kg.sparql.federation`) and the engine gets their solutions instead.
        """
        reading = self.read_query(
            text, known_graphs=known_graphs, base_iri=base_iri, dataset_given=dataset_given
        )
        if reading is None or not reading.outbound.services:
            return Prepared(text)
        return federate(text, reading, self.federation, base_iri=base_iri, guard=guard)

    def check_engine_text(self, text: str) -> None:
        """Refuse a text that would make the engine fetch (``SERVICE``, ``LOAD``).

        The guard in front of the engine for texts that did not go through
        :meth:`read_query` (the server's own reads, the WHERE clauses of updates).
        """
        if not may_reach_out(text):
            return
        reading = read_query(text)
        if reading.outbound.services:
            raise Forbidden(
                "SERVICE is not allowed here: only a client's query may call a federated endpoint",
                policy="service-not-allowed",
            )

    def _check_services(self, outbound: Outbound) -> None:
        fed = self.federation
        for use in outbound.services:
            if not fed.enabled:
                raise Forbidden(
                    "SERVICE (federated query) is not allowed on this server: it calls no other "
                    "endpoint unless the operator lists it in KG_SERVICE_ENDPOINTS, which is "
                    "empty",
                    policy="service-disabled",
                )
            if use.endpoint is None:
                raise Forbidden(
                    f"SERVICE ?{use.variable} is not allowed: a SERVICE clause must name its "
                    f"endpoint, one of {', '.join(fed.listed())} (KG_SERVICE_ENDPOINTS)",
                    policy="service-variable",
                )
            if not fed.allows(use.endpoint):
                raise Forbidden(
                    f"SERVICE <{use.endpoint}> is not an allowed endpoint; this server calls "
                    f"only {', '.join(fed.listed())} (KG_SERVICE_ENDPOINTS)",
                    endpoint=use.endpoint,
                    policy="service-not-allowed",
                )

    # -- updates -------------------------------------------------------------------------

    def check_update(self, text: str, *, base_iri: str | None = None) -> Outbound:
        """Check an update before anything evaluates it: no LOAD, no SERVICE."""
        if not may_reach_out(text):
            return Outbound()
        outbound = read_update(text, base_iri=base_iri)
        if outbound.loads:
            raise Forbidden(
                f"LOAD <{outbound.loads[0]}> is not allowed: this server never fetches "
                "documents or files; send the data itself (INSERT DATA, or the Graph Store "
                "Protocol)",
                policy="load",
            )
        if outbound.services:
            raise Forbidden(
                "SERVICE is not allowed in an update: federated patterns are evaluated for "
                "queries only",
                policy="service-in-update",
            )
        return outbound


__all__ = ["Federation", "Policy", "Prepared"]
