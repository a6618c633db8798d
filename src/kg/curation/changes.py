"""A curator's write as the server records it: ids, graphs, provenance, the JSON it answers with."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kg import namespaces
from kg.namespaces import GRAPH, ID, UNHR
from kg.rdfio import serialize_nquads
from kg.terms import Quad, URIRef, literal
from kg.validation import ValidationReport

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = URIRef("http://www.w3.org/2000/01/rdf-schema#comment")
METADATA_GRAPH = URIRef(namespaces.METADATA_GRAPH)
#: Graphs the server maintains itself; no write may touch them.
PROTECTED = frozenset(
    {namespaces.METADATA_GRAPH, namespaces.CATALOGUE_GRAPH, namespaces.INFERRED_GRAPH}
)
CHANGESET_ID = re.compile(r"^cs-\d{8}T\d{6}Z-[0-9a-f]{6}$")


@dataclass(frozen=True)
class Change:
    """What a write would do, and whether the shapes accept the result."""

    id: str
    kind: str
    removed: tuple[Quad, ...]
    added: tuple[Quad, ...]
    report: ValidationReport
    applied: bool = False
    meta: dict[str, str] = field(default_factory=dict)

    def to_json(self, *, with_quads: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "applied": self.applied,
            "added": len(self.added),
            "removed": len(self.removed),
            "conforms": self.report.conforms,
            "report": self.report.to_json(),
            **self.meta,
        }
        if with_quads:
            out["added_nquads"] = serialize_nquads(self.added)
            out["removed_nquads"] = serialize_nquads(self.removed)
        return out


def new_changeset_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"cs-{stamp}-{secrets.token_hex(3)}"


def changeset_graph(cs_id: str) -> str:
    return f"{GRAPH}changeset/{cs_id}"


def changeset_node(cs_id: str) -> URIRef:
    return URIRef(f"{ID}changeset/{cs_id}")


def curator_iri(public_name: str) -> URIRef:
    """The IRI a curator or administrator is known by in public (a name or a pseudonym)."""
    return URIRef(f"{ID}curator/{public_name}")


def provenance(
    change: Change,
    *,
    curator: str,
    comment: str | None,
    source: str | None,
    reverts: str | None,
) -> list[Quad]:
    """The metadata-graph description of an accepted change set (it is what a revert reads).

    ``curator`` is the public form of the curator's name (see :mod:`kg.curation.identity`).
    """
    node = changeset_node(change.id)
    m = METADATA_GRAPH
    created = datetime.now(UTC).isoformat(timespec="microseconds")
    quads = [
        Quad(node, RDF_TYPE, URIRef(f"{UNHR}ChangeSet"), m),
        Quad(node, RDF_TYPE, URIRef(f"{PROV}Activity"), m),
        Quad(node, URIRef(f"{DCT}identifier"), literal(change.id), m),
        Quad(node, URIRef(f"{UNHR}changeKind"), literal(change.kind), m),
        Quad(node, URIRef(f"{PROV}wasAssociatedWith"), curator_iri(curator), m),
        Quad(node, URIRef(f"{DCT}created"), literal(created, datatype=XSD + "dateTime"), m),
        Quad(node, URIRef(f"{PROV}generated"), URIRef(changeset_graph(change.id)), m),
        Quad(node, URIRef(f"{UNHR}addedQuads"), literal(serialize_nquads(change.added)), m),
        Quad(node, URIRef(f"{UNHR}removedQuads"), literal(serialize_nquads(change.removed)), m),
    ]
    if comment:
        quads.append(Quad(node, RDFS_COMMENT, literal(comment), m))
    if source:
        quads.append(Quad(node, URIRef(f"{DCT}source"), URIRef(source), m))
    if reverts:
        quads.append(Quad(node, URIRef(f"{UNHR}reverts"), changeset_node(reverts), m))
    return quads
