"""Generate ``docs/ontology.md``, the reference of every class, property and concept scheme.

Run ``python -m kg.ontology_docs`` to rewrite the file, ``python -m kg.ontology_docs --check``
to fail when it is stale. ``tests/ontology/test_reference_docs.py`` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.layout import project_root
from kg.namespaces import PREFIXES, UNHR

ONTOLOGY_IRI = URIRef("https://w3id.org/unhr/ontology")
DCTERMS = "http://purl.org/dc/terms/"

_EXTRA_PREFIXES = {
    "opengov": "http://www.w3.org/ns/opengov#",
    "elidl": "http://data.europa.eu/eli/eli-draft-legislation-ontology#",
    "undo": "https://w3id.org/un/ontology/undo/",
}
_PROPERTY_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.ObjectProperty, "object property"),
    (OWL.DatatypeProperty, "datatype property"),
    (OWL.AnnotationProperty, "annotation property"),
)
_CHARACTERISTICS: tuple[tuple[URIRef, str], ...] = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
)


def _prefixes() -> list[tuple[str, str]]:
    pairs = {**PREFIXES, **_EXTRA_PREFIXES}
    return sorted(pairs.items(), key=lambda kv: -len(kv[1]))


def curie(term: Node) -> str:
    """A prefixed name for an IRI when a prefix is known, else ``<IRI>``."""
    text = str(term)
    for prefix, ns in _prefixes():
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns) :]}"
    return f"<{text}>"


def _code(term: Node) -> str:
    return f"`{curie(term)}`"


def _text(g: Graph, s: Node, p: URIRef) -> str:
    """The English (or untagged) value of ``p``, on one line, with table pipes escaped."""
    values = sorted(
        (o for o in g.objects(s, p) if isinstance(o, Literal)),
        key=lambda o: (o.language not in ("en", None), str(o)),
    )
    return " ".join(str(values[0]).split()).replace("|", "\\|") if values else ""


def _anchor(term: Node) -> str:
    """A unique, lower-case anchor; the kind prefix keeps unhr:Post and unhr:post apart."""
    name = curie(term)
    local = name.split(":", 1)[-1].strip("<>").rsplit("/", 1)[-1]
    kind = "class" if local[:1].isupper() else "term"
    return f"{kind}-" + "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-")


def _link(term: Node, local: set[Node]) -> str:
    return f"[{_code(term)}](#{_anchor(term)})" if term in local else _code(term)


def _links(terms: Iterable[Node], local: set[Node]) -> str:
    named = sorted({t for t in terms if isinstance(t, URIRef)}, key=curie)
    return ", ".join(_link(t, local) for t in named) if named else "—"


def _is_ours(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(UNHR))


def _terms(g: Graph, kinds: Sequence[URIRef]) -> list[URIRef]:
    found = {s for k in kinds for s in g.subjects(RDF.type, k) if isinstance(s, URIRef)}
    return sorted(found, key=curie)


def _restrictions(g: Graph, cls: URIRef) -> list[str]:
    out = []
    for sup in g.objects(cls, RDFS.subClassOf):
        if (sup, RDF.type, OWL.Restriction) not in g:
            continue
        prop = g.value(sup, OWL.onProperty)
        for p, word in (
            (OWL.cardinality, "exactly"),
            (OWL.minCardinality, "at least"),
            (OWL.maxCardinality, "at most"),
        ):
            n = g.value(sup, p)
            if n is not None and prop is not None:
                out.append(f"{_code(prop)} {word} {n}")
        for p, word in ((OWL.allValuesFrom, "only"), (OWL.someValuesFrom, "some")):
            c = g.value(sup, p)
            if c is not None and prop is not None:
                out.append(f"{_code(prop)} {word} {_code(c)}")
    return sorted(out)


def _class_section(g: Graph, cls: URIRef, props: list[URIRef], local: set[Node]) -> list[str]:
    supers = [s for s in g.objects(cls, RDFS.subClassOf) if isinstance(s, URIRef)]
    subs = [s for s in g.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef)]
    equivalent = [s for s in g.objects(cls, OWL.equivalentClass) if isinstance(s, URIRef)]
    domain_of = [p for p in props if (p, RDFS.domain, cls) in g]
    range_of = [p for p in props if (p, RDFS.range, cls) in g]
    rows = [
        ("IRI", f"`{cls}`"),
        ("Super-classes", _links(supers, local)),
        ("Sub-classes", _links(subs, local)),
    ]
    if equivalent:
        rows.append(("Equivalent classes", _links(equivalent, local)))
    restrictions = _restrictions(g, cls)
    if restrictions:
        rows.append(("Restrictions", "; ".join(restrictions)))
    rows += [
        ("Domain of", _links(domain_of, local)),
        ("Range of", _links(range_of, local)),
    ]
    return _section(g, cls, rows)


def _property_section(g: Graph, prop: URIRef, local: set[Node]) -> list[str]:
    kinds = [label for k, label in _PROPERTY_KINDS if (prop, RDF.type, k) in g]
    kinds += [label for k, label in _CHARACTERISTICS if (prop, RDF.type, k) in g]
    inverse = set(g.objects(prop, OWL.inverseOf)) | set(g.subjects(OWL.inverseOf, prop))
    rows = [
        ("IRI", f"`{prop}`"),
        ("Kind", ", ".join(kinds)),
        ("Domain", _links(g.objects(prop, RDFS.domain), local)),
        ("Range", _links(g.objects(prop, RDFS.range), local)),
        ("Super-properties", _links(g.objects(prop, RDFS.subPropertyOf), local)),
        ("Sub-properties", _links(g.subjects(RDFS.subPropertyOf, prop), local)),
        ("Inverse", _links(inverse, local)),
    ]
    return _section(g, prop, rows)


def _section(g: Graph, term: URIRef, rows: list[tuple[str, str]]) -> list[str]:
    label = _text(g, term, RDFS.label)
    out = [
        f'<a id="{_anchor(term)}"></a>',
        f"### {curie(term)}" + (f" — {label}" if label else ""),
        "",
        _text(g, term, RDFS.comment) or "(no comment)",
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in rows]
    out.append("")
    return out


def _properties_part(g: Graph, title: str, properties: list[URIRef], local: set[Node]) -> list[str]:
    """A table of ``properties`` (label, domain, range) followed by a section for each."""
    out = [f"## {title}", "", "| property | label | domain | range |", "|---|---|---|---|"]
    out += [
        f"| {_link(p, local)} | {_text(g, p, RDFS.label)} | "
        f"{_links(g.objects(p, RDFS.domain), local)} | {_links(g.objects(p, RDFS.range), local)} |"
        for p in properties
    ]
    out.append("")
    for p in properties:
        out += _property_section(g, p, local)
    return out


def render_reference(ontology: Graph, vocabularies: Graph) -> str:
    """The Markdown reference of the ontology and the vocabularies (deterministic)."""
    g = ontology
    classes = [c for c in _terms(g, (OWL.Class,)) if _is_ours(c)]
    props = [p for p in _terms(g, (OWL.ObjectProperty, OWL.DatatypeProperty)) if _is_ours(p)]
    obj_props = [p for p in props if (p, RDF.type, OWL.ObjectProperty) in g]
    data_props = [p for p in props if (p, RDF.type, OWL.DatatypeProperty) in g]
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    reused = [t for t in _terms(g, kinds) if not _is_ours(t)]
    local: set[Node] = set(classes) | set(props)
    schemes = _terms(vocabularies, (SKOS.ConceptScheme,))

    out: list[str] = [
        "# unhr-kg ontology reference",
        "",
        "<!-- Generated by `python -m kg.ontology_docs` from ontology/ontology.ttl and "
        "ontology/vocabularies.ttl. Do not edit by hand. -->",
        "",
        _text(g, ONTOLOGY_IRI, URIRef(DCTERMS + "description")),
        "",
        "| | |",
        "|---|---|",
        f"| Ontology IRI | `{ONTOLOGY_IRI}` |",
        f"| Version | {_text(g, ONTOLOGY_IRI, OWL.versionInfo)} |",
        f"| Version IRI | `{g.value(ONTOLOGY_IRI, OWL.versionIRI)}` |",
        f"| Licence | <{g.value(ONTOLOGY_IRI, URIRef(DCTERMS + 'license'))}> |",
        f"| Namespace | `{UNHR}` (prefix `unhr:`) |",
        f"| Terms | {len(classes)} classes, {len(obj_props)} object properties, "
        f"{len(data_props)} datatype properties, {len(reused)} reused terms, "
        f"{len(schemes)} concept schemes |",
        "",
        "How facts are modelled (IRIs, graphs, provenance) is described in "
        "[modelling.md](modelling.md). The ontology is OWL Lite; external vocabularies are "
        "never imported: their terms are declared locally and our terms are aligned to them "
        "by sub-class and sub-property axioms (listed as super-classes and super-properties).",
        "",
        "## Contents",
        "",
        "- [Classes](#classes)",
        "- [Object properties](#object-properties)",
        "- [Datatype properties](#datatype-properties)",
        "- [Reused terms declared locally](#reused-terms-declared-locally)",
        "- [Concept schemes](#concept-schemes)",
        "",
        "## Classes",
        "",
        "| class | label |",
        "|---|---|",
    ]
    out += [f"| {_link(c, local)} | {_text(g, c, RDFS.label)} |" for c in classes]
    out.append("")
    for c in classes:
        out += _class_section(g, c, props, local)
    out += _properties_part(g, "Object properties", obj_props, local)
    out += _properties_part(g, "Datatype properties", data_props, local)
    out += [
        "## Reused terms declared locally",
        "",
        "Declared with their basic OWL type so that nothing is dangling; their own "
        "vocabularies are not imported.",
        "",
        "| term | kind | label | comment | defined by |",
        "|---|---|---|---|---|",
    ]
    for t in reused:
        kind = ", ".join(
            label for k, label in ((OWL.Class, "class"), *_PROPERTY_KINDS) if (t, RDF.type, k) in g
        )
        defined = g.value(t, RDFS.isDefinedBy)
        out.append(
            f"| {_code(t)} | {kind} | {_text(g, t, RDFS.label)} | {_text(g, t, RDFS.comment)} | "
            f"{f'<{defined}>' if defined else '—'} |"
        )
    out += ["", "## Concept schemes", ""]
    v = vocabularies
    for scheme in schemes:
        concepts = sorted(
            (c for c in v.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)),
            key=lambda c: _text(v, c, SKOS.notation),
        )
        classes_of = sorted(
            {t for c in concepts for t in v.objects(c, RDF.type) if _is_ours(t)}, key=curie
        )
        out += [
            f'<a id="{_anchor(scheme)}"></a>',
            f"### {_text(v, scheme, SKOS.prefLabel)} (`{str(scheme).rsplit('/', 1)[-1]}`)",
            "",
            _text(v, scheme, SKOS.definition),
            "",
            f"Scheme IRI `{scheme}`; concepts typed {_links(classes_of, local)}; "
            f"{len(concepts)} concepts.",
            "",
            "| notation | label | definition |",
            "|---|---|---|",
        ]
        out += [
            f"| `{_text(v, c, SKOS.notation)}` | {_text(v, c, SKOS.prefLabel)} | "
            f"{_text(v, c, SKOS.definition)} |"
            for c in concepts
        ]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _render_from(root: Path) -> str:
    ontology = Graph().parse(root / "ontology" / "ontology.ttl", format="turtle")
    vocabularies = Graph().parse(root / "ontology" / "vocabularies.ttl", format="turtle")
    return render_reference(ontology, vocabularies)


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite ``docs/ontology.md`` (or, with ``--check``, exit 1 when it is stale)."""
    parser = argparse.ArgumentParser(prog="python -m kg.ontology_docs", description=__doc__)
    parser.add_argument("--root", type=Path, default=None, help="repository root")
    parser.add_argument("--check", action="store_true", help="fail if docs/ontology.md is stale")
    args = parser.parse_args(argv)
    root: Path = args.root or project_root()
    target = root / "docs" / "ontology.md"
    text = _render_from(root)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            sys.stderr.write(f"{target} is stale: run python -m kg.ontology_docs\n")
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
