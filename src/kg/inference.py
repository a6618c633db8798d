"""The entailments the ontology declares, as rules over triples (engine-neutral).

From the OWL-Lite axioms of the ontology graphs:

- ``rdfs:subClassOf`` (and ``owl:equivalentClass``): an instance of a class is an instance of
  every superclass;
- ``rdfs:subPropertyOf`` (and ``owl:equivalentProperty``): ``x p y`` entails ``x q y`` for every
  super-property ``q``;
- ``owl:inverseOf``: ``x p y`` entails ``y q x``;
- ``owl:SymmetricProperty``: ``x p y`` entails ``y p x``;
- ``owl:TransitiveProperty``: ``x p y`` and ``y p z`` entail ``x p z``.

The first four are closed into one table per property (``entails``), so that one triple's
conclusions are found in one step, and every conclusion of a triple has the triple's own subject
or object at its ends: that is what makes incremental upkeep local (see
:func:`affected_nodes`). Transitive closures are not local; they are recomputed as a whole.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from kg.terms import BNode, Literal, Quad, Term, Triple, URIRef

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROPERTY = URIRef("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
OWL = "http://www.w3.org/2002/07/owl#"
INVERSE = URIRef(OWL + "inverseOf")
EQUIVALENT_CLASS = URIRef(OWL + "equivalentClass")
EQUIVALENT_PROPERTY = URIRef(OWL + "equivalentProperty")
SYMMETRIC = URIRef(OWL + "SymmetricProperty")
TRANSITIVE = URIRef(OWL + "TransitiveProperty")


def _reach(edges: Mapping[URIRef, set[URIRef]], start: URIRef) -> set[URIRef]:
    """Everything reachable from ``start`` (not ``start`` itself unless on a cycle)."""
    seen: set[URIRef] = set()
    todo = deque(edges.get(start, ()))
    while todo:
        node = todo.popleft()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


@dataclass(frozen=True)
class Rules:
    """The ontology's entailment rules, closed and indexed for use on data triples."""

    superclasses: Mapping[URIRef, frozenset[URIRef]]
    #: property → (property, forward) pairs ``x p y`` entails (``forward=False``: ``y q x``).
    entails: Mapping[URIRef, frozenset[tuple[URIRef, bool]]]
    transitive: frozenset[URIRef]

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> Rules:
        sub_class: dict[URIRef, set[URIRef]] = defaultdict(set)
        sub_prop: dict[URIRef, set[URIRef]] = defaultdict(set)
        inverse: dict[URIRef, set[URIRef]] = defaultdict(set)
        symmetric: set[URIRef] = set()
        transitive: set[URIRef] = set()
        for s, p, o in triples:
            if not isinstance(s, URIRef) or not isinstance(o, URIRef):
                continue
            if p == SUBCLASS:
                sub_class[s].add(o)
            elif p == EQUIVALENT_CLASS:
                sub_class[s].add(o)
                sub_class[o].add(s)
            elif p == SUBPROPERTY:
                sub_prop[s].add(o)
            elif p == EQUIVALENT_PROPERTY:
                sub_prop[s].add(o)
                sub_prop[o].add(s)
            elif p == INVERSE:
                inverse[s].add(o)
                inverse[o].add(s)
            elif p == RDF_TYPE and o == SYMMETRIC:
                symmetric.add(s)
            elif p == RDF_TYPE and o == TRANSITIVE:
                transitive.add(s)
        superclasses = {c: frozenset(_reach(sub_class, c) - {c}) for c in list(sub_class)}
        superclasses = {c: supers for c, supers in superclasses.items() if supers}
        properties = set(sub_prop) | set(inverse) | symmetric | transitive
        for targets in (*sub_prop.values(), *inverse.values()):
            properties |= targets
        entails: dict[URIRef, frozenset[tuple[URIRef, bool]]] = {}
        for p in properties:
            seen: set[tuple[URIRef, bool]] = {(p, True)}
            todo = deque(seen)
            while todo:
                q, forward = todo.popleft()
                steps = [(r, forward) for r in sub_prop.get(q, ())]
                steps += [(r, not forward) for r in inverse.get(q, ())]
                if q in symmetric:
                    steps.append((q, not forward))
                for step in steps:
                    if step not in seen:
                        seen.add(step)
                        todo.append(step)
            seen.discard((p, True))
            if seen:
                entails[p] = frozenset(seen)
        return cls(superclasses, entails, frozenset(transitive))

    @property
    def premise_predicates(self) -> frozenset[URIRef]:
        """Predicates whose triples have conclusions (``rdf:type`` stands for the classes)."""
        return frozenset({RDF_TYPE, *self.entails, *self.transitive})

    def conclusions(self, triple: Triple) -> Iterator[Triple]:
        """What one triple entails by itself (no transitive chains)."""
        s, p, o = triple
        if p == RDF_TYPE:
            if isinstance(o, URIRef):
                for c in self.superclasses.get(o, ()):
                    yield Triple(s, RDF_TYPE, c)
            return
        for q, forward in self.entails.get(p, ()):
            if forward:
                yield Triple(s, q, o)
            elif isinstance(o, URIRef | BNode) and not isinstance(s, Literal):
                yield Triple(o, q, s)

    def entailed_transitive(self, p: URIRef) -> frozenset[URIRef]:
        """The transitive properties that triples of ``p`` feed."""
        entailed = {q for q, _forward in self.entails.get(p, ())}
        return frozenset(t for t in self.transitive if t == p or t in entailed)

    def closure(self, triples: Iterable[Triple]) -> set[Triple]:
        """Everything ``triples`` entail, transitive chains included, to a fixpoint."""
        known: set[Triple] = set(triples)
        todo = deque(known)
        while True:
            while todo:
                for conclusion in self.conclusions(todo.popleft()):
                    if conclusion not in known:
                        known.add(conclusion)
                        todo.append(conclusion)
            chained = self._transitive_steps(known)
            if not chained:
                return known
            known |= chained
            todo.extend(chained)

    def _transitive_steps(self, known: set[Triple]) -> set[Triple]:
        new: set[Triple] = set()
        for prop in self.transitive:
            successors: dict[Term, set[Term]] = defaultdict(set)
            for s, p, o in known:
                if p == prop:
                    successors[s].add(o)
            for start, direct in successors.items():
                seen: set[Term] = set()
                todo = deque(direct)
                while todo:
                    node = todo.popleft()
                    if node in seen:
                        continue
                    seen.add(node)
                    todo.extend(successors.get(node, ()))
                for end in seen - direct:
                    if isinstance(start, URIRef | BNode):
                        new.add(Triple(start, prop, end))
        return new - known


def affected_nodes(quads: Iterable[Quad]) -> set[Term]:
    """The nodes whose entailments a change to ``quads`` may change.

    Every conclusion of a triple has the triple's subject, or (for a property other than
    ``rdf:type``) its object, at one of its ends; so removing the entailments that touch these
    nodes and recomputing them from the premises that touch them is exact.
    """
    nodes: set[Term] = set()
    for q in quads:
        nodes.add(q.s)
        if q.p != RDF_TYPE and isinstance(q.o, URIRef | BNode):
            nodes.add(q.o)
    return nodes


def touches(triple: Triple, nodes: set[Term]) -> bool:
    """Whether ``triple`` is about ``nodes`` in the sense of :func:`affected_nodes`."""
    return triple.s in nodes or (triple.p != RDF_TYPE and triple.o in nodes)
