"""``data/reference/m49-regions.ttl``: UN M49 regions and country groupings of the member states.

Input: ``data/reference/csv/country-codes.csv`` (the country-codes data set, copied byte for
byte), rows of the 193 member states (``un_member_states.csv``). Each M49 region, sub-region and
intermediate region becomes a SKOS concept ``vocab/m49-region/{three-digit code}`` with its name,
code (``skos:notation``) and parent (``skos:broader``); the three M49 country groupings the data
set flags (least developed countries, landlocked developing countries, small island developing
states) become concepts ``vocab/m49-grouping/{ldc,lldc,sids}``. Each state points to its region
(``unhr:m49Region``), sub-region (``unhr:m49SubRegion``), intermediate region where M49 gives one
(``unhr:m49IntermediateRegion``) and groupings (``unhr:m49Grouping``).

Read with the ``csv`` module: the data set's continent code for North America is the string
"NA", like Namibia's alpha-2 code, and must not become a missing value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal

from kg.importers.common import (
    DCTERMS,
    REFERENCE_CSV,
    SKOS,
    UNHR,
    ImportDataError,
    dataset,
    en,
    iri,
    new_graph,
    read_csv,
    state,
)
from kg.importers.member_states import load_member_states

COUNTRY_CODES_CSV = REFERENCE_CSV / "country-codes.csv"

#: M49 groupings the data set flags with "x": column → (slug, label).
GROUPINGS: dict[str, tuple[str, str]] = {
    "Least Developed Countries (LDC)": ("ldc", "Least Developed Countries (LDC)"),
    "Land Locked Developing Countries (LLDC)": (
        "lldc",
        "Land Locked Developing Countries (LLDC)",
    ),
    "Small Island Developing States (SIDS)": ("sids", "Small Island Developing States (SIDS)"),
}
#: Levels: (code column, name column, property, parent level index or None).
LEVELS = (
    ("Region Code", "Region Name", UNHR.m49Region, "region"),
    ("Sub-region Code", "Sub-region Name", UNHR.m49SubRegion, "sub-region"),
    (
        "Intermediate Region Code",
        "Intermediate Region Name",
        UNHR.m49IntermediateRegion,
        "intermediate region",
    ),
)


@dataclass(frozen=True)
class Area:
    code: str  # three digits
    name: str
    level: str
    parent: str | None


def _code(value: str, where: str) -> str:
    if not value.isdigit() or len(value) > 3:
        raise ImportDataError(f"{COUNTRY_CODES_CSV}: {where}: not an M49 code: {value!r}")
    return value.zfill(3)


def load(root: Path) -> tuple[dict[str, Area], dict[str, list[tuple[str, str]]]]:
    """The areas (code → area) and, per member state, its (property name, concept path) links."""
    members = {s.iso3 for s in load_member_states(root)}
    rows = {r["ISO3166-1-Alpha-3"]: r for r in read_csv(root / COUNTRY_CODES_CSV)}
    missing = sorted(members - rows.keys())
    if missing:
        raise ImportDataError(f"{COUNTRY_CODES_CSV}: no row for member states {missing}")
    areas: dict[str, Area] = {}
    links: dict[str, list[tuple[str, str]]] = {}
    for iso3 in sorted(members):
        row = rows[iso3]
        parent: str | None = None
        out: list[tuple[str, str]] = []
        for code_col, name_col, prop, level in LEVELS:
            raw = row[code_col].strip()
            if not raw:
                if level != "intermediate region":
                    raise ImportDataError(f"{COUNTRY_CODES_CSV}: {iso3}: no {level}")
                continue
            code = _code(raw, iso3)
            area = Area(code, row[name_col].strip(), level, parent)
            if not area.name:
                raise ImportDataError(f"{COUNTRY_CODES_CSV}: {iso3}: {level} {code} has no name")
            if areas.setdefault(code, area) != area:
                raise ImportDataError(f"{COUNTRY_CODES_CSV}: M49 {code} is described two ways")
            out.append((str(prop), f"vocab/m49-region/{code}"))
            parent = code
        for column, (slug, _label) in GROUPINGS.items():
            flag = row[column].strip()
            if flag not in ("", "x"):
                raise ImportDataError(f"{COUNTRY_CODES_CSV}: {iso3}: {column} is {flag!r}")
            if flag == "x":
                out.append((str(UNHR.m49Grouping), f"vocab/m49-grouping/{slug}"))
        links[iso3] = out
    return areas, links


def build(root: Path) -> Graph:
    """The ``m49-regions`` graph."""
    g = new_graph()
    source = dataset("country-codes")
    regions, groupings = iri("vocab/m49-region"), iri("vocab/m49-grouping")
    for scheme, label, definition in (
        (
            regions,
            "UN M49 regions",
            "Regions, sub-regions and intermediate regions of the UN "
            "Standard Country or Area Codes for Statistical Use (M49), as the country-codes data "
            "set gives them.",
        ),
        (
            groupings,
            "UN M49 country groupings",
            "Country groupings of the UN M49 standard that the country-codes data set flags.",
        ),
    ):
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, SKOS.prefLabel, en(label)))
        g.add((scheme, RDFS.label, en(label)))
        g.add((scheme, SKOS.definition, en(definition)))
        g.add((scheme, DCTERMS.source, source))
    areas, links = load(root)
    for code, area in sorted(areas.items()):
        node = iri(f"vocab/m49-region/{code}")
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, RDF.type, UNHR.M49AreaConcept))
        g.add((node, SKOS.prefLabel, en(area.name)))
        g.add((node, RDFS.label, en(area.name)))
        g.add((node, SKOS.notation, Literal(code)))
        g.add((node, SKOS.definition, en(f"M49 {area.level} {code}: {area.name}.")))
        g.add((node, SKOS.inScheme, regions))
        g.add((node, DCTERMS.source, source))
        if area.parent is None:
            g.add((node, SKOS.topConceptOf, regions))
            g.add((regions, SKOS.hasTopConcept, node))
        else:
            g.add((node, SKOS.broader, iri(f"vocab/m49-region/{area.parent}")))
    for slug, label in GROUPINGS.values():
        node = iri(f"vocab/m49-grouping/{slug}")
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, RDF.type, UNHR.M49AreaConcept))
        g.add((node, SKOS.prefLabel, en(label)))
        g.add((node, RDFS.label, en(label)))
        g.add((node, SKOS.notation, Literal(slug)))
        g.add((node, SKOS.definition, en(f"The M49 grouping of {label}.")))
        g.add((node, SKOS.inScheme, groupings))
        g.add((node, SKOS.topConceptOf, groupings))
        g.add((groupings, SKOS.hasTopConcept, node))
        g.add((node, DCTERMS.source, source))
    for iso3, pairs in sorted(links.items()):
        node = state(iso3)
        g.add((node, DCTERMS.source, source))
        for prop, path in pairs:
            g.add((node, UNHR[prop.rsplit("#", 1)[1]], iri(path)))
    return g
