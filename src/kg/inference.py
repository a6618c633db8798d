"""The entailments the ontology declares, as rules over triples (engine-neutral).

From the OWL-Lite axioms of the ontology graphs:

- ``rdfs:subClassOf`` (and ``owl:equivalentClass``): an instance of a class is an instance of
  every superclass;
- ``rdfs:subPropertyOf`` (and ``owl:equivalentProperty``): ``x p y`` entails ``x q y`` for every
  super-property ``q``;
- ``owl:inverseOf``: ``x p y`` entails ``y q x``;
- ``owl:SymmetricProperty``: ``x p y`` entails ``y p x``;
- ``owl:TransitiveProperty``: ``x p y`` and ``y p z`` entail ``x p z``;
- ``unhr:shortcutRole``: a shortcut triple (``act unhr:host agent``) and a participation node
  (``p unhr:inActivity act ; unhr:participant agent ; unhr:role role:host``) entail each other,
  and every participation entails ``act unhr:involves agent``.

The first four are closed into one table per property (``entails``), so that one triple's
conclusions are found in one step, and every conclusion of a triple has the triple's own subject
or object at its ends: that is what makes incremental upkeep local (see
:func:`affected_nodes`). Transitive closures are not local; they are recomputed as a whole.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

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
UNHR = "https://w3id.org/unhr/ontology#"
SHORTCUT_ROLE = URIRef(UNHR + "shortcutRole")
#: A participation: ``?p unhr:inActivity ?act ; unhr:participant ?agent ; unhr:role ?role``.
IN_ACTIVITY = URIRef(UNHR + "inActivity")
HAS_PARTICIPATION = URIRef(UNHR + "hasParticipation")
PARTICIPANT = URIRef(UNHR + "participant")
ROLE = URIRef(UNHR + "role")
PARTICIPATION = URIRef(UNHR + "Participation")
INVOLVES = URIRef(UNHR + "involves")


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
    #: shortcut property (``unhr:host``) → the role concept it stands for (``vocab/role/host``).
    shortcut_roles: Mapping[URIRef, URIRef] = field(default_factory=dict)

    @classmethod
    def from_triples(cls, triples: Iterable[Triple]) -> Rules:
        sub_class: dict[URIRef, set[URIRef]] = defaultdict(set)
        sub_prop: dict[URIRef, set[URIRef]] = defaultdict(set)
        inverse: dict[URIRef, set[URIRef]] = defaultdict(set)
        symmetric: set[URIRef] = set()
        transitive: set[URIRef] = set()
        shortcut_roles: dict[URIRef, URIRef] = {}
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
            elif p == SHORTCUT_ROLE:
                shortcut_roles[s] = o
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
        return cls(superclasses, entails, frozenset(transitive), shortcut_roles)

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

    def about_participations(self, p: URIRef) -> bool:
        """Whether triples of ``p`` take part in the participation rules (see
        :meth:`participation_conclusions`)."""
        if p in (IN_ACTIVITY, HAS_PARTICIPATION, PARTICIPANT, ROLE) or p in self.shortcut_roles:
            return True
        return any(q in self.shortcut_roles for q, _ in self.entails.get(p, ()))

    def participation_conclusions(
        self,
        participations: Iterable[tuple[Term, Term, Term | None]],
        shortcuts: Iterable[Triple],
    ) -> set[Triple]:
        """Shortcuts and participations kept consistent, both ways.

        ``participations`` are asserted (activity, agent, role or None); ``shortcuts`` the
        triples of shortcut properties (asserted or entailed). A participation entails
        ``activity unhr:involves agent`` and the shortcut of its role, if it has one; a shortcut
        triple with no participation behind it entails one, named
        ``{activity}/inferred-participation/{agent's last path segment}/{role's notation}``
        (apart from the curators' ``…/participation/…`` names, so that the two never merge).
        """
        by_role: dict[URIRef, set[URIRef]] = defaultdict(set)
        for shortcut, role in self.shortcut_roles.items():
            by_role[role].add(shortcut)
        out: set[Triple] = set()
        known: set[tuple[Term, Term, Term | None]] = set()
        for activity, agent, given in participations:
            known.add((activity, agent, given))
            if not isinstance(activity, URIRef | BNode):
                continue
            out.add(Triple(activity, INVOLVES, agent))
            for shortcut in by_role.get(given, ()) if isinstance(given, URIRef) else ():
                out.add(Triple(activity, shortcut, agent))
        for activity, shortcut, agent in shortcuts:
            wanted = self.shortcut_roles.get(shortcut)
            if wanted is None or (activity, agent, wanted) in known:
                continue
            if not isinstance(activity, URIRef) or not isinstance(agent, URIRef):
                continue
            node = URIRef(
                f"{activity}/inferred-participation/{_last_segment(agent)}/{_last_segment(wanted)}"
            )
            out.update(
                {
                    Triple(node, RDF_TYPE, PARTICIPATION),
                    Triple(node, IN_ACTIVITY, activity),
                    Triple(node, PARTICIPANT, agent),
                    Triple(node, ROLE, wanted),
                }
            )
        return out

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


def _last_segment(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


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
