"""SHACL validation of a change as a job: it runs in a worker, where a deadline can stop it.

The nodes a change touches are validated *as they would be after it*: their current description
in the union default graph, minus what is removed (unless another graph still asserts it), plus
what is added, with the description of the nodes they point to (so that ``sh:class`` sees the
types of the values). The shapes and the ontology are resources the store prepared for jobs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph
from rdflib.term import Node

from kg.namespaces import INFERRED_GRAPH
from kg.store.base import JobContext, Reader
from kg.terms import BNode, Quad, Subject, Triple, URIRef
from kg.validation import ValidationReport, validate_graph
from kg.validation.literals import ill_typed

SHAPES_RESOURCE = "shapes"
ONTOLOGY_RESOURCE = "ontology"


def _about(reader: Reader, node: Subject) -> set[Triple]:
    """What the data asserts about ``node`` (entailments left out: shapes judge the data)."""
    return {
        q.triple
        for q in reader.quads(s=node)
        if not q.in_default_graph and str(q.g) != INFERRED_GRAPH
    }


def _neighbourhood(reader: Reader, nodes: Iterable[Subject]) -> set[Triple]:
    """Current triples about ``nodes``, and about the nodes they point to."""
    nodes = set(nodes)
    triples: set[Triple] = set()
    objects: set[Subject] = set()
    for node in nodes:
        for t in _about(reader, node):
            triples.add(t)
            if isinstance(t.o, URIRef | BNode):
                objects.add(t.o)
    for node in objects - nodes:
        triples.update(_about(reader, node))
    return triples


@dataclass(frozen=True)
class ValidateChange:
    """The SHACL report for removing ``removed`` and adding ``added``."""

    removed: tuple[Quad, ...]
    added: tuple[Quad, ...]

    def run(self, ctx: JobContext) -> ValidationReport:
        reader = ctx.reader
        touched: set[Subject] = {q.s for q in (*self.removed, *self.added)}
        state = _neighbourhood(reader, touched)
        removed_from: dict[Triple, set[URIRef]] = {}
        for q in self.removed:
            removed_from.setdefault(q.triple, set()).add(q.g)
        for triple, graphs in removed_from.items():
            asserted = {
                q.g
                for q in reader.quads(triple.s, triple.p, triple.o)
                if not q.in_default_graph and str(q.g) != INFERRED_GRAPH
            }
            if not asserted - graphs:
                state.discard(triple)
        for q in self.added:
            state.add(q.triple)
            if isinstance(q.o, URIRef | BNode):
                state.update(_about(reader, q.o))
        data = Graph()
        for triple in state:
            data.add(triple)
        focus: set[Node] = set(touched)
        report = validate_graph(
            data,
            ctx.resource(SHAPES_RESOURCE),
            ctx.resource(ONTOLOGY_RESOURCE),
            focus_nodes=focus,
        )
        return report.with_results(ill_typed(self.added))
