"""The committed generated Turtle is fresh, deterministic, parses and uses the contract's IRIs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, RdfFormat, Store, parse
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kg.importers import OUTPUTS, Output, render_all
from kg.namespaces import ID

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = ".venv/bin/python -m kg.importers"

#: Every instance IRI the importers may mint (relative to https://w3id.org/unhr/id/).
_SYMBOL = r"(A/RES/\d+/\d+|A/HRC/RES/\d+/\d+|S/RES/\d+\(\d{4}\)|S/\d{4}/\d+)"
IRI_PATTERNS = [
    re.compile(p)
    for p in (
        r"state/[A-Z]{3}",
        r"state/[A-Z]{3}/membership/un",
        r"org/[a-z0-9]+(-[a-z0-9]+)*",
        r"doc/" + _SYMBOL,
        r"doc/" + _SYMBOL + r"/vote/\d{4}-\d{2}-\d{2}",
        r"session/(unga|hrc)/\d+",
        r"treaty/IV-\d+",
        r"dataset/[a-z0-9]+(-[a-z0-9]+)*",
        r"vocab/[a-z]+(-[a-z]+)*/[a-z]+(-[a-z]+)*",
        r"change/[a-z]+(-[a-z]+)*",
        r"linkset/[a-z]+(-[a-z]+)*",
        r"membership/(unsc|hrc)/[A-Z]{3}/year/\d{4}",
        r"vocab/m49-(region|grouping)",
        r"vocab/m49-region/\d{3}",
        r"vocab/m49-grouping/[a-z]+",
    )
]


@pytest.fixture(scope="module")
def rendered() -> dict[Path, str]:
    return render_all(ROOT)


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda o: o.path.name)
def test_committed_file_is_fresh(output: Output, rendered: dict[Path, str]) -> None:
    path = ROOT / output.path
    assert path.is_file(), f"{output.path} is missing: run `{REGENERATE}`"
    committed = path.read_text(encoding="utf-8")
    assert committed == rendered[path], (
        f"{output.path} is stale (it differs from what the importers generate from the CSV "
        f"files): run `{REGENERATE}` and commit the result"
    )


def test_generated_files_say_so(rendered: dict[Path, str]) -> None:
    for path, text in rendered.items():
        first = text.splitlines()[0]
        assert first.startswith("# GENERATED FILE"), path
        assert "python -m kg.importers" in text.split("@base")[0], path


def test_render_is_deterministic_in_process(rendered: dict[Path, str]) -> None:
    assert render_all(ROOT) == rendered


def test_render_is_deterministic_across_hash_seeds(rendered: dict[Path, str]) -> None:
    code = (
        "import hashlib, sys; from pathlib import Path; from kg.importers import render_all; "
        "r = render_all(Path(sys.argv[1])); "
        "print('\\n'.join(f'{p.name} ' + hashlib.sha256(t.encode()).hexdigest() "
        "for p, t in sorted(r.items())))"
    )
    expected = "\n".join(
        f"{p.name} {__import__('hashlib').sha256(t.encode()).hexdigest()}"
        for p, t in sorted(rendered.items())
    )
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code, str(ROOT)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected, f"output differs with PYTHONHASHSEED={seed}"


def test_union_of_generated_graphs_parses(rendered: dict[Path, str]) -> None:
    store = Store()
    for path, text in rendered.items():
        quads = list(parse(text.encode(), format=RdfFormat.TURTLE))  # @base is in the file
        assert quads, path
        store.extend(quads)
    assert len(store) > 5_000


def test_union_of_all_repository_graphs_parses(repo_store: Store) -> None:
    result = repo_store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, QuerySolutions)
    names = {r["g"].value for r in result}
    for output in OUTPUTS:
        assert f"https://w3id.org/unhr/graph/{output.path.stem}" in names


def _graphs(rendered: dict[Path, str]) -> dict[str, Graph]:
    out = {}
    for path, text in rendered.items():
        g = Graph()
        g.parse(data=text, format="turtle")
        out[path.stem] = g
    return out


def test_every_instance_iri_matches_the_contract(rendered: dict[Path, str]) -> None:
    bad = set()
    for g in _graphs(rendered).values():
        for triple in g:
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(str(ID)):
                    local = str(term)[len(str(ID)) :]
                    if not any(p.fullmatch(local) for p in IRI_PATTERNS):
                        bad.add(local)
    assert not bad, f"IRIs outside the contract's patterns: {sorted(bad)[:20]}"


def test_linkset_holds_same_as_to_wikidata_and_its_description(rendered: dict[Path, str]) -> None:
    g = _graphs(rendered)["linkset-wikidata"]
    assert len(g) > 190
    linkset = URIRef(f"{ID}linkset/wikidata")
    for s, p, o in g:
        if s == linkset:
            continue
        assert p == OWL.sameAs
        assert str(s).startswith(str(ID))
        assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q\d+", str(o)), o
    assert (
        URIRef(f"{ID}state/PRK"),
        OWL.sameAs,
        URIRef("http://www.wikidata.org/entity/Q423"),
    ) in g
    assert (
        URIRef(f"{ID}org/unga"),
        OWL.sameAs,
        URIRef("http://www.wikidata.org/entity/Q47423"),
    ) in g
    # The one non-link node describes the linkset and names its sources (for the load metadata).
    source = URIRef("http://purl.org/dc/terms/source")
    assert set(g.objects(linkset, source)) == {
        URIRef(f"{ID}dataset/country-codes"),
        URIRef(f"{ID}dataset/wikidata-un-bodies"),
    }


def test_every_claim_node_has_a_label_and_a_source(rendered: dict[Path, str]) -> None:
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    source = URIRef("http://purl.org/dc/terms/source")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    dataset_cls = URIRef("https://w3id.org/unhr/ontology#DataSet")
    for name, g in _graphs(rendered).items():
        for s in set(g.subjects(rdf_type, None)):
            assert (s, label, None) in g, f"{name}: {s} has no rdfs:label"
            if (s, rdf_type, dataset_cls) not in g:
                assert (s, source, None) in g, f"{name}: {s} has no dcterms:source"


def _declared(path: Path) -> set[str]:
    # A missing ontology file is a failure (it used to skip, which hid the check).
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    g = Graph()
    g.parse(path, format="turtle")
    return {str(s) for s in g.subjects()}


def _used(rendered: dict[Path, str], prefix: str) -> set[str]:
    used: set[str] = set()
    for g in _graphs(rendered).values():
        for triple in g:
            used.update(str(t) for t in triple[1:] if str(t).startswith(prefix))
    return used


def test_ontology_terms_used_are_declared(rendered: dict[Path, str]) -> None:
    declared = _declared(ROOT / "ontology" / "ontology.ttl")
    missing = sorted(_used(rendered, "https://w3id.org/unhr/ontology#") - declared)
    assert not missing, f"unhr: terms used by the importers but not declared: {missing}"


def test_skos_concepts_used_are_declared(rendered: dict[Path, str]) -> None:
    """Concepts the importers use are declared in the vocabularies, or generated as concepts
    (the M49 areas of the m49-regions graph)."""
    declared = _declared(ROOT / "ontology" / "vocabularies.ttl")
    generated = {
        str(s)
        for g in _graphs(rendered).values()
        for s in g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKOS_CONCEPT)
    }
    generated |= {
        str(s)
        for g in _graphs(rendered).values()
        for s in g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKOS_SCHEME)
    }
    missing = sorted(_used(rendered, f"{ID}vocab/") - declared - generated)
    assert not missing, f"concepts used by the importers but not declared: {missing}"


SKOS_CONCEPT = URIRef("http://www.w3.org/2004/02/skos/core#Concept")
SKOS_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")
