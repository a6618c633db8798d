"""Redaction: a change set's content leaves every public view and the store; an audit stays.

Redacting change set X (an administrator's act, with a reason):

- its *content* is every triple X added or removed (the N-Quads of its ``unhr:addedQuads`` and
  ``unhr:removedQuads``). Every quad of those triples is removed, in whichever graph holds it now
  (X's own graph, a graph a later write copied it into, a graph loaded from a file), and so are
  the entailments that followed from them;
- every change set whose record mentions one of those triples (X itself, a revert of X, a later
  edit) loses them from its text in the metadata graph and from its journal record, and loses
  its comment (a comment may describe the content);
- a new change set R of kind ``redact`` records what happened: who (the administrator, named as
  ``KG_CURATOR_IDENTITY`` says), when, why (its ``rdfs:comment``), which change set
  (``unhr:redacts``), and, for every change set it touched, how many triples left its record and
  keyed digests of that record's text before (``unhr:addedQuadsDigest``,
  ``unhr:removedQuadsDigest``).

The digests are HMAC-SHA256 of the exact text the metadata graph held, keyed by a random key of
this redaction (kept in the journal, and given once to the administrator). With the key, a holder
of the original text can show that it is what was redacted; without it, nobody can test a guess
(a name, a place) against the published digest, as they could against a plain hash.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from kg.curation.changes import (
    DCT,
    METADATA_GRAPH,
    PROV,
    RDF_TYPE,
    RDFS_COMMENT,
    XSD,
    changeset_node,
    curator_iri,
)
from kg.namespaces import UNHR
from kg.rdfio import nt, parse_nquads, serialize_nquads
from kg.store.base import ChangeSet, Redaction
from kg.terms import Literal, Quad, Term, Triple, URIRef, literal

ADDED_QUADS = URIRef(f"{UNHR}addedQuads")
REMOVED_QUADS = URIRef(f"{UNHR}removedQuads")
REDACTS = URIRef(f"{UNHR}redacts")
REDACTED_BY = URIRef(f"{UNHR}redactedBy")
REDACTION_OF = URIRef(f"{UNHR}redactionOf")
CHANGE_SET = URIRef(f"{UNHR}changeSet")
ADDED_DIGEST = URIRef(f"{UNHR}addedQuadsDigest")
REMOVED_DIGEST = URIRef(f"{UNHR}removedQuadsDigest")
TRIPLES_REDACTED = URIRef(f"{UNHR}triplesRedacted")
KIND = "redact"

#: Every change set's record, as the metadata graph holds it.
RECORDS = f"""SELECT ?cs ?id ?kind ?added ?removed ?comment WHERE {{
  GRAPH <{METADATA_GRAPH}> {{
    ?cs a <{UNHR}ChangeSet> ; <{DCT}identifier> ?id ; <{UNHR}changeKind> ?kind .
    OPTIONAL {{ ?cs <{UNHR}addedQuads> ?added }}
    OPTIONAL {{ ?cs <{UNHR}removedQuads> ?removed }}
    OPTIONAL {{ ?cs <{RDFS_COMMENT}> ?comment }}
  }} }}"""

#: The redaction that redacted ?cs, if any.
REDACTED = f"""SELECT ?cs ?id WHERE {{
  GRAPH <{METADATA_GRAPH}> {{ ?r <{REDACTS}> ?cs ; <{DCT}identifier> ?id }}
}}"""

#: Every redaction and what it did to each change set it touched.
AUDIT = f"""SELECT ?rid ?xid ?cid ?added ?removed ?n WHERE {{
  GRAPH <{METADATA_GRAPH}> {{
    ?r <{REDACTS}> ?x ; <{DCT}identifier> ?rid ; <{REDACTION_OF}> ?node .
    ?x <{DCT}identifier> ?xid .
    ?node <{CHANGE_SET}> ?c ; <{ADDED_DIGEST}> ?added ; <{REMOVED_DIGEST}> ?removed ;
          <{TRIPLES_REDACTED}> ?n .
    ?c <{DCT}identifier> ?cid
  }} }} ORDER BY ?rid ?cid"""


def content_digest(key: bytes, text: str) -> str:
    """The published digest of a change set's text (see the module docstring)."""
    return "hmac-sha256:" + hmac.new(key, text.encode(), sha256).hexdigest()


@dataclass(frozen=True)
class Record:
    """A change set as the metadata graph describes it."""

    node: URIRef
    id: str
    kind: str
    added: Literal | None
    removed: Literal | None
    comments: tuple[Literal, ...] = ()

    def quads(self) -> tuple[list[Quad], list[Quad]]:
        return (
            parse_nquads(str(self.added)) if self.added is not None else [],
            parse_nquads(str(self.removed)) if self.removed is not None else [],
        )


def records(rows: Iterable[Mapping[str, Term]]) -> dict[str, Record]:
    """The records of a :data:`RECORDS` answer, by change-set id."""
    out: dict[str, Record] = {}
    for row in rows:
        node, cs_id = row["cs"], str(row["id"])
        added, removed, comment = row.get("added"), row.get("removed"), row.get("comment")
        if not isinstance(node, URIRef):
            continue
        known = out.get(cs_id)
        comments = known.comments if known is not None else ()
        if isinstance(comment, Literal) and comment not in comments:
            comments = (*comments, comment)
        out[cs_id] = Record(
            node,
            cs_id,
            str(row["kind"]),
            added if isinstance(added, Literal) else None,
            removed if isinstance(removed, Literal) else None,
            comments,
        )
    return out


@dataclass(frozen=True)
class Touched:
    """What the redaction does to one change set's record."""

    id: str
    triples_redacted: int
    added_digest: str
    removed_digest: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "triples_redacted": self.triples_redacted,
            "added_digest": self.added_digest,
            "removed_digest": self.removed_digest,
        }


@dataclass(frozen=True)
class Plan:
    """A redaction, ready for :meth:`kg.store.base.Store.redact`, and its audit for the answer."""

    id: str
    target: str
    admin: str
    reason: str
    created: str
    triples: int
    touched: tuple[Touched, ...]
    redaction: Redaction = field(repr=False)

    def to_json(self, *, quads_removed: int, leftover_files: Iterable[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": KIND,
            "redacts": self.target,
            "curator": self.admin,
            "created": self.created,
            "reason": self.reason,
            "triples_redacted": self.triples,
            "quads_removed": quads_removed,
            "redacted_from": [t.to_json() for t in self.touched],
            # Given once, to the administrator: with it, the original text of a change set can
            # be checked against its digest (see kg.curation.redaction). Keep it private.
            "digest_key": self.redaction.key.hex(),
        }
        leftovers = list(leftover_files)
        if leftovers:
            out["warning"] = (
                "these copies of the journal, set aside by earlier repairs, predate the "
                "redaction and may still hold the content: " + ", ".join(leftovers)
            )
        return out


def plan(
    target: Record,
    every: Iterable[Record],
    *,
    redaction_id: str,
    admin: str,
    admin_public: str,
    reason: str,
) -> Plan:
    """The redaction of ``target`` given every change set's record (see the module docstring)."""
    key = secrets.token_bytes(32)
    added, removed = target.quads()
    content: frozenset[Triple] = frozenset(q.triple for q in (*added, *removed))
    meta = URIRef(METADATA_GRAPH)
    node = changeset_node(redaction_id)
    created = datetime.now(UTC).isoformat(timespec="microseconds")
    audit = [
        Quad(node, RDF_TYPE, URIRef(f"{UNHR}ChangeSet"), meta),
        Quad(node, RDF_TYPE, URIRef(f"{UNHR}Redaction"), meta),
        Quad(node, RDF_TYPE, URIRef(f"{PROV}Activity"), meta),
        Quad(node, URIRef(f"{DCT}identifier"), literal(redaction_id), meta),
        Quad(node, URIRef(f"{UNHR}changeKind"), literal(KIND), meta),
        Quad(node, URIRef(f"{PROV}wasAssociatedWith"), curator_iri(admin_public), meta),
        Quad(node, URIRef(f"{DCT}created"), literal(created, datatype=XSD + "dateTime"), meta),
        Quad(node, RDFS_COMMENT, literal(reason), meta),
        Quad(node, REDACTS, target.node, meta),
    ]
    replace: dict[Quad, Quad | None] = {}
    touched: list[Touched] = []
    # A record can mention a triple of the content only if its text names the triple's subject.
    subjects = {nt(t.s) for t in content}
    for record in sorted(every, key=lambda r: r.id):
        record_text = f"{record.added or ''}\n{record.removed or ''}"
        if record.id != target.id and not any(s in record_text for s in subjects):
            continue
        before_added, before_removed = record.quads()
        kept_added = [q for q in before_added if q.triple not in content]
        kept_removed = [q for q in before_removed if q.triple not in content]
        dropped = len(before_added) - len(kept_added) + len(before_removed) - len(kept_removed)
        if record.id != target.id and not dropped:
            continue
        for predicate, text, kept in (
            (ADDED_QUADS, record.added, kept_added),
            (REMOVED_QUADS, record.removed, kept_removed),
        ):
            if text is not None:
                replace[Quad(record.node, predicate, text, meta)] = Quad(
                    record.node, predicate, literal(serialize_nquads(kept)), meta
                )
        for comment in record.comments:
            replace[Quad(record.node, RDFS_COMMENT, comment, meta)] = None
        digests = Touched(
            record.id,
            dropped,
            content_digest(key, str(record.added or "")),
            content_digest(key, str(record.removed or "")),
        )
        touched.append(digests)
        part = URIRef(f"{node}#{record.id}")
        audit += [
            Quad(node, REDACTION_OF, part, meta),
            Quad(part, RDF_TYPE, URIRef(f"{UNHR}RedactedRecord"), meta),
            Quad(part, CHANGE_SET, record.node, meta),
            Quad(part, ADDED_DIGEST, literal(digests.added_digest), meta),
            Quad(part, REMOVED_DIGEST, literal(digests.removed_digest), meta),
            Quad(part, TRIPLES_REDACTED, literal(str(dropped), datatype=XSD + "integer"), meta),
            Quad(record.node, REDACTED_BY, node, meta),
        ]
    record_cs = ChangeSet(
        id=redaction_id, added=tuple(audit), meta={"curator": admin, "kind": KIND}
    )
    return Plan(
        id=redaction_id,
        target=target.id,
        admin=admin_public,
        reason=reason,
        created=created,
        triples=len(content),
        touched=tuple(touched),
        redaction=Redaction(triples=content, replace=replace, record=record_cs, key=key),
    )


def annotate(items: list[dict[str, Any]], audit_rows: Iterable[Mapping[str, Term]]) -> None:
    """Add to the listed change sets what redactions did: on a redaction, what it redacted and
    from which records; on a change set it touched, by which redaction, who, when and why."""
    by_id = {item["id"]: item for item in items}
    for row in audit_rows:
        rid, xid, cid = str(row["rid"]), str(row["xid"]), str(row["cid"])
        part = {
            "triples_redacted": int(str(row["n"])),
            "added_digest": str(row["added"]),
            "removed_digest": str(row["removed"]),
        }
        redaction = by_id.get(rid)
        if redaction is not None:
            redaction["redacts"] = xid
            redaction["reason"] = redaction.get("comment", "")
            redaction.setdefault("redacted_from", []).append({"id": cid, **part})
        touched = by_id.get(cid)
        if touched is not None:
            if cid == xid:
                touched["redacted"] = True
            touched.setdefault("redactions", []).append(
                {
                    "by": rid,
                    "redacts": xid,
                    "curator": redaction.get("curator") if redaction else None,
                    "created": redaction.get("created") if redaction else None,
                    "reason": redaction.get("comment") if redaction else None,
                    **part,
                }
            )
