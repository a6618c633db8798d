"""The write path: compute a change, validate the state it leads to, apply it atomically.

Every write (ingest, SPARQL Update, Graph Store Protocol, revert) becomes a
:class:`~kg.curation.changes.Change` of quads removed and added. Writes are serialised by one
lock; the evaluation they need (the effect of an update, the SHACL validation) runs in workers
with a deadline. A change with a SHACL violation is refused whole with the report; an accepted
one is one :class:`~kg.store.base.ChangeSet` with its provenance in the metadata graph, applied
(and journalled) in one step. ``POST /validate`` never takes the write lock: it runs in the
validation lane, whose concurrency is bounded on its own. A redaction (an administrator's) is a
write too, under the same lock (see :mod:`kg.curation.redaction`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from kg.curation import redaction
from kg.curation.changes import (
    CHANGESET_ID,
    DCT,
    METADATA_GRAPH,
    PROTECTED,
    PROV,
    Change,
    changeset_graph,
    changeset_node,
    new_changeset_id,
    provenance,
)
from kg.curation.checks import ValidateChange
from kg.curation.identity import Identities, publish_identities
from kg.curation.uploads import ParseUpload
from kg.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from kg.formats import Format
from kg.namespaces import UNHR
from kg.rdfio import parse_nquads
from kg.sparql.operation import Form, classify
from kg.store.base import ChangeSet, Lane, Store, UpdateRequest
from kg.terms import Literal, Quad, URIRef
from kg.validation import ValidationReport

log = logging.getLogger(__name__)

_LIST = f"""PREFIX dcterms: <{DCT}> PREFIX prov: <{PROV}>
PREFIX unhr: <{UNHR}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?id ?kind ?curator ?created ?comment ?source ?graph ?reverts WHERE {{
  GRAPH <{METADATA_GRAPH}> {{
    ?cs a unhr:ChangeSet ; dcterms:identifier ?id ; unhr:changeKind ?kind ;
        prov:wasAssociatedWith ?who ; dcterms:created ?created .
    OPTIONAL {{ ?cs prov:generated ?graph }}
    OPTIONAL {{ ?cs rdfs:comment ?comment }}
    OPTIONAL {{ ?cs dcterms:source ?source }}
    OPTIONAL {{ ?cs unhr:reverts ?r . ?r dcterms:identifier ?reverts }}
    BIND(STRAFTER(STR(?who), "/curator/") AS ?curator)
  }} }} ORDER BY ?created ?id"""

_REVERTED_BY = f"""SELECT ?cs ?id WHERE {{
  GRAPH <{METADATA_GRAPH}> {{ ?revert <{UNHR}reverts> ?cs ; <{DCT}identifier> ?id }}
}} ORDER BY ?id"""

_IS_SOURCE = f"""SELECT ?source ?type WHERE {{
  ?source a ?type FILTER(?type = <{UNHR}Source>)
}}"""

_RECORD = f"""SELECT ?cs ?added ?removed WHERE {{
  GRAPH <{METADATA_GRAPH}> {{ ?cs <{UNHR}addedQuads> ?added ; <{UNHR}removedQuads> ?removed }}
}}"""


@dataclass(frozen=True)
class Limits:
    """What one write may cost, and who may write what."""

    max_triples: int
    max_nesting: int
    timeout: float
    base_iri: str | None = None
    #: Graphs that define or gate the data (the ontology and the shapes) ...
    schema_graphs: frozenset[str] = frozenset()
    #: ... and the curators allowed to write them (KG_SCHEMA_CURATORS).
    schema_curators: frozenset[str] = frozenset()


class CurationService:
    """All writes go through here, one at a time."""

    def __init__(self, store: Store, limits: Limits, identities: Identities | None = None) -> None:
        self._store = store
        self._limits = limits
        self._identities = identities or Identities()
        self._lock = threading.Lock()
        #: Tallies for the metrics: change sets accepted, writes refused by SHACL, redactions.
        self.tallies = {
            "changesets_accepted": 0,
            "writes_refused_by_shacl": 0,
            "redactions": 0,
        }

    # -- reading uploads and validating (no write lock) -----------------------------------

    def parse(self, body: bytes, fmt: Format, *, into_graph: str) -> list[Quad]:
        """The quads of an upload, parsed in a worker after the nesting pre-scan."""
        job = ParseUpload(
            body,
            fmt.name,
            into_graph,
            self._limits.max_triples,
            self._limits.max_nesting,
            self._limits.base_iri,
        )
        return self._store.run(job, timeout=self._limits.timeout, lane=Lane.VALIDATE)

    def validate_quads(self, quads: list[Quad]) -> ValidationReport:
        """The report for adding ``quads`` to the store, without writing anything."""
        return self._store.run(
            ValidateChange((), tuple(quads)), timeout=self._limits.timeout, lane=Lane.VALIDATE
        )

    # -- committing ----------------------------------------------------------------------

    def _check_graphs(self, quads: list[Quad], curator: str) -> None:
        for graph in sorted({str(q.g) for q in quads}):
            if graph in PROTECTED:
                raise Forbidden(
                    f"graph <{graph}> is maintained by the server and cannot be written",
                    graph=graph,
                )
            if graph in self._limits.schema_graphs and curator not in self._limits.schema_curators:
                raise Forbidden(
                    f"graph <{graph}> defines or gates the data (ontology or shapes); writing it "
                    f"needs the schema-curator role, which {curator!r} does not have "
                    "(KG_SCHEMA_CURATORS)",
                    graph=graph,
                )

    def _check_source(self, source: str) -> None:
        rows = self._store.select(
            _IS_SOURCE, bindings={"source": URIRef(source)}, timeout=self._limits.timeout
        )
        if not rows:
            raise BadRequest(
                f"source <{source}> is not a source this graph describes (a unhr:Source, such "
                "as https://w3id.org/unhr/id/source/nkdb-what-more); describe it first",
                parameter="source",
            )

    def _commit(
        self,
        cs_id: str,
        kind: str,
        removed: list[Quad],
        added: list[Quad],
        *,
        curator: str,
        comment: str | None,
        source: str | None,
        dry_run: bool,
        reverts: str | None = None,
    ) -> Change:
        self._check_graphs([*removed, *added], curator)
        if source:
            self._check_source(source)
        if not removed and not added:
            raise BadRequest("the write changes nothing")
        if len(removed) + len(added) > self._limits.max_triples:
            raise PayloadTooLarge(
                f"the write changes {len(removed) + len(added)} triples; one write changes at "
                f"most {self._limits.max_triples} (KG_MAX_WRITE_TRIPLES): split it",
                limit=self._limits.max_triples,
            )
        report: ValidationReport = self._store.run(
            ValidateChange(tuple(removed), tuple(added)),
            timeout=self._limits.timeout,
            lane=Lane.INTERNAL,
        )
        public = self._identities.public(curator)
        meta = {
            "curator": public,
            "comment": comment or "",
            "source": source or "",
            "graph": changeset_graph(cs_id),
        }
        change = Change(cs_id, kind, tuple(removed), tuple(added), report, False, meta)
        if not report.conforms:
            self.tallies["writes_refused_by_shacl"] += 1
        if dry_run or not report.conforms:
            return change
        record = provenance(change, curator=public, comment=comment, source=source, reverts=reverts)
        self._store.apply(
            ChangeSet(
                id=cs_id,
                removed=tuple(removed),
                added=(*added, *record),
                meta={"curator": curator, "kind": kind},
            )
        )
        self.tallies["changesets_accepted"] += 1
        return Change(cs_id, kind, tuple(removed), tuple(added), report, True, meta)

    def ingest(
        self,
        quads: list[Quad],
        *,
        curator: str,
        source: str | None,
        comment: str | None,
        dry_run: bool = False,
    ) -> Change:
        """Add a curator's document as a new change set in its own graph."""
        cs_id = new_changeset_id()
        target = URIRef(changeset_graph(cs_id))
        added = [q.in_graph(target) for q in quads]
        with self._lock:
            return self._commit(
                cs_id,
                "ingest",
                [],
                added,
                curator=curator,
                comment=comment,
                source=source,
                dry_run=dry_run,
            )

    def update(
        self,
        text: str,
        *,
        curator: str,
        comment: str | None = None,
        source: str | None = None,
        dry_run: bool = False,
        using_graphs: tuple[str, ...] | None = None,
        using_named_graphs: tuple[str, ...] | None = None,
    ) -> Change:
        op = classify(text)
        if op.form is not Form.UPDATE:
            raise BadRequest("this is a query, not an update; send it to /sparql as 'query'")
        if (using_graphs or using_named_graphs) and op.uses_with:
            raise BadRequest(
                "an update with WITH cannot also take using-graph-uri or using-named-graph-uri "
                "(SPARQL 1.1 Protocol, 2.2.3)"
            )
        cs_id = new_changeset_id()
        with self._lock:
            # The query policy (no LOAD, no SERVICE) is checked where the update is evaluated.
            delta = self._store.update_effect(
                UpdateRequest(
                    text=text,
                    target_graph=changeset_graph(cs_id),
                    timeout=self._limits.timeout,
                    max_changes=self._limits.max_triples,
                    base_iri=self._limits.base_iri,
                    using_graphs=using_graphs,
                    using_named_graphs=using_named_graphs,
                )
            )
            return self._commit(
                cs_id,
                "update",
                list(delta.removed),
                list(delta.added),
                curator=curator,
                comment=comment,
                source=source,
                dry_run=dry_run,
            )

    def replace_graph(
        self,
        graph: str,
        quads: list[Quad] | None,
        *,
        curator: str,
        comment: str | None = None,
        append: bool = False,
    ) -> Change | None:
        """Graph Store Protocol: PUT (replace), POST (append, ``append``), DELETE (``None``).

        None when the write would change nothing (the graph already holds exactly that).
        """
        cs_id = new_changeset_id()
        target = URIRef(graph)
        with self._lock:
            current = self._store.quads(g=target, max_rows=self._limits.max_triples + 1)
            if quads is None and not current:
                raise NotFound(f"graph <{graph}> does not exist")
            new = [q.in_graph(target) for q in (quads or [])]
            current_set = set(current)
            if append:
                removed, added = [], [q for q in new if q not in current_set]
            else:
                new_set = set(new)
                removed = [q for q in current if q not in new_set]
                added = [q for q in new if q not in current_set]
            kind = "graph-delete" if quads is None else ("graph-post" if append else "graph-put")
            if not removed and not added:
                return None
            change = self._commit(
                cs_id,
                kind,
                removed,
                added,
                curator=curator,
                comment=comment,
                source=None,
                dry_run=False,
            )
            change.meta["created"] = str(not current and bool(added)).lower()
            return change

    def revert(self, target_id: str, *, curator: str, comment: str | None = None) -> Change:
        with self._lock:
            record = self._record(target_id)
            if record is None:
                raise NotFound(f"no change set '{target_id}'")
            by = self._redacted_by(target_id)
            if by is not None:
                raise Conflict(
                    f"change set '{target_id}' was redacted by '{by}': its content is gone and "
                    "cannot be restored",
                    redacted_by=by,
                )
            already = self._store.select(
                _REVERTED_BY,
                bindings={"cs": changeset_node(target_id)},
                timeout=self._limits.timeout,
            )
            if already:
                by = str(already.rows[0]["id"])
                raise Conflict(
                    f"change set '{target_id}' was already reverted by '{by}'; revert '{by}' "
                    "to restore it",
                    reverted_by=by,
                )
            added_text, removed_text = record
            cs_id = new_changeset_id()
            return self._commit(
                cs_id,
                "revert",
                parse_nquads(added_text),
                parse_nquads(removed_text),
                curator=curator,
                comment=comment or f"revert {target_id}",
                source=None,
                dry_run=False,
                reverts=target_id,
            )

    # -- redaction (administrators) -------------------------------------------------------

    def _redacted_by(self, cs_id: str) -> str | None:
        rows = self._store.select(
            redaction.REDACTED,
            bindings={"cs": changeset_node(cs_id)},
            timeout=self._limits.timeout,
        )
        return str(rows.rows[0]["id"]) if rows.rows else None

    def redact(self, target_id: str, *, admin: str, reason: str) -> dict[str, Any]:
        """Remove change set ``target_id``'s content from the store, the metadata graph and the
        journal, keeping an audit record (see :mod:`kg.curation.redaction`); its JSON."""
        if not reason.strip():
            raise BadRequest("a redaction needs a reason", parameter="reason")
        with self._lock:
            every = redaction.records(
                self._store.select(redaction.RECORDS, timeout=self._limits.timeout)
            )
            target = every.get(target_id)
            if target is None:
                raise NotFound(f"no change set '{target_id}'")
            if target.kind == redaction.KIND:
                raise Conflict(
                    f"'{target_id}' is a redaction: it records what was removed and holds no "
                    "content of its own to redact"
                )
            by = self._redacted_by(target_id)
            if by is not None:
                raise Conflict(
                    f"change set '{target_id}' was already redacted by '{by}'; see "
                    f"/changesets/{by}",
                    redacted_by=by,
                )
            public = self._identities.public(admin)
            planned = redaction.plan(
                target,
                every.values(),
                redaction_id=new_changeset_id(),
                admin=admin,
                admin_public=public,
                reason=reason.strip(),
            )
            outcome = self._store.redact(planned.redaction)
            self.tallies["redactions"] += 1
        log.warning(
            "change set %s redacted by %s (%s): %d triple(s), %d quad(s) removed from the store, "
            "%d change set record(s) rewritten",
            target_id,
            public,
            planned.id,
            planned.triples,
            outcome.quads_removed,
            len(planned.touched),
        )
        for leftover in outcome.leftover_files:
            log.warning("%s predates the redaction and may still hold its content", leftover)
        return planned.to_json(
            quads_removed=outcome.quads_removed, leftover_files=outcome.leftover_files
        )

    def publish_identities(self) -> int:
        """Name curators in the metadata graph as the settings say (at start)."""
        with self._lock:
            return publish_identities(self._store, self._identities, timeout=self._limits.timeout)

    # -- reading the log -----------------------------------------------------------------

    def _record(self, cs_id: str) -> tuple[str, str] | None:
        if not CHANGESET_ID.match(cs_id):
            return None
        rows = self._store.select(
            _RECORD, bindings={"cs": changeset_node(cs_id)}, timeout=self._limits.timeout
        )
        for row in rows:
            added, removed = row.get("added"), row.get("removed")
            if isinstance(added, Literal) and isinstance(removed, Literal):
                return str(added), str(removed)
        return None

    def list(self) -> list[dict[str, Any]]:
        rows = self._store.select(_LIST, timeout=self._limits.timeout)
        items: list[dict[str, Any]] = [{k: str(v) for k, v in row.items()} for row in rows]
        audit = self._store.select(redaction.AUDIT, timeout=self._limits.timeout)
        redaction.annotate(items, audit)
        return items
