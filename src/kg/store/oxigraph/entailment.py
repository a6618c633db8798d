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
from kg.rdfio import from_ox, from_ox_quad, to_ox
from kg.store.oxigraph.dataset import NativeDataset
from kg.terms import Quad, Term, Triple, URIRef

_DEFAULT = ox.DefaultGraph()
_U = "https://w3id.org/unhr/ontology#"
_PARTICIPATIONS = f"""SELECT DISTINCT ?act ?agent ?role WHERE {{
  {{ GRAPH ?g1 {{ ?p <{_U}inActivity> ?act }} }}
  UNION {{ GRAPH ?g1 {{ ?act <{_U}hasParticipation> ?p }} }}
  FILTER (?g1 != INFERRED)
  GRAPH ?g2 {{ ?p <{_U}participant> ?agent }} FILTER (?g2 != INFERRED)
  OPTIONAL {{ GRAPH ?g3 {{ ?p <{_U}role> ?role }} FILTER (?g3 != INFERRED) }}
}}"""


class Entailment:
    def __init__(self, dataset: NativeDataset, rule_graphs: Sequence[str], target: str) -> None:
        self.dataset = dataset
        self.rule_graphs = frozenset(rule_graphs)
        self.target = target
        self.rules = self._rules()
        self.participation_derived: set[Triple] = set()

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

    def _participations(self) -> list[tuple[Term, Term, Term | None]]:
        """Asserted participations: (activity, agent, role or None)."""
        rows = self.dataset.store.query(_PARTICIPATIONS.replace("INFERRED", f"<{self.target}>"))
        return [
            (
                from_ox(row["act"]),
                from_ox(row["agent"]),
                from_ox(row["role"]) if row["role"] is not None else None,
            )
            for row in rows  # type: ignore[union-attr]
        ]

    def materialise(self) -> int:
        """Recompute every entailment; return the size of the inferred graph."""
        premises: set[Triple] = set()
        predicates = self.rules.premise_predicates | set(self.rules.shortcut_roles)
        for predicate in predicates:
            premises.update(t for t in self._triples(None, predicate, None) if self._asserted(t))
        closed = self.rules.closure(premises)
        derived = self._participation_derivations()
        self.participation_derived = derived
        closed = self.rules.closure(closed | derived)
        entailed = {t for t in closed - premises if not self._asserted(t)}
        self._replace(self._inferred(), entailed)
        return len(entailed)

    def _participation_derivations(self) -> set[Triple]:
        """What the participation rules derive from the asserted participations and from the
        shortcut triples the asserted data entails (not from what they derive themselves)."""
        roles = self.rules.shortcut_roles
        feeding = set(roles) | {
            p for p, entailed in self.rules.entails.items() if any(q in roles for q, _ in entailed)
        }
        shortcuts: set[Triple] = set()
        for predicate in feeding:
            for t in self._triples(None, predicate, None):
                if self._asserted(t):
                    shortcuts.update(c for c in (t, *self.rules.conclusions(t)) if c.p in roles)
        return self.rules.participation_conclusions(self._participations(), shortcuts)

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
        self._recompute(affected_nodes(changed))
        if any(self.rules.about_participations(q.p) for q in changed):
            # Participations and shortcuts are few: derive them again from the state the local
            # recomputation left, and follow what changed among them.
            derived = self._participation_derivations()
            moved = derived ^ self.participation_derived
            self.participation_derived = derived
            if moved:
                graph = URIRef(self.target)
                self._recompute(affected_nodes(Quad(*t, graph) for t in moved))

    def _recompute(self, nodes: set[Term]) -> None:
        """Recompute the entailments that touch ``nodes`` (see kg.inference.affected_nodes)."""
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
        premises |= {t for t in self.participation_derived if touches(t, nodes)}
        entailed = {
            c
            for t in premises
            for c in (t, *self.rules.conclusions(t))
            if touches(c, nodes) and not self._asserted(c)
        }
        # Triples of transitive properties are left to a whole recomputation, which any change
        # that feeds them triggers (above): a local one would lose the chains.
        transitive = self.rules.transitive
        self._replace(
            {t for t in current if t.p not in transitive},
            {t for t in entailed if t.p not in transitive},
        )
