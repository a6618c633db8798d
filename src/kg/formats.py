"""The formats unhr-kg reads and writes, in one table, and content negotiation over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kg.errors import NotAcceptable, UnsupportedMediaType


class Kind(StrEnum):
    """What a document carries: solutions/booleans, a graph, a dataset (quads), or a web page."""

    RESULTS = "results"
    GRAPH = "graph"
    DATASET = "dataset"
    PAGE = "page"


@dataclass(frozen=True)
class Format:
    """One serialisation: short name, media types (first is canonical), file suffix, W3C IRI.

    ``rdflib`` is rdflib's name for the format (None when rdflib is not used for it). Engines
    find their own format objects by the canonical media type.
    """

    name: str
    kind: Kind
    media_types: tuple[str, ...]
    extension: str
    iri: str
    rdflib: str | None = None

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    def content_type(self) -> str:
        mt = self.media_type
        return (
            mt if mt.startswith("application/") and mt.endswith("json") else f"{mt}; charset=utf-8"
        )


_W3C = "http://www.w3.org/ns/formats/"

#: Every format unhr-kg reads or writes, in order of preference within each kind.
FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        Kind.RESULTS,
        ("application/sparql-results+json", "application/json"),
        "srj",
        _W3C + "SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        Kind.RESULTS,
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        "srx",
        _W3C + "SPARQL_Results_XML",
    ),
    Format("csv", Kind.RESULTS, ("text/csv",), "csv", _W3C + "SPARQL_Results_CSV"),
    Format("tsv", Kind.RESULTS, ("text/tab-separated-values",), "tsv", _W3C + "SPARQL_Results_TSV"),
    Format(
        "turtle",
        Kind.GRAPH,
        ("text/turtle", "application/x-turtle"),
        "ttl",
        _W3C + "Turtle",
        "turtle",
    ),
    Format(
        "ntriples",
        Kind.GRAPH,
        ("application/n-triples", "text/plain"),
        "nt",
        _W3C + "N-Triples",
        "nt",
    ),
    Format(
        "jsonld",
        Kind.GRAPH,
        ("application/ld+json", "application/json"),
        "jsonld",
        _W3C + "JSON-LD",
        "json-ld",
    ),
    Format(
        "rdfxml",
        Kind.GRAPH,
        ("application/rdf+xml", "application/xml", "text/xml"),
        "rdf",
        _W3C + "RDF_XML",
        "xml",
    ),
    Format("trig", Kind.DATASET, ("application/trig",), "trig", _W3C + "TriG", "trig"),
    Format("nquads", Kind.DATASET, ("application/n-quads",), "nq", _W3C + "N-Quads", "nquads"),
    Format("html", Kind.PAGE, ("text/html", "application/xhtml+xml"), "html", ""),
)

RESULT_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind is Kind.RESULTS)
GRAPH_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind is Kind.GRAPH)
#: What an upload (/validate, an ingest, a Graph Store write) may be written in.
RDF_FORMATS: tuple[Format, ...] = tuple(f for f in FORMATS if f.kind in (Kind.GRAPH, Kind.DATASET))
HTML: Format = next(f for f in FORMATS if f.kind is Kind.PAGE)
JSON_RESULTS: Format = RESULT_FORMATS[0]


def by_name(name: str) -> Format:
    """The format called ``name`` (a programming error when there is none)."""
    for f in FORMATS:
        if f.name == name:
            return f
    raise KeyError(name)


#: Media types too generic to say which RDF syntax an upload is in.
_NOT_UPLOAD_TYPES = frozenset({"text/plain", "application/json"})


def upload_media_types() -> list[str]:
    """The Content-Types an upload may have (sorted): those of the RDF formats, less the
    generic ones."""
    return sorted({m for f in RDF_FORMATS for m in f.media_types} - _NOT_UPLOAD_TYPES)


def rdf_upload_format(media_type: str) -> Format:
    """The RDF syntax of an upload, from its Content-Type; 415 listing the accepted ones."""
    wanted = media_type.split(";")[0].strip().lower()
    for f in RDF_FORMATS:
        if wanted in f.media_types and wanted not in _NOT_UPLOAD_TYPES:
            return f
    accepted = upload_media_types()
    raise UnsupportedMediaType(
        f"cannot read {wanted or 'a body without Content-Type'}; send one of {', '.join(accepted)}",
        supported=accepted,
    )


def rdf_format_for_suffix(suffix: str) -> Format | None:
    """The RDF syntax a file name suffix (``.ttl``, ``.jsonld``, …) stands for."""
    wanted = suffix.lower().lstrip(".")
    aliases = {"json": "jsonld", "owl": "rdfxml", "xml": "rdfxml"}
    for f in RDF_FORMATS:
        if wanted == f.extension or f.name == aliases.get(wanted):
            return f
    return None


_GRAPH_ALIASES = {
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "json": "jsonld",
    "json-ld": "jsonld",
    "ttl": "turtle",
    "n3": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
}


def formats_for(kind: Kind) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.kind is kind)


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


def _by_param(value: str, kind: Kind, candidates: Sequence[Format]) -> Format | None:
    wanted = value.strip().lower()
    # Clients name graph formats loosely (SPARQLWrapper sends format=xml with a CONSTRUCT).
    wanted = _GRAPH_ALIASES.get(wanted, wanted) if kind is Kind.GRAPH else wanted
    for f in candidates:
        if wanted == f.name or wanted == f.extension or wanted in f.media_types:
            return f
    return None


def negotiate(
    kind: Kind,
    *,
    accept: str | None,
    format_param: str | Sequence[str] | None = None,
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
        given = [format_param] if isinstance(format_param, str) else list(format_param)
        # The first value (or comma-separated item) naming a format for this response wins:
        # SPARQLWrapper sends format=json-ld&format=application/ld+json,application/x-json+ld.
        for value in given:
            for item in value.split(","):
                found = _by_param(item, kind, candidates)
                if found is not None:
                    return found
        raise NotAcceptable(
            f"format={', '.join(given)!r} is not available for this response; supported: "
            f"{supported}",
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
