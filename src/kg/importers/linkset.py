"""``data/reference/linkset-wikidata.ttl``: ``owl:sameAs`` links to Wikidata items, nothing else.

States take their QID from ``un_member_states.csv`` (country-codes' ``wikidata_id``); bodies from
the compiled ``un_bodies_qids.csv``. Where both give a QID for a state they must agree.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.importers.common import OWL, ImportDataError, iri, new_graph, wikidata
from kg.importers.member_states import load_member_states
from kg.importers.un_bodies import load_qids


def collect_links(root: Path) -> dict[str, str]:
    """IRI path → QID for every state and body that has one."""
    links = {f"state/{s.iso3}": s.wikidata_qid for s in load_member_states(root) if s.wikidata_qid}
    for path, qid in load_qids(root).items():
        if path in links and links[path] != qid:
            raise ImportDataError(f"{path}: QID {links[path]} (states) vs {qid} (bodies table)")
        links[path] = qid
    return links


def build(root: Path) -> Graph:
    """The ``linkset-wikidata`` graph."""
    g = new_graph()
    for path, qid in sorted(collect_links(root).items()):
        g.add((iri(path), OWL.sameAs, wikidata(qid)))
    return g
