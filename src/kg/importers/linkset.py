"""``data/reference/linkset-wikidata.ttl``: ``owl:sameAs`` links to Wikidata items.

States take their QID from ``un_member_states.csv`` (country-codes' ``wikidata_id``); bodies from
the compiled ``un_bodies_qids.csv``. Where both give a QID for a state they must agree. Besides
the links, the graph holds one node, ``linkset/wikidata`` (a ``void:Linkset``), whose
``dcterms:source`` names the two data sets the links come from, so that the load metadata
records the graph's sources like every other graph's.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.namespace import RDF, RDFS

from kg.importers.common import DCTERMS, OWL, ImportDataError, dataset, en, iri, new_graph, wikidata
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


VOID = Namespace("http://rdfs.org/ns/void#")
#: The data sets the links are taken from (see ``data/reference/csv/SOURCE.md``).
LINK_SOURCES = ("country-codes", "wikidata-un-bodies")


def build(root: Path) -> Graph:
    """The ``linkset-wikidata`` graph: the links and the node describing them."""
    g = new_graph()
    g.bind("void", VOID)
    linkset = iri("linkset/wikidata")
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, RDFS.label, en("owl:sameAs links from unhr-kg individuals to Wikidata items")))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    for ident in LINK_SOURCES:
        g.add((linkset, DCTERMS.source, dataset(ident)))
    for path, qid in sorted(collect_links(root).items()):
        g.add((iri(path), OWL.sameAs, wikidata(qid)))
    return g
