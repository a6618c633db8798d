"""``data/reference/datasets.ttl``: one ``unhr:DataSet`` per data set the importers read.

The facts (origin repository, commit, licence as stated) are those recorded in the
``SOURCE.md`` files beside the input CSVs; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.importers.common import DCTERMS, UNHR, dataset, date_literal, en, new_graph


@dataclass(frozen=True)
class DataSetInfo:
    ident: str
    title: str
    description: str
    creators: tuple[str, ...]
    publisher: str
    licences: tuple[str, ...]  # IRIs (http…) or literal statements
    origin: str  # repository at the commit used
    issued: str  # date of that commit
    see_also: tuple[str, ...] = ()


DATASETS: tuple[DataSetInfo, ...] = (
    DataSetInfo(
        ident="unvotes",
        title="United Nations General Assembly Voting Data (unvotes R package)",
        description=(
            "UN General Assembly plenary roll-call votes 1946-2019 (sessions 1-74) per state, "
            "Erik Voeten's data as packaged in the R package unvotes (data files converted to "
            "CSV). Absences are not recorded; this graph counts them from membership at the "
            "vote date. The DPRK human-rights roll calls were selected and normalised by "
            "shared/data/derive_dprk_votes.py (dprk_votes_summary.csv, dprk_votes_by_state.csv)."
        ),
        creators=("Erik Voeten", "David Robinson"),
        publisher="Harvard Dataverse (hdl:1902.1/12379); GitHub dgrtwo/unvotes",
        licences=(
            "https://opensource.org/licenses/MIT",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "MIT for the R package; the Dataverse data files are dedicated to the public "
            "domain under CC0 (as stated in the package's data-raw/README.md)",
        ),
        origin="https://github.com/dgrtwo/unvotes/tree/7eb7034314ff79c49c9e0785fcd9d216fa04cf14",
        issued="2021-03-08",
        see_also=("https://hdl.handle.net/1902.1/12379",),
    ),
    DataSetInfo(
        ident="unhrc-votes",
        title="Human Rights Council recorded votes 2006-2024 (unhrc-nominate outputs)",
        description=(
            "Recorded votes of the Human Rights Council 2006-06-29 to 2024-10-11 per state, "
            "scraped from the OHCHR Search Library voting records by the unhrc-nominate "
            "project (run output/241211-174650). A/HRC/RES/25/25 (2014) is missing from it. "
            "The DPRK votes were selected by shared/data/derive_dprk_votes.py."
        ),
        creators=("tsujamin (GitHub user)",),
        publisher="GitHub tsujamin/unhrc-nominate",
        licences=("none stated (no licence file in the repository)",),
        origin=(
            "https://github.com/tsujamin/unhrc-nominate/tree/"
            "9c7d142b8889a18f11b1dfe7e1530000e7c2b90f"
        ),
        issued="2025-01-11",
        see_also=("https://searchlibrary.ohchr.org/",),
    ),
    DataSetInfo(
        ident="unsc-voting",
        title="Security Council votes 1994-2025 per member (Voting-Agent workbook)",
        description=(
            "Security Council votes on adopted resolutions and failed drafts 1994-2025 per "
            "member (data/sc_voting.xlsx of oliverunv/Voting-Agent, converted to CSV). Origin "
            "undocumented and unverified. Dates whose day is 12 or less have day and month "
            "swapped in the workbook; the DPRK subset (unsc_dprk_resolutions.csv) corrects "
            "them. Member states are given by name, mapped to ISO alpha-3 by the importer."
        ),
        creators=("oliverunv (GitHub user)",),
        publisher="GitHub oliverunv/Voting-Agent",
        licences=("none stated (no licence file in the repository)",),
        origin=(
            "https://github.com/oliverunv/Voting-Agent/tree/"
            "b4aa6cb1ae64c2c8e2799fd22278bbd72a9a2ceb"
        ),
        issued="2025-07-03",
    ),
    DataSetInfo(
        ident="country-codes",
        title="Country codes: ISO 3166-1, UN M49, UNTERM names, Wikidata ids",
        description=(
            "The Frictionless core data set datasets/country-codes (data/country-codes.csv): "
            "ISO 3166-1 alpha-2/alpha-3, UN M49, UNTERM English short and formal names and "
            "Wikidata ids for 249 entries. Lacks UNTERM names for Côte d'Ivoire and Türkiye "
            "and the Wikidata id of Namibia."
        ),
        creators=("Frictionless Data / Open Knowledge Foundation",),
        publisher="GitHub datasets/country-codes",
        licences=("https://opendatacommons.org/licenses/pddl/1-0/",),
        origin=(
            "https://github.com/datasets/country-codes/tree/"
            "caa72d1e0e5af8876c170bb36a9e4d64a01bba88"
        ),
        issued="2026-05-15",
    ),
    DataSetInfo(
        ident="unorg-member-states-2015",
        title="Member States of the United Nations with dates of admission (un.org, 2015)",
        description=(
            "A parse of the un.org page 'Member States of the United Nations' as of "
            "2015-01-22 (193 members, official dates of admission; founding members carry "
            "their 1945 ratification dates), from eric-brechemier/ipcc-countries. Names are "
            "those of January 2015. No state has been admitted since 2011."
        ),
        creators=("United Nations", "Eric Bréchemier"),
        publisher="GitHub eric-brechemier/ipcc-countries",
        licences=(
            "https://creativecommons.org/publicdomain/zero/1.0/",
            "CC0 1.0 for the repository; the underlying un.org page is under the UN website "
            "terms of use",
        ),
        origin=(
            "https://github.com/eric-brechemier/ipcc-countries/tree/"
            "7d50f2d3b3bbe255d8be4f5d0ad3698757a8ede2"
        ),
        issued="2015-01-22",
        see_also=("http://www.un.org/en/members/",),
    ),
    DataSetInfo(
        ident="wikidata-un-bodies",
        title="Wikidata identifiers of UN bodies and states (compiled)",
        description=(
            "A small table compiled for this project of Wikidata QIDs for the UN, its main "
            "organs, the HRC, OHCHR, ICJ and ICC, as seen in public files "
            "(confirmordeny/supraverden data/general_list.yaml and code surveyed in the "
            "project's research notes). Not verified against wikidata.org; the Third "
            "Committee, the Commission on Human Rights, the Commission of Inquiry, the OHCHR "
            "Seoul office and the treaty bodies have no QID in it."
        ),
        creators=("unhr-kg project",),
        publisher="unhr-kg project",
        licences=(
            "Wikidata identifiers are facts (Wikidata is CC0); the supraverden file they "
            "were seen in is CC BY-SA 4.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        origin=(
            "https://github.com/confirmordeny/supraverden/tree/"
            "59ab4fa0f92f3c75bb45e230908e612f15e8dbdf"
        ),
        issued="2026-06-24",
    ),
    DataSetInfo(
        ident="un-membership-history",
        title="Changes in UN membership and former states (curated for unhr-kg)",
        description=(
            "The states that were UN members or voted in UN bodies but are not among today's "
            "193 members (the USSR, Yugoslavia, Czechoslovakia, the German Democratic Republic, "
            "the two Yemens, Zanzibar) and Taiwan, with admission and end dates and the states "
            "that took their place, transcribed by hand for this project from the notes on "
            "changes of membership of the un.org 'Member States' page and from ISO 3166-3 "
            "(withdrawn country codes). Not a machine-readable data set published by the UN."
        ),
        creators=("unhr-kg project",),
        publisher="unhr-kg project",
        licences=("facts transcribed from UN and ISO publications; no licence stated",),
        origin="https://www.un.org/en/about-us/member-states",
        issued="2026",
        see_also=("https://www.iso.org/standard/72484.html",),
    ),
    DataSetInfo(
        ident="un-system-chart",
        title="UN system structure (curated for unhr-kg)",
        description=(
            "The structure of the UN system as published by the UN (the UN System Chart and "
            "the bodies' own pages, founding resolutions and the UN Treaty Collection), "
            "transcribed by hand for this project: which body is part of which, when and by "
            "which resolution it was set up, which treaty body monitors which treaty. It is "
            "not a machine-readable data set published by the UN and was not checked against "
            "one dated edition of the chart."
        ),
        creators=("unhr-kg project",),
        publisher="unhr-kg project",
        licences=("facts transcribed from UN publications; no licence stated",),
        origin="https://www.un.org/en/about-us/un-system",
        issued="2026",
        see_also=("https://treaties.un.org/",),
    ),
)


def _term(value: str) -> URIRef | Literal:
    return URIRef(value) if value.startswith(("http://", "https://")) else Literal(value)


def add_dataset(g: Graph, info: DataSetInfo) -> None:
    node = dataset(info.ident)
    g.add((node, RDF.type, UNHR.DataSet))
    g.add((node, RDFS.label, en(info.title)))
    g.add((node, DCTERMS.title, en(info.title)))
    g.add((node, DCTERMS.description, en(info.description)))
    g.add((node, DCTERMS.identifier, Literal(info.ident)))
    for creator in info.creators:
        g.add((node, DCTERMS.creator, Literal(creator)))
    g.add((node, DCTERMS.publisher, Literal(info.publisher)))
    for licence in info.licences:
        # A licence document is an IRI; a licence only stated in words is a rights statement.
        term = _term(licence)
        g.add((node, DCTERMS.license if isinstance(term, URIRef) else DCTERMS.rights, term))
    g.add((node, DCTERMS.source, URIRef(info.origin)))
    g.add((node, DCTERMS.issued, date_literal(info.issued)))
    for see in info.see_also:
        g.add((node, RDFS.seeAlso, URIRef(see)))


def build(root: Path) -> Graph:
    """The ``datasets`` graph (fixed descriptions; ``root`` is unused)."""
    g = new_graph()
    for info in DATASETS:
        add_dataset(g, info)
    return g
