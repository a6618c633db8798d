"""Reading a curator's upload as a job: bounded nesting, bounded size, parsed in a worker.

The pre-scan of :mod:`kg.nesting` runs first, so that a hostile document never reaches the
recursive parser; the parse itself runs in a worker, off the server's event loop, where a
deadline stops it and a crash loses only that worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import PayloadTooLarge
from kg.formats import by_name
from kg.nesting import check_rdf
from kg.rdfio import parse
from kg.store.base import JobContext
from kg.terms import Quad, URIRef


@dataclass(frozen=True)
class ParseUpload:
    body: bytes
    format: str
    into_graph: str
    max_triples: int
    max_nesting: int
    base_iri: str | None = None

    def run(self, ctx: JobContext) -> list[Quad]:
        check_rdf(self.body, self.format, limit=self.max_nesting)
        quads = parse(
            self.body,
            by_name(self.format),
            base_iri=self.base_iri,
            into_graph=URIRef(self.into_graph),
        )
        if len(quads) > self.max_triples:
            raise PayloadTooLarge(
                f"the document holds {len(quads)} triples; one write takes at most "
                f"{self.max_triples} (KG_MAX_WRITE_TRIPLES): split it into several",
                limit=self.max_triples,
            )
        return quads
