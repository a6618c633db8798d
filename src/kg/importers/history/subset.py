"""The DPRK votes already in ``data/votes/``: the full histories reuse their IRIs and leave
their nodes alone.

A roll call of the DPRK subset is the same roll call in the full data set: it must stay one
node. The converters therefore take its vote-event IRI from the DPRK graph (found through the
data set's own identifier, ``dcterms:identifier "unvotes rcid=4604"``) and write no triple
about any node that graph describes (the event, its document, its session), so that nothing it
says is said twice or differently. ``tests/importers/test_history.py`` checks that what the
converter would have written about those nodes agrees with the DPRK graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.importers import unsc_votes, votes
from kg.importers.common import UNHR


@dataclass(frozen=True)
class DprkSubset:
    """Subjects the DPRK graph describes and its vote events by the data set's own id."""

    described: frozenset[str]
    events: dict[str, str]

    @classmethod
    def from_graph(cls, graph: Graph, prefix: str) -> DprkSubset:
        """``prefix`` is how the data set's ids start in ``dcterms:identifier``
        (``"unvotes rcid="``)."""
        events: dict[str, str] = {}
        for event in graph.subjects(RDF.type, UNHR.VoteEvent):
            for ident in graph.objects(event, DCTERMS.identifier):
                if isinstance(ident, Literal) and str(ident).startswith(prefix):
                    events[str(ident).removeprefix(prefix)] = str(event)
        described = frozenset(str(s) for s in graph.subjects() if isinstance(s, URIRef))
        return cls(described=described, events=events)

    @classmethod
    def empty(cls) -> DprkSubset:
        return cls(frozenset(), {})


def _loader(build: Callable[[Path], Graph], prefix: str) -> Callable[[Path], DprkSubset]:
    def load(root: Path) -> DprkSubset:
        return DprkSubset.from_graph(build(root), prefix)

    return load


ga_subset = _loader(votes.build_ga, "unvotes rcid=")
hrc_subset = _loader(votes.build_hrc, "unhrc-votes column=")
sc_subset = _loader(unsc_votes.build, "unsc-voting ID=")
