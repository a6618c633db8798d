"""Keeping the ``inferred`` graph equal to what the ontology's rules entail from the data.

Run in the store process, in the same step as the change it follows, so that a reader sees the
entailments of exactly the data it sees. A change is followed locally (the entailments touching
the nodes it touched are recomputed, see :func:`kg.inference.affected_nodes`); a change to the
ontology, to a transitive property, or to a whole graph recomputes everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from kg.inference import RDF_TYPE, Rules, affected_nodes, touches
from kg.rdfio import from_ox_quad, to_ox
from kg.store.oxigraph.dataset import NativeDataset
from kg.terms import Quad, Term, Triple, URIRef

_DEFAULT = ox.DefaultGraph()


class Entailment:
    def __init__(self, dataset: NativeDataset, rule_graphs: Sequence[str], target: str) -> None:
        self.dataset = dataset
        self.rule_graphs = frozenset(rule_graphs)
        self.target = target
        self.rules = self._rules()

    def _rules(self) -> Rules:
        store = self.dataset.store
        triples: list[Triple] = []
        for graph in sorted(self.rule_graphs):
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                quad = from_ox_quad(q)
                triples.append(quad.triple)
        return Rules.from_triples(triples)

    def _asserted(self, t: Triple) -> bool:
        return any(g != self.target for g in self.dataset.asserting_graphs(t.s, t.p, t.o))

    def _triples(
        self,
        s: Term | None,
        p: URIRef | None,
        o: Term | None,
        graph: ox.NamedNode | ox.DefaultGraph = _DEFAULT,
    ) -> Iterable[Triple]:
        for q in self.dataset.store.quads_for_pattern(
            to_ox(s) if s is not None else None,  # type: ignore[arg-type]
            to_ox(p) if p is not None else None,  # type: ignore[arg-type]
            to_ox(o) if o is not None else None,
            graph,
        ):
            yield from_ox_quad(q).triple

    def _inferred(self) -> set[Triple]:
        return {q.triple for q in self.dataset.graph_quads(self.target)}

    def _replace(self, old: set[Triple], new: set[Triple]) -> int:
        graph = URIRef(self.target)
        removed = [Quad(*t, graph) for t in old - new]
        added = [Quad(*t, graph) for t in new - old]
        self.dataset.apply(removed, added)
        return len(removed) + len(added)

    def materialise(self) -> int:
        """Recompute every entailment; return the size of the inferred graph."""
        premises: set[Triple] = set()
        for predicate in self.rules.premise_predicates:
            premises.update(t for t in self._triples(None, predicate, None) if self._asserted(t))
        entailed = {t for t in self.rules.closure(premises) - premises if not self._asserted(t)}
        self._replace(self._inferred(), entailed)
        return len(entailed)

    def follow(self, changed: Iterable[Quad]) -> None:
        """Bring the inferred graph up to date after ``changed`` quads were added or removed."""
        changed = [q for q in changed if str(q.g) != self.target]
        if not changed:
            return
        if any(str(q.g) in self.rule_graphs for q in changed):
            self.rules = self._rules()
            self.materialise()
            return
        if any(self.rules.entailed_transitive(q.p) for q in changed):
            self.materialise()
            return
        nodes = affected_nodes(changed)
        predicates = self.rules.premise_predicates
        target = ox.NamedNode(self.target)
        premises: set[Triple] = set()
        current: set[Triple] = set()
        for node in nodes:
            premises.update(self._triples(node, None, None))
            premises.update(t for t in self._triples(None, None, node) if t.p != RDF_TYPE)
            current.update(self._triples(node, None, None, target))
            current.update(t for t in self._triples(None, None, node, target) if t.p != RDF_TYPE)
        premises = {t for t in premises if t.p in predicates and self._asserted(t)}
        entailed = {
            c
            for t in premises
            for c in self.rules.conclusions(t)
            if touches(c, nodes) and not self._asserted(c)
        }
        # Triples of transitive properties are left to a whole recomputation, which any change
        # that feeds them triggers (above): a local one would lose the chains.
        transitive = self.rules.transitive
        self._replace(
            {t for t in current if t.p not in transitive},
            {t for t in entailed if t.p not in transitive},
        )
