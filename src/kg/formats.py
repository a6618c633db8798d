"""The formats unhr-kg reads and writes, in one table, and content negotiation over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import NotAcceptable


class Kind(StrEnum):
    """What a response carries: solutions/booleans, or a graph."""

    RESULTS = "results"
    GRAPH = "graph"


@dataclass(frozen=True)
class Format:
    """One serialisation: its short name, media types (first is canonical) and W3C IRI."""

    name: str
    kind: Kind
    media_types: tuple[str, ...]
    extension: str
    iri: str

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    def content_type(self) -> str:
        mt = self.media_type
        return (
            mt if mt.startswith("application/") and mt.endswith("json") else f"{mt}; charset=utf-8"
        )

    def results_format(self) -> QueryResultsFormat:
        return _RESULTS_OX[self.name]

    def rdf_format(self) -> RdfFormat:
        return _RDF_OX[self.name]


RESULT_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        Kind.RESULTS,
        ("application/sparql-results+json", "application/json"),
        "srj",
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        Kind.RESULTS,
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        "srx",
        "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    ),
    Format(
        "csv", Kind.RESULTS, ("text/csv",), "csv", "http://www.w3.org/ns/formats/SPARQL_Results_CSV"
    ),
    Format(
        "tsv",
        Kind.RESULTS,
        ("text/tab-separated-values",),
        "tsv",
        "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    ),
)

GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        Kind.GRAPH,
        ("text/turtle", "application/x-turtle"),
        "ttl",
        "http://www.w3.org/ns/formats/Turtle",
    ),
    Format(
        "ntriples",
        Kind.GRAPH,
        ("application/n-triples", "text/plain"),
        "nt",
        "http://www.w3.org/ns/formats/N-Triples",
    ),
    Format(
        "jsonld",
        Kind.GRAPH,
        ("application/ld+json", "application/json"),
        "jsonld",
        "http://www.w3.org/ns/formats/JSON-LD",
    ),
    Format(
        "rdfxml",
        Kind.GRAPH,
        ("application/rdf+xml", "application/xml", "text/xml"),
        "rdf",
        "http://www.w3.org/ns/formats/RDF_XML",
    ),
)

_RESULTS_OX = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
_RDF_OX = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def formats_for(kind: Kind) -> tuple[Format, ...]:
    return RESULT_FORMATS if kind is Kind.RESULTS else GRAPH_FORMATS


def _parse_accept(accept: str) -> list[tuple[str, float, int]]:
    """Media ranges with their q-values and original position, best first."""
    ranges: list[tuple[str, float, int]] = []
    for pos, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, pos))
    return ranges


def _specificity(media_range: str, media_type: str) -> int | None:
    """How specifically ``media_range`` matches ``media_type`` (None when it does not)."""
    if media_range == media_type:
        return 3
    major, _, minor = media_range.partition("/")
    if minor == "*" and major != "*" and media_type.startswith(major + "/"):
        return 2
    if media_range == "*/*" or media_range == "*":
        return 1
    return None


def negotiate(
    kind: Kind,
    *,
    accept: str | None,
    format_param: str | None = None,
    extra: Sequence[Format] = (),
) -> Format:
    """Pick the format for a response of ``kind``.

    ``format_param`` (a short name such as ``csv`` or a media type) wins over ``Accept``. Among
    ``Accept`` ranges the highest q-value wins, then the most specific range, then the order the
    client wrote them in; a range with ``q=0`` excludes a format. Raises :class:`NotAcceptable`
    listing what is supported when nothing matches.
    """
    candidates = (*formats_for(kind), *extra)
    supported = ", ".join(f"{f.name} ({f.media_type})" for f in candidates)
    if format_param:
        wanted = format_param.strip().lower()
        for f in candidates:
            if wanted == f.name or wanted == f.extension or wanted in f.media_types:
                return f
        raise NotAcceptable(
            f"format={format_param!r} is not available for this response; supported: {supported}",
            supported=[f.media_type for f in candidates],
        )
    if not accept or not accept.strip():
        return candidates[0]
    ranges = _parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    chosen: Format | None = None
    for index, f in enumerate(candidates):
        for media_type in f.media_types:
            matches = [
                (q, spec, -pos)
                for (rng, q, pos) in ranges
                if (spec := _specificity(rng, media_type)) is not None
            ]
            if not matches:
                continue
            # The most specific matching range decides this media type's q-value (RFC 9110).
            q, spec, neg_pos = max(matches, key=lambda m: (m[1], m[2]))
            if q <= 0:
                continue
            score = (q, spec, neg_pos, -index)
            if best is None or score > best:
                best, chosen = score, f
    if chosen is None:
        raise NotAcceptable(
            f"none of the media types in Accept: {accept!r} can be produced here; "
            f"supported: {supported}",
            supported=[f.media_type for f in candidates],
        )
    return chosen
