"""``data/reference/un-bodies.ttl``: the UN, the bodies of its human-rights system that matter
for the DPRK, the Commission on Human Rights → Human Rights Council change, and the treaties
the DPRK is party to with the treaty bodies that monitor them.

The hierarchy is curated (data set ``un-system-chart``); the bodies that the compiled
``wikidata-un-bodies`` table gives a QID for also cite that data set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.importers.common import (
    DCTERMS,
    ORG,
    REFERENCE_CSV,
    SKOS,
    UNHR,
    ImportDataError,
    dataset,
    date_literal,
    doc,
    en,
    iri,
    new_graph,
    org,
    read_csv,
    state,
    undocs,
)

BODY_QIDS_CSV = REFERENCE_CSV / "un_bodies_qids.csv"

#: Rows of ``un_bodies_qids.csv`` (column ``name``) → the IRI path they describe; ``None``
#: marks rows that name nothing this importer creates (a post, a group of bodies, NGOs).
QID_ROWS: dict[str, str | None] = {
    "United Nations": "org/un",
    "United Nations General Assembly": "org/unga",
    "United Nations Security Council": "org/unsc",
    "United Nations Economic and Social Council": "org/ecosoc",
    "United Nations Secretariat": "org/unsg",
    "United Nations Human Rights Council": "org/hrc",
    "International Court of Justice": "org/icj",
    "International Criminal Court": "org/icc",
    "Office of the United Nations High Commissioner for Human Rights": "org/ohchr",
    "Democratic People's Republic of Korea": "state/PRK",
    "Republic of Korea": "state/KOR",
    "Third Committee of the General Assembly (Social Humanitarian and Cultural)": "org/unga-c3",
    "Commission on Human Rights (1946-2006)": "org/chr",
    "Special Rapporteur on the situation of human rights in the DPRK (post)": None,
    "Commission of Inquiry on Human Rights in the DPRK (2013-2014)": "org/coi-dprk",
    "OHCHR Seoul office (field-based structure)": "org/ohchr-seoul",
    "Human rights treaty bodies (HRCttee/CESCR/CEDAW/CRC/CRPD)": None,
    "Advocacy NGOs (NKHR/NKDB/HRNK etc.)": None,
}


@dataclass(frozen=True)
class Body:
    slug: str
    classes: tuple[str, ...]
    label: str
    alt: tuple[str, ...] = ()
    sub_of: str | None = None  # org:subOrganizationOf
    unit_of: str | None = None  # org:unitOf
    created_by: str | None = None  # unhr:createdByBody
    established_by: str | None = None  # document symbol
    established_in: str | None = None
    end_date: str | None = None
    monitors: tuple[str, ...] = ()  # UNTC ids
    see_also: str | None = None


BODIES: tuple[Body, ...] = (
    Body("un", ("IntergovernmentalOrganization",), "United Nations", ("UN",),
         established_in="1945-10-24", see_also="https://www.un.org/"),
    Body("unga", ("PrincipalOrgan",), "United Nations General Assembly",
         ("General Assembly", "GA", "UNGA"), sub_of="un"),
    Body("unga-c3", ("MainCommittee",),
         "Third Committee of the General Assembly (Social, Humanitarian and Cultural)",
         ("Third Committee", "C3", "SOCHUM"), unit_of="unga"),
    Body("unsc", ("PrincipalOrgan",), "United Nations Security Council",
         ("Security Council", "SC", "UNSC"), sub_of="un"),
    Body("ecosoc", ("PrincipalOrgan",), "United Nations Economic and Social Council",
         ("Economic and Social Council", "ECOSOC"), sub_of="un"),
    Body("unsg", ("PrincipalOrgan",), "United Nations Secretariat", ("Secretariat",),
         sub_of="un"),
    Body("icj", ("PrincipalOrgan", "InternationalCourt"), "International Court of Justice",
         ("ICJ",), sub_of="un", see_also="https://www.icj-cij.org/"),
    Body("hrc", ("SubsidiaryBody",), "Human Rights Council",
         ("HRC", "UNHRC", "United Nations Human Rights Council"), sub_of="unga",
         created_by="unga", established_by="A/RES/60/251", established_in="2006-03-15"),
    Body("chr", ("SubsidiaryBody",), "Commission on Human Rights", ("CHR", "UNCHR"),
         sub_of="ecosoc", created_by="ecosoc", established_in="1946",
         end_date="2006-06-16"),
    Body("upr-wg", ("SubsidiaryBody",), "Working Group on the Universal Periodic Review",
         ("UPR Working Group",), sub_of="hrc", created_by="hrc", established_in="2007"),
    Body("ohchr", ("Office",),
         "Office of the United Nations High Commissioner for Human Rights",
         ("OHCHR", "UN Human Rights"), sub_of="unsg", created_by="unga",
         established_by="A/RES/48/141", established_in="1993-12-20",
         see_also="https://www.ohchr.org/"),
    Body("ohchr-seoul", ("FieldPresence",), "OHCHR Seoul office",
         ("OHCHR field-based structure in Seoul",), sub_of="ohchr", created_by="hrc",
         established_by="A/HRC/RES/25/25", established_in="2015-06-23"),
    Body("coi-dprk", ("CommissionOfInquiry",),
         "Commission of Inquiry on Human Rights in the Democratic People's Republic of Korea",
         ("COI on the DPRK", "Commission of Inquiry on the DPRK"), sub_of="hrc",
         created_by="hrc", established_by="A/HRC/RES/22/13", established_in="2013-03-21"),
    Body("wgeid", ("WorkingGroup",), "Working Group on Enforced or Involuntary Disappearances",
         ("WGEID",), sub_of="hrc", created_by="chr", established_in="1980"),
    Body("ccpr-cttee", ("TreatyBody",), "Human Rights Committee", ("CCPR", "HRCttee"),
         monitors=("IV-4",)),
    Body("cescr-cttee", ("TreatyBody",), "Committee on Economic, Social and Cultural Rights",
         ("CESCR",), sub_of="ecosoc", created_by="ecosoc", established_in="1985",
         monitors=("IV-3",)),
    Body("cedaw-cttee", ("TreatyBody",),
         "Committee on the Elimination of Discrimination against Women", ("CEDAW Committee",),
         monitors=("IV-8",)),
    Body("crc-cttee", ("TreatyBody",), "Committee on the Rights of the Child",
         ("CRC Committee",), monitors=("IV-11",)),
    Body("crpd-cttee", ("TreatyBody",), "Committee on the Rights of Persons with Disabilities",
         ("CRPD Committee",), monitors=("IV-15",)),
    Body("unsc-1718-cttee", ("SanctionsCommittee",),
         "Security Council Committee established pursuant to resolution 1718 (2006)",
         ("1718 Committee", "DPRK Sanctions Committee"), sub_of="unsc", created_by="unsc",
         established_by="S/RES/1718 (2006)", established_in="2006-10-14"),
    Body("unsc-1718-poe", ("PanelOfExperts",),
         "Panel of Experts established pursuant to resolution 1874 (2009)",
         ("Panel of Experts on the DPRK", "1718 Committee Panel of Experts"),
         sub_of="unsc-1718-cttee", created_by="unsc", established_by="S/RES/1874 (2009)",
         established_in="2009-06-12", end_date="2024-04-30"),
    Body("icc", ("InternationalCourt",), "International Criminal Court", ("ICC",),
         established_in="2002-07-01", see_also="https://www.icc-cpi.int/"),
)  # fmt: skip


@dataclass(frozen=True)
class Treaty:
    untc_id: str
    label: str
    abbreviation: str
    adopted: str


TREATIES: tuple[Treaty, ...] = (
    Treaty("IV-3", "International Covenant on Economic, Social and Cultural Rights", "ICESCR",
           "1966-12-16"),
    Treaty("IV-4", "International Covenant on Civil and Political Rights", "ICCPR",
           "1966-12-16"),
    Treaty("IV-8", "Convention on the Elimination of All Forms of Discrimination against Women",
           "CEDAW", "1979-12-18"),
    Treaty("IV-11", "Convention on the Rights of the Child", "CRC", "1989-11-20"),
    Treaty("IV-15", "Convention on the Rights of Persons with Disabilities", "CRPD",
           "2006-12-13"),
)  # fmt: skip


@dataclass(frozen=True)
class FoundingResolution:
    """A GA/HRC resolution that set up a body (SC resolutions are in the SC votes graph)."""

    symbol: str
    title: str
    body: str
    date: str
    concerns_dprk: bool = False


FOUNDING_RESOLUTIONS: tuple[FoundingResolution, ...] = (
    FoundingResolution("A/RES/48/141",
                       "High Commissioner for the promotion and protection of all human rights",
                       "unga", "1993-12-20"),
    FoundingResolution("A/RES/60/251", "Human Rights Council", "unga", "2006-03-15"),
    FoundingResolution("A/HRC/RES/22/13",
                       "Situation of human rights in the Democratic People's Republic of Korea",
                       "hrc", "2013-03-21", concerns_dprk=True),
    FoundingResolution("A/HRC/RES/25/25",
                       "Situation of human rights in the Democratic People's Republic of Korea",
                       "hrc", "2014-03-28", concerns_dprk=True),
)  # fmt: skip


def treaty(untc_id: str) -> URIRef:
    return iri(f"treaty/{untc_id}")


def load_qids(root: Path) -> dict[str, str]:
    """IRI path (``org/unga``, ``state/PRK``) → Wikidata QID, from the compiled table.

    Raises when a row with a QID is not known to :data:`QID_ROWS`, so a new row is not
    silently dropped.
    """
    out: dict[str, str] = {}
    for row in read_csv(root / BODY_QIDS_CSV):
        name, qid = row["name"].strip(), row["wikidata_qid"].strip()
        if name not in QID_ROWS:
            raise ImportDataError(f"{BODY_QIDS_CSV}: unknown row {name!r}; map it in QID_ROWS")
        target = QID_ROWS[name]
        if qid and target is None:
            raise ImportDataError(f"{BODY_QIDS_CSV}: row {name!r} has a QID but no target")
        if qid and target is not None:
            out[target] = qid
    return out


def _add_body(g: Graph, b: Body, sources: tuple[URIRef, ...]) -> None:
    node = org(b.slug)
    for cls in b.classes:
        g.add((node, RDF.type, UNHR[cls]))
    g.add((node, RDFS.label, en(b.label)))
    for alt in b.alt:
        g.add((node, SKOS.altLabel, en(alt)))
    if b.sub_of:
        g.add((node, ORG.subOrganizationOf, org(b.sub_of)))
    if b.unit_of:
        g.add((node, ORG.unitOf, org(b.unit_of)))
    if b.created_by:
        g.add((node, UNHR.createdByBody, org(b.created_by)))
    if b.established_by:
        g.add((node, UNHR.establishedBy, doc(b.established_by)))
    if b.established_in:
        g.add((node, UNHR.establishedIn, date_literal(b.established_in)))
    if b.end_date:
        g.add((node, UNHR.endDate, date_literal(b.end_date)))
    for untc_id in b.monitors:
        g.add((node, UNHR.monitors, treaty(untc_id)))
    if b.see_also:
        g.add((node, RDFS.seeAlso, URIRef(b.see_also)))
    for source in sources:
        g.add((node, DCTERMS.source, source))


def _add_replacement(g: Graph, chart: URIRef) -> None:
    chr_, hrc = org("chr"), org("hrc")
    g.add((chr_, UNHR.replacedBy, hrc))
    g.add((hrc, UNHR.replaces, chr_))
    change = iri("change/chr-replaced-by-hrc")
    g.add((change, RDF.type, UNHR.OrganizationalChange))
    g.add(
        (change, RDFS.label, en("Commission on Human Rights replaced by the Human Rights Council"))
    )
    g.add((change, UNHR.date, date_literal("2006")))
    g.add((change, ORG.originalOrganization, chr_))
    g.add((change, ORG.resultingOrganization, hrc))
    g.add((change, DCTERMS.source, chart))


def _add_treaty(g: Graph, t: Treaty, chart: URIRef) -> None:
    node = treaty(t.untc_id)
    g.add((node, RDF.type, UNHR.Treaty))
    g.add((node, RDFS.label, en(t.label)))
    g.add((node, SKOS.altLabel, en(t.abbreviation)))
    g.add((node, UNHR.untcId, Literal(t.untc_id)))
    # adoptedBy / adoptionDate are for documents; a treaty only gets its adoption date
    g.add((node, UNHR.date, date_literal(t.adopted)))
    g.add(
        (
            node,
            RDFS.seeAlso,
            URIRef(
                "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY"
                f"&mtdsg_no={t.untc_id}&chapter=4"
            ),
        )
    )
    g.add((node, DCTERMS.source, chart))


def _add_resolution(g: Graph, r: FoundingResolution, chart: URIRef) -> None:
    node = doc(r.symbol)
    g.add((node, RDF.type, UNHR.Resolution))
    g.add((node, RDFS.label, en(f"{r.symbol}: {r.title}")))
    g.add((node, DCTERMS.title, en(r.title)))
    g.add((node, UNHR.documentSymbol, Literal(r.symbol)))
    g.add((node, UNHR.adoptedBy, org(r.body)))
    g.add((node, UNHR.adoptionDate, date_literal(r.date)))
    if r.concerns_dprk:
        g.add((node, UNHR.concernsState, state("PRK")))
    g.add((node, RDFS.seeAlso, undocs(r.symbol)))
    g.add((node, DCTERMS.source, chart))


def build(root: Path) -> Graph:
    """The ``un-bodies`` graph."""
    g = new_graph()
    chart, wikidata_set = dataset("un-system-chart"), dataset("wikidata-un-bodies")
    with_qid = set(load_qids(root))
    known = {b.slug for b in BODIES}
    for b in BODIES:
        for ref in (b.sub_of, b.unit_of, b.created_by):
            if ref is not None and ref not in known:
                raise ImportDataError(f"body {b.slug!r} refers to unknown body {ref!r}")
        sources = (chart, wikidata_set) if f"org/{b.slug}" in with_qid else (chart,)
        _add_body(g, b, sources)
    _add_replacement(g, chart)
    for t in TREATIES:
        _add_treaty(g, t, chart)
    for r in FOUNDING_RESOLUTIONS:
        _add_resolution(g, r, chart)
    return g
