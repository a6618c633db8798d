"""Helpers shared by the knowledge tests: the source texts, the source graphs, evidence spans.

The five source texts live outside the repository (``../shared/sources`` beside the checkout, or
the folder named by ``UNHR_SOURCES_DIR``); tests that need them are skipped when they are absent.
Each source graph is parsed on its own with rdflib, so that a test sees exactly what one named
graph (one file) says.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[2]
UNHR = Namespace("https://w3id.org/unhr/ontology#")
ID = Namespace("https://w3id.org/unhr/id/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
VOCAB_BASIS = "https://w3id.org/unhr/id/vocab/identification-basis/"

#: Source id → file name in the shared sources folder (``../shared/sources/SOURCES.md``).
SOURCE_FILES = {
    "nkhr-un-advocacy": "000_54b6e662e618aed1.txt",
    "nkdb-what-more": "001_ba9912b9d4567fbc.txt",
    "un-role-overview": "002_083b5ae12831d78c.txt",
    "un-indispensable-2024": "003_7ecf27fb0f0a479d.txt",
    "nkhr-side-meeting-2014": "004_ba48a5cc242e0c45.txt",
}
SOURCE_IDS = tuple(SOURCE_FILES)
SMALL_SOURCES = (
    "nkhr-un-advocacy",
    "nkdb-what-more",
    "un-role-overview",
    "nkhr-side-meeting-2014",
)

_SPAN = re.compile(r"^https://w3id\.org/unhr/id/source/([a-z0-9-]+)#char=(\d+),(\d+)$")


def sources_dir() -> Path:
    env = os.environ.get("UNHR_SOURCES_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "sources"


@cache
def _text(source_id: str) -> str | None:
    path = sources_dir() / SOURCE_FILES[source_id]
    return path.read_text(encoding="utf-8") if path.is_file() else None


def text(source_id: str) -> str:
    """The source text as given (character offsets of evidence spans index into it)."""
    found = _text(source_id)
    if found is None:
        pytest.skip(f"source texts not available in {sources_dir()} (set UNHR_SOURCES_DIR)")
    return found


def flat(value: str) -> str:
    """Whitespace (including the essay's hard line wraps) collapsed to single spaces."""
    return " ".join(value.split())


@cache
def source_graph(source_id: str) -> Graph:
    """The named graph of one source: the Turtle file ``data/sources/{id}.ttl``."""
    return Graph().parse(ROOT / "data" / "sources" / f"{source_id}.ttl", format="turtle")


@cache
def data_graph(relative: str) -> Graph:
    return Graph().parse(ROOT / relative, format="turtle")


def node(path: str) -> URIRef:
    return URIRef(f"{ID}{path}")


def spans(graph: Graph, subject: Node) -> list[tuple[str, int, int]]:
    """The evidence spans of one node: (source id, start, end)."""
    out = []
    for ev in graph.objects(subject, UNHR.evidence):
        m = _SPAN.match(str(ev))
        assert m, f"malformed evidence pointer {ev}"
        out.append((m.group(1), int(m.group(2)), int(m.group(3))))
    return out


def span_texts(graph: Graph, subject: Node) -> list[str]:
    """The text each evidence span of ``subject`` covers, whitespace collapsed."""
    return [flat(text(sid)[a:b]) for sid, a, b in spans(graph, subject)]


def marks(graph: Graph) -> dict[tuple[Node, Node, Node], set[str]]:
    """Every curator-identification mark of a graph: (s, p, o) → its basis notations."""
    out: dict[tuple[Node, Node, Node], set[str]] = {}
    for m in graph.subjects(RDF.type, UNHR.CuratorIdentification):
        s = graph.value(m, RDF.subject)
        p = graph.value(m, RDF.predicate)
        o = graph.value(m, RDF.object)
        assert s is not None and p is not None and o is not None, m
        bases = {
            str(b).removeprefix(VOCAB_BASIS) for b in graph.objects(m, UNHR.identificationBasis)
        }
        out.setdefault((s, p, o), set()).update(bases)
    return out


def is_marked(graph: Graph, s: Node, p: Node, o: Node) -> bool:
    return (s, p, o) in marks(graph)


__all__ = [
    "DCTERMS",
    "ID",
    "RDF",
    "ROOT",
    "SMALL_SOURCES",
    "SOURCE_FILES",
    "SOURCE_IDS",
    "UNHR",
    "XSD",
    "Literal",
    "data_graph",
    "flat",
    "is_marked",
    "marks",
    "node",
    "source_graph",
    "span_texts",
    "spans",
    "text",
]
