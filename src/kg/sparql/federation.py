"""SERVICE clauses evaluated here, so that the engine never calls another host itself.

pyoxigraph would evaluate ``SERVICE`` with its own HTTP client, with no timeout, no size cap
and out of Python's sight. So every outermost ``SERVICE <endpoint> { P }`` of a query is
evaluated by :mod:`kg.sparql.service_client` (``SELECT *`` over the query's prologue and ``P``)
and the clause is replaced by a ``VALUES`` block of the solutions it returned, before the
engine sees the query. SPARQL 1.1 Federated Query evaluates a SERVICE pattern on its own, from
the bottom up, and joins its solutions with the rest of the group; a ``VALUES`` block of those
solutions, at the same place, is joined the same way, so the answer is the same.

- ``SERVICE SILENT``: a failed call (unreachable, error status, timeout, too large, malformed)
  gives the single empty solution, as the recommendation says; without SILENT it is a 502. A
  policy refusal (an endpoint that resolves to a private address) is never silenced.
- Blank nodes in the answer cannot be written in ``VALUES``: each one becomes an IRI
  ``urn:x-kg:service-bnode:{call}:{hash of its label}``, the same for one label within one call
  and different across calls (the labels of two answers never denote the same node).
- RDF-star triple terms in the answer are refused (the call fails).
- The clauses are located by rdflib's own grammar rule, at the places the tokenizer sees the
  keyword; their endpoints and SILENT flags must be exactly those the algebra reports, and the
  rewritten text (with empty ``VALUES``) is parsed again and must hold no SERVICE: any mismatch
  refuses the query rather than running something else.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import Forbidden, ServiceFailed
from kg.sparql.iris import prologue_of
from kg.sparql.outbound import QueryReading, ServiceClause, locate_services, read_query
from kg.sparql.service_client import Guard, Table, call

_VARNAME = re.compile(r"[A-Za-z0-9_\u00b7\u00c0-\ufffd]+")


@dataclass(frozen=True)
class Federation:
    """Where ``SERVICE`` may go, and what one call may cost (from settings)."""

    #: Endpoint IRIs a SERVICE clause may name (exact match).
    endpoints: frozenset[str] = frozenset()
    #: Endpoints (also allowed) that may resolve to loopback, private, link-local or reserved
    #: addresses; every other endpoint must resolve to public addresses only.
    private_endpoints: frozenset[str] = frozenset()
    #: Seconds one call may take (connect, send, and the whole answer).
    timeout: float = 10.0
    #: Bytes one answer may hold.
    max_bytes: int = 10_000_000

    @property
    def enabled(self) -> bool:
        return bool(self.endpoints or self.private_endpoints)

    def allows(self, endpoint: str) -> bool:
        return endpoint in self.endpoints or endpoint in self.private_endpoints

    def allows_private(self, endpoint: str) -> bool:
        return endpoint in self.private_endpoints

    def listed(self) -> list[str]:
        return sorted(self.endpoints | self.private_endpoints)


@dataclass(frozen=True)
class ServiceCall:
    """One call made for a query, for the metrics (``outcome``: ok, or the failure)."""

    endpoint: str
    outcome: str


@dataclass(frozen=True)
class Prepared:
    """The text to give the engine, and the SERVICE calls made to build it."""

    text: str
    calls: tuple[ServiceCall, ...] = ()


Caller = Callable[..., Table]


def _mismatch(why: str) -> Forbidden:
    return Forbidden(
        f"the server could not match the SERVICE clauses of this query with its algebra ({why}); "
        "nothing was run. Write each SERVICE clause plainly: SERVICE [SILENT] <endpoint> { … }",
        policy="unreadable",
    )


def _remote_query(prologue: str, pattern: str, base_iri: str | None) -> str:
    base = f"BASE <{base_iri}>\n" if base_iri else ""
    return f"{base}{prologue}\nSELECT * WHERE {pattern}"


def _term(value: Any, endpoint: str, skolem: Callable[[str], str]) -> str:
    """A term of SPARQL JSON results in SPARQL syntax (serialised by pyoxigraph)."""
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise ServiceFailed(
            f"SERVICE <{endpoint}> answered a malformed term", endpoint=endpoint, outcome="failed"
        )
    kind, text = value.get("type"), value["value"]
    try:
        if kind == "uri":
            return str(ox.NamedNode(text))
        if kind in ("literal", "typed-literal"):
            if value.get("xml:lang"):
                return str(ox.Literal(text, language=str(value["xml:lang"])))
            if value.get("datatype"):
                return str(ox.Literal(text, datatype=ox.NamedNode(str(value["datatype"]))))
            return str(ox.Literal(text))
        if kind == "bnode":
            return str(ox.NamedNode(skolem(text)))
    except ValueError as exc:
        raise ServiceFailed(
            f"SERVICE <{endpoint}> answered an invalid term ({exc})",
            endpoint=endpoint,
            outcome="failed",
        ) from None
    raise ServiceFailed(
        f"SERVICE <{endpoint}> answered a term of type {kind!r}, which cannot be joined here "
        "(RDF-star triple terms are not supported)",
        endpoint=endpoint,
        outcome="failed",
    )


def values_block(table: Table, endpoint: str) -> str:
    """``VALUES (?v …) { (t …) … }`` holding exactly the solutions of ``table``."""
    names: list[str] = []
    for name in table.variables:
        if not _VARNAME.fullmatch(name):
            raise ServiceFailed(
                f"SERVICE <{endpoint}> answered an invalid variable name {name[:40]!r}",
                endpoint=endpoint,
                outcome="failed",
            )
        if name not in names:
            names.append(name)
    call_id = uuid.uuid4().hex

    def skolem(label: str) -> str:
        digest = hashlib.sha256(label.encode()).hexdigest()[:24]
        return f"urn:x-kg:service-bnode:{call_id}:{digest}"

    rows = []
    for binding in table.rows:
        cells = [_term(binding[n], endpoint, skolem) if n in binding else "UNDEF" for n in names]
        rows.append("(" + " ".join(cells) + ")")
    head = "(" + " ".join(f"?{n}" for n in names) + ")"
    return f"VALUES {head} {{ {' '.join(rows)} }}"


def _check_located(clauses: tuple[ServiceClause, ...], reading: QueryReading) -> None:
    expected = sorted((s.endpoint or "", s.silent) for s in reading.outbound.outer_services)
    found = sorted((c.endpoint or "", c.silent) for c in clauses)
    if expected != found:
        raise _mismatch(f"found {len(found)} clause(s) where the algebra has {len(expected)}")
    for before, after in itertools.pairwise(clauses):
        if after.start < before.end:
            raise _mismatch("two clauses overlap")


def federate(
    text: str,
    reading: QueryReading,
    federation: Federation,
    *,
    base_iri: str | None = None,
    guard: Guard | None = None,
    caller: Caller = call,
) -> Prepared:
    """``text`` with each outermost SERVICE clause replaced by the solutions it returned."""
    clauses = tuple(sorted(locate_services(text, reading), key=lambda c: c.start))
    _check_located(clauses, reading)
    prologue = prologue_of(text)
    final: list[str] = []
    checked: list[str] = []
    calls: list[ServiceCall] = []
    position = 0
    for clause in clauses:
        endpoint = clause.endpoint
        if endpoint is None or not federation.allows(endpoint):  # read_query refused it already
            raise _mismatch("an endpoint the policy did not check")
        query = _remote_query(prologue, text[clause.pattern_start : clause.end], base_iri)
        try:
            table = caller(
                endpoint,
                query,
                allow_private=federation.allows_private(endpoint),
                timeout=federation.timeout,
                max_bytes=federation.max_bytes,
                guard=guard,
            )
            block = values_block(table, endpoint)
            empty = block.split("{", 1)[0] + "{ }"
            calls.append(ServiceCall(endpoint, "ok"))
        except ServiceFailed as exc:
            if not clause.silent:
                raise
            block = empty = "VALUES () { () }"
            calls.append(ServiceCall(endpoint, f"silenced-{exc.details.get('outcome', 'failed')}"))
        final += [text[position : clause.start], block]
        checked += [text[position : clause.start], empty]
        position = clause.end
    final.append(text[position:])
    checked.append(text[position:])
    again = read_query("".join(checked), base_iri=base_iri)
    if again.outbound.services:
        raise _mismatch("a SERVICE clause is left after the rewrite")
    return Prepared("".join(final), tuple(calls))


__all__ = ["Federation", "Prepared", "ServiceCall", "federate", "values_block"]
