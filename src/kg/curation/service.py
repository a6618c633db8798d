"""The write path: compute a change set, validate the state it leads to, apply it atomically.

Every write (ingest, SPARQL Update, Graph Store Protocol, revert) becomes a :class:`Change`
of quads removed and added. Before anything is applied, the nodes it touches are validated
against the shapes *as they would be after the change* (their current description in the
store, minus what is removed, plus what is added, with the types of the nodes they point to).
A change with a SHACL violation is refused whole with the report. An accepted change is one
:class:`kg.store.base.ChangeSet`: journalled and fsync'd before it is acknowledged (embedded
store), with its provenance (curator, time, comment, source, the quads themselves, so that it
can be reverted) in the metadata graph, in the same atomic step.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
    serialize,
)
from pyoxigraph import Store as ScratchStore
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import BNode, Node

from kg.errors import BadRequest, Forbidden, NotFound
from kg.formats import RESULT_FORMATS
from kg.namespaces import GRAPH, ID, UNHR
from kg.sparql.evaluate import QueryRequest
from kg.sparql.operation import (
    Form,
    check_policy,
    classify,
    data_operations,
    syntax_error_from_engine,
)
from kg.store.base import ChangeSet, Store
from kg.store.oxigraph import METADATA_GRAPH
from kg.validation import ValidationReport, validate_graph

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
PROTECTED = frozenset({METADATA_GRAPH.value, f"{GRAPH}queries"})
DEFAULT = DefaultGraph()
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
            out["added_nquads"] = _nquads(self.added)
            out["removed_nquads"] = _nquads(self.removed)
        return out


def _nquads(quads: tuple[Quad, ...] | list[Quad]) -> str:
    return (serialize(list(quads), format=RdfFormat.N_QUADS) or b"").decode()


def new_changeset_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"cs-{stamp}-{secrets.token_hex(3)}"


def changeset_graph(cs_id: str) -> str:
    return f"{GRAPH}changeset/{cs_id}"


def changeset_node(cs_id: str) -> NamedNode:
    return NamedNode(f"{ID}changeset/{cs_id}")


def _to_rdflib(term: NamedNode | BlankNode | Literal | Any) -> Node:
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        return RdfLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise BadRequest("RDF-star triples are not accepted in curated data")


def _spo(q: Quad) -> tuple[NamedNode | BlankNode, NamedNode, NamedNode | BlankNode | Literal]:
    if isinstance(q.subject, Triple) or isinstance(q.object, Triple):
        raise BadRequest("RDF-star triples are not accepted in curated data")
    return q.subject, q.predicate, q.object


class CurationService:
    """All writes go through here, one at a time."""

    def __init__(self, store: Store, *, shapes: Graph, ontology: Graph) -> None:
        self._store = store
        self._shapes = shapes
        self._ontology = ontology
        self._lock = threading.Lock()

    # -- validation --------------------------------------------------------------------

    def _neighbourhood(self, nodes: set[NamedNode | BlankNode]) -> set[tuple[Any, Any, Any]]:
        """Current triples about ``nodes`` and the types/schemes of what they point to."""
        triples: set[tuple[Any, Any, Any]] = set()
        objects: set[NamedNode | BlankNode] = set()
        for node in nodes:
            for s, p, o in self._store.triples_about(node):
                triples.add((s, p, o))
                if isinstance(o, NamedNode | BlankNode):
                    objects.add(o)
        for node in objects - nodes:
            triples.update(self._store.triples_about(node))
        return triples

    def _validate(self, removed: list[Quad], added: list[Quad]) -> ValidationReport:
        touched: set[NamedNode | BlankNode] = {
            q.subject for q in (*removed, *added) if isinstance(q.subject, NamedNode | BlankNode)
        }
        state = self._neighbourhood(touched)
        for q in removed:
            triple = (q.subject, q.predicate, q.object)
            still = any(
                other.graph_name != q.graph_name and not isinstance(other.graph_name, DefaultGraph)
                for other in self._store.quads_matching(*_spo(q))
            )
            if not still:
                state.discard(triple)
        for q in added:
            state.add((q.subject, q.predicate, q.object))
            if isinstance(q.object, NamedNode | BlankNode):
                state.update(self._store.triples_about(q.object))
        data = Graph()
        for s, p, o in state:
            data.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))
        focus: set[Node] = {_to_rdflib(n) for n in touched}
        return validate_graph(data, self._shapes, self._ontology, focus_nodes=focus)

    def validate_quads(self, quads: list[Quad]) -> ValidationReport:
        """The report for adding ``quads`` to the store, without writing anything."""
        with self._lock:
            return self._validate([], quads)

    # -- computing changes ---------------------------------------------------------------

    def _check_graphs(self, quads: list[Quad]) -> None:
        for q in quads:
            if isinstance(q.graph_name, NamedNode) and q.graph_name.value in PROTECTED:
                raise Forbidden(
                    f"graph <{q.graph_name.value}> is maintained by the server and "
                    "cannot be written"
                )

    def _update_effect(self, update: str, cs_id: str) -> tuple[list[Quad], list[Quad]]:
        """(removed, added) quads of named graphs that ``update`` would cause."""
        op = classify(update)
        if op.form is not Form.UPDATE:
            raise BadRequest("this is a query, not an update; send it to /sparql as 'query'")
        check_policy(op, known_graphs=self._store.graph_names())
        split = data_operations(update)
        if split is not None:
            removed, added = self._data_effect(*split)
        else:
            removed, added = self._scratch_effect(update)
        return self._resolve_default_graph(removed, added, cs_id)

    def _data_effect(
        self, prologue: str, operations: list[tuple[str, str]]
    ) -> tuple[set[Quad], set[Quad]]:
        """INSERT DATA / DELETE DATA only: read the listed quads, no copy of the store."""
        removed: set[Quad] = set()
        added: set[Quad] = set()
        for verb, block in operations:
            listed = ScratchStore()
            try:
                listed.update(f"{prologue} INSERT DATA {block}")
            except SyntaxError as exc:
                raise syntax_error_from_engine(str(exc)) from None
            for q in listed:
                present = bool(
                    self._store.quads_matching(q.subject, q.predicate, q.object, q.graph_name)
                )
                if verb == "DELETE":
                    if q in added:
                        added.discard(q)
                    elif present:
                        removed.add(q)
                elif q in removed:
                    removed.discard(q)
                elif not present:
                    added.add(q)
        return removed, added

    def _scratch_effect(self, update: str) -> tuple[set[Quad], set[Quad]]:
        """Any other update: run it on a scratch copy of the store (cost grows with the store)."""
        before = set(self._store.all_quads())
        scratch = ScratchStore()
        scratch.extend(before)
        try:
            scratch.update(update)
        except SyntaxError as exc:
            raise syntax_error_from_engine(str(exc)) from None
        except (ValueError, OSError) as exc:
            raise BadRequest(f"the update failed: {exc}") from None
        after = set(scratch)
        return before - after, after - before

    def _resolve_default_graph(
        self, removed: set[Quad], added: set[Quad], cs_id: str
    ) -> tuple[list[Quad], list[Quad]]:
        """The default graph is the union: writing to it writes to this change set's graph;
        deleting from it deletes the triple from every graph that asserts it."""
        target = NamedNode(changeset_graph(cs_id))
        named_removed = {q for q in removed if not isinstance(q.graph_name, DefaultGraph)}
        named_added = {q for q in added if not isinstance(q.graph_name, DefaultGraph)}
        for q in added:
            if isinstance(q.graph_name, DefaultGraph):
                named_added.add(Quad(q.subject, q.predicate, q.object, target))
        for q in removed:
            if isinstance(q.graph_name, DefaultGraph):
                named_removed.update(
                    other
                    for other in self._store.quads_matching(*_spo(q))
                    if not isinstance(other.graph_name, DefaultGraph)
                )
        return sorted(named_removed, key=str), sorted(named_added, key=str)

    # -- applying ------------------------------------------------------------------------

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
        self._check_graphs([*removed, *added])
        if not removed and not added:
            raise BadRequest("the write changes nothing")
        report = self._validate(removed, added)
        meta = {
            "curator": curator,
            "comment": comment or "",
            "source": source or "",
            "graph": changeset_graph(cs_id),
        }
        change = Change(cs_id, kind, tuple(removed), tuple(added), report, False, meta)
        if dry_run or not report.conforms:
            return change
        created = datetime.now(UTC).isoformat(timespec="microseconds")
        node = changeset_node(cs_id)
        m = METADATA_GRAPH
        provenance = [
            Quad(node, RDF_TYPE, NamedNode(f"{UNHR}ChangeSet"), m),
            Quad(node, RDF_TYPE, NamedNode(f"{PROV}Activity"), m),
            Quad(node, NamedNode(f"{DCT}identifier"), Literal(cs_id), m),
            Quad(node, NamedNode(f"{UNHR}changeKind"), Literal(kind), m),
            Quad(
                node, NamedNode(f"{PROV}wasAssociatedWith"), NamedNode(f"{ID}curator/{curator}"), m
            ),
            Quad(
                node,
                NamedNode(f"{DCT}created"),
                Literal(created, datatype=NamedNode(XSD + "dateTime")),
                m,
            ),
            Quad(node, NamedNode(f"{PROV}generated"), NamedNode(changeset_graph(cs_id)), m),
            Quad(node, NamedNode(f"{UNHR}addedQuads"), Literal(_nquads(added)), m),
            Quad(node, NamedNode(f"{UNHR}removedQuads"), Literal(_nquads(removed)), m),
        ]
        if comment:
            provenance.append(Quad(node, RDFS_COMMENT, Literal(comment), m))
        if source:
            provenance.append(Quad(node, NamedNode(f"{DCT}source"), NamedNode(source), m))
        if reverts:
            provenance.append(Quad(node, NamedNode(f"{UNHR}reverts"), changeset_node(reverts), m))
        self._store.apply(
            ChangeSet(
                id=cs_id,
                remove_nquads=_nquads(removed),
                add_nquads=_nquads([*added, *provenance]),
                meta={"curator": curator, "kind": kind},
            )
        )
        return Change(cs_id, kind, tuple(removed), tuple(added), report, True, meta)

    def ingest(
        self,
        quads: list[Quad],
        *,
        curator: str,
        source: str | None,
        comment: str | None,
        dry_run: bool = False,
        cs_id: str | None = None,
    ) -> Change:
        """Add a curator's document as a new change set in its own graph."""
        cs_id = cs_id or new_changeset_id()
        target = NamedNode(changeset_graph(cs_id))
        added = [Quad(q.subject, q.predicate, q.object, target) for q in quads]
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
        update: str,
        *,
        curator: str,
        comment: str | None = None,
        source: str | None = None,
        dry_run: bool = False,
    ) -> Change:
        cs_id = new_changeset_id()
        with self._lock:
            removed, added = self._update_effect(update, cs_id)
            return self._commit(
                cs_id,
                "update",
                removed,
                added,
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
    ) -> Change:
        """Graph Store Protocol: PUT (replace), POST (append, ``append``), DELETE (``None``)."""
        cs_id = new_changeset_id()
        target = NamedNode(graph)
        with self._lock:
            current = [q for q in self._store.quads_matching(None, None, None, target)]
            new = [Quad(q.subject, q.predicate, q.object, target) for q in (quads or [])]
            if quads is None and not current:
                raise NotFound(f"graph <{graph}> does not exist")
            current_set = set(current)
            if append:
                removed, added = [], [q for q in new if q not in current_set]
            else:
                new_set = set(new)
                removed = [q for q in current if q not in new_set]
                added = [q for q in new if q not in current_set]
            kind = "graph-delete" if quads is None else ("graph-post" if append else "graph-put")
            return self._commit(
                cs_id,
                kind,
                removed,
                added,
                curator=curator,
                comment=comment,
                source=None,
                dry_run=False,
            )

    def revert(self, target_id: str, *, curator: str, comment: str | None = None) -> Change:
        with self._lock:
            record = self._record(target_id)
            if record is None:
                raise NotFound(f"no change set '{target_id}'")
            added = list(parse(record["removed"].encode(), format=RdfFormat.N_QUADS))
            removed = list(parse(record["added"].encode(), format=RdfFormat.N_QUADS))
            cs_id = new_changeset_id()
            return self._commit(
                cs_id,
                "revert",
                removed,
                added,
                curator=curator,
                comment=comment or f"revert {target_id}",
                source=None,
                dry_run=False,
                reverts=target_id,
            )

    # -- reading the log -----------------------------------------------------------------

    def _select(self, text: str) -> list[dict[str, str]]:
        response = self._store.execute(
            QueryRequest(text, Form.SELECT, RESULT_FORMATS[0], 100_000, 30.0)
        )
        data = json.loads(response.body)
        return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]

    def _record(self, cs_id: str) -> dict[str, str] | None:
        if not CHANGESET_ID.match(cs_id):
            return None
        node = changeset_node(cs_id)  # a validated id: the term cannot change the query
        rows = self._select(f"""SELECT ?added ?removed WHERE {{ VALUES ?cs {{ {node} }}
            GRAPH <{METADATA_GRAPH.value}> {{
              ?cs <{UNHR}addedQuads> ?added ; <{UNHR}removedQuads> ?removed }} }}""")
        return rows[0] if rows else None

    def list(self) -> list[dict[str, str]]:
        rows = self._select(f"""PREFIX dcterms: <{DCT}> PREFIX prov: <{PROV}>
            PREFIX unhr: <{UNHR}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?id ?kind ?curator ?created ?comment ?source ?graph ?reverts WHERE {{
              GRAPH <{METADATA_GRAPH.value}> {{
                ?cs a unhr:ChangeSet ; dcterms:identifier ?id ; unhr:changeKind ?kind ;
                    prov:wasAssociatedWith ?who ; dcterms:created ?created ;
                    prov:generated ?graph .
                OPTIONAL {{ ?cs rdfs:comment ?comment }}
                OPTIONAL {{ ?cs dcterms:source ?source }}
                OPTIONAL {{ ?cs unhr:reverts ?r . ?r dcterms:identifier ?reverts }}
                BIND(STRAFTER(STR(?who), "/curator/") AS ?curator)
              }} }} ORDER BY ?created ?id""")
        return rows
