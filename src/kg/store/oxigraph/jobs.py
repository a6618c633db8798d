"""The work a worker of the Oxigraph store does, as picklable jobs, and the context it finds.

A worker is a fork of the store process: :class:`WorkerContext` gives a job the worker's
private snapshot of the dataset, a :class:`~kg.store.base.Reader` over it, the resources the
store process prepared (rdflib copies of the shapes and ontology for SHACL validation), the
query policy and the worker's sandbox. Every text a client sent goes through the policy
(:mod:`kg.sparql.policy`) before the engine sees it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kg.errors import StoreError
from kg.sparql.policy import Policy
from kg.store.base import Delta, QueryRequest, QueryResponse, Solutions, UpdateRequest
from kg.store.oxigraph.dataset import NativeDataset
from kg.store.oxigraph.evaluate import OxReader, evaluate
from kg.store.oxigraph.update import compute_effect
from kg.terms import Object, Quad, Subject, Term, Triple, URIRef
from kg.workers.sandbox import Sandbox


class WorkerContext:
    """What a job finds in a worker (implements :class:`kg.store.base.JobContext`)."""

    def __init__(
        self,
        dataset: NativeDataset,
        resources: Mapping[str, Any],
        *,
        policy: Policy | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.dataset = dataset
        self._resources = resources
        self.policy = policy or Policy()
        self.sandbox = sandbox or Sandbox(())
        self._reader = OxReader(dataset.store, self.policy)

    @property
    def reader(self) -> OxReader:
        return self._reader

    def resource(self, name: str) -> Any:
        try:
            return self._resources[name]
        except KeyError:
            raise StoreError(f"resource {name!r} was not prepared for jobs") from None


@dataclass(frozen=True)
class EvaluateJob:
    request: QueryRequest

    def run(self, ctx: WorkerContext) -> QueryResponse:
        request = self.request
        prepared = ctx.policy.prepare_query(
            request.text,
            known_graphs=ctx.reader.graph_names,
            base_iri=request.base_iri,
            dataset_given=request.default_graphs is not None or request.named_graphs is not None,
            guard=ctx.sandbox,
        )
        response = evaluate(ctx.dataset.store, replace(request, text=prepared.text))
        calls = tuple((c.endpoint, c.outcome) for c in prepared.calls)
        return replace(response, service_calls=calls) if calls else response


@dataclass(frozen=True)
class SelectJob:
    query: str
    bindings: Mapping[str, Term] | None
    max_rows: int | None
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None

    def run(self, ctx: WorkerContext) -> Solutions:
        return ctx.reader.select(
            self.query,
            bindings=self.bindings,
            default_graphs=self.default_graphs,
            named_graphs=self.named_graphs,
            max_rows=self.max_rows,
        )


@dataclass(frozen=True)
class ConstructJob:
    query: str
    max_rows: int | None

    def run(self, ctx: WorkerContext) -> list[Triple]:
        return ctx.reader.construct(self.query, max_rows=self.max_rows)


@dataclass(frozen=True)
class QuadsJob:
    s: Subject | None
    p: URIRef | None
    o: Object | None
    g: URIRef | None
    max_rows: int | None

    def run(self, ctx: WorkerContext) -> list[Quad]:
        found = ctx.reader.quads(self.s, self.p, self.o, self.g)
        return list(itertools.islice(found, self.max_rows))


@dataclass(frozen=True)
class UpdateEffectJob:
    """Changes the worker's copy of the dataset: run it with ``dirty=True``."""

    request: UpdateRequest

    def run(self, ctx: WorkerContext) -> Delta:
        ctx.policy.check_update(self.request.text, base_iri=self.request.base_iri)
        return compute_effect(ctx.dataset, self.request)
