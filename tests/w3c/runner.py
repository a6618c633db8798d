"""A runner for the W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests.

The manifests in ``manifests/`` (copied unchanged from ``w3c/rdf-tests``, see its README) describe
each test as RDF: a list of ``ht:Request`` s, each with its expected ``ht:Response``. This module
reads them with rdflib (:func:`load_manifests`), turns every request into an HTTP request to this
server and checks each answer as the manifest says (:class:`Runner`):

- ``mf:expectedStatus``: the status is one of those named (``hts:OK``, ``hts:StatusCode4xx``, …);
- ``mf:expectedBoolean`` / ``mf:expectedFormat`` (``"boolean"``, ``"tabular"``, ``"RDF"``): the
  media type is one the test allows, and the body parses as such (and holds that boolean);
- response ``ht:headers``: the header has that value (media types compared as media types);
- response ``ht:body``: the graph in the body is isomorphic to the expected one;
- ``mf:expectedLocation``: the answer has a ``Location``, which later requests use in place of
  the template variable.

The Service Description tests have no requests in their manifest, only a name; what each one
checks is written in :data:`SERVICE_DESCRIPTION_CHECKS`.

How the tests meet this server (every test)
-------------------------------------------

- **One fresh server per test**: an app from ``create_app(settings, prepare_store(settings))``
  over a root holding this repository's ``ontology/`` and ``shapes/`` and no ``data/``, with
  the ``memory`` store. Every write therefore passes the real SHACL gate; the tests' own data
  (FOAF, vCard, Dublin Core) is not targeted by any shape, so it is accepted as it is and no
  test data had to be changed for the shapes. The tests need no data of this repository, and
  without it a fresh server starts in about a second. The manifests assume that the graphs they
  name start out missing (``PUT`` must answer ``201 Created``) and do not clean up after
  themselves, so they cannot share a store.
- **Paths**: ``/sparql/…`` becomes ``/sparql…`` and ``/gsp…`` becomes ``/graph-store…``; the
  host (``ht:connectionAuthority "www.example"``) is the test client's, the settings' public URL.
- **Writes need a curator's token**: every request carries ``Authorization: Bearer <token>``,
  the requests that must be refused included, so that they are refused for the reason the test
  is about and not for a missing token. No ``Accept`` is sent unless the manifest gives one.
- **Test data** (``ut:graphData``: a file and the graph it fills) is written before the requests
  with a Graph Store ``PUT`` of the file into that graph.
- **Refused requests write nothing**: when a request must fail (4xx), the runner also checks
  that the log of change sets did not grow.

Adaptations
-----------

This store's default graph is the set union of its named graphs: it cannot be written directly,
and ``CLEAR ALL`` / ``DROP ALL`` / ``CLEAR NAMED`` would clear the graphs the server maintains
itself (metadata, entailments) and the schema graphs, which is refused (403). As the manifests'
README says, tests that start with ``CLEAR ALL`` / ``DROP ALL`` or write the default graph run
inside fresh named graphs instead, and check that the graphs they write hold exactly the expected
triples afterwards. The table (one row of :data:`ADAPTATIONS` each, whose ``why`` gives the full
reason; a test keeps the two in step):

============================================== =====================================================
test                                           what is adapted
============================================== =====================================================
protocol#update_dataset_default_graph          CLEAR ALL → DROP SILENT GRAPH of data1 and the output
                                               graph (seeded with stale triples first); both must
                                               then hold exactly the expected triples; a bystander
                                               graph with another foaf:Document (the rest of the
                                               store) must stay out of the output
protocol#update_dataset_default_graphs         DROP ALL → DROP SILENT GRAPH of data1-3 and the
                                               output graph; as above
protocol#update_dataset_named_graphs           as above
protocol#update_dataset_full                   as above
protocol#update_post_form                      CLEAR ALL → CLEAR GRAPH of a seeded fresh graph,
                                               which must then be empty
protocol#update_post_direct                    as above
protocol#bad_update_get                        CLEAR ALL → CLEAR GRAPH of a seeded fresh graph, so
                                               that the update would succeed if it were run; the
                                               graph must be unchanged. Also run as written.
protocol#bad_multiple_updates                  CLEAR NAMED, CLEAR DEFAULT → CLEAR GRAPH of two
                                               seeded fresh graphs; as above
protocol#bad_update_wrong_media_type           CLEAR NAMED → CLEAR GRAPH of a seeded fresh graph;
                                               as above
protocol#bad_update_missing_form_type          as above
protocol#bad_update_non_utf8                   as above
protocol#bad_update_dataset_conflict           the WITH graph is seeded with a triple the update
                                               would change if it were run; it must be unchanged
http-rdf-update#put_get_default                PUT ?default (refused by design, checked) → PUT to a
                                               fresh named graph; the GET of ?default (the union)
                                               is compared on its foaf:Person part only
============================================== =====================================================

Text replacements are exact and must each apply, so a change of the manifest cannot silently
turn an adaptation off. Where an adaptation stands in for a request the server refuses by
design, the unadapted request is sent first and its documented refusal is checked
(``refused_as_is``).

Expected failures
-----------------

Tests this server cannot pass, one row of :data:`EXPECTED_FAILURES` each, with the reason and a
*symptom* (text the failure's message must contain, so that a test expected to fail for one
reason cannot fail for another unnoticed). They run as ``xfail(strict=True)``: a test that starts
passing fails the suite until its row is removed. Kinds: ``design`` (a deliberate decision the
README documents), ``optional`` (a feature the manifest marks as optional with ``mf:requires``
and this server does not offer), ``bug`` (the server does not do what the specification says;
to be fixed in ``src/kg``).

None at present. The first runs found two (direct graph identification, which the manifest marks
optional, and a POST to the Graph Store itself, which must create a graph); both are implemented
now, and those six tests pass.
"""

from __future__ import annotations

import io
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result
from rdflib.term import Node

MANIFESTS_DIR = Path(__file__).resolve().parent / "manifests"
#: The top manifests, relative to MANIFESTS_DIR (their mf:include are followed).
TOP_MANIFESTS = (
    "protocol/manifest.ttl",
    "graph-store-protocol/manifest.ttl",
    "service-description/manifest.ttl",
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

TEST_TYPES = (MF.ProtocolTest, MF.GraphStoreProtocolTest, MF.ServiceDescriptionTest)


class ManifestError(Exception):
    """The manifest says something this runner does not understand (never silently skipped)."""


# --------------------------------------------------------------------------- the manifests


@dataclass(frozen=True)
class Header:
    name: str  # lower case
    value: str


@dataclass(frozen=True)
class Body:
    chars: str
    encoding: str  # cnt:characterEncoding, e.g. "UTF-8" or "UTF-16"

    def encoded(self) -> bytes:
        return self.chars.encode(self.encoding.lower())


@dataclass(frozen=True)
class ExpectedResponse:
    statuses: tuple[str, ...]  # local names in hts:, e.g. "OK", "StatusCode4xx"
    boolean: bool | None = None
    format: str | None = None  # "boolean", "tabular" or "RDF"
    location_variable: str | None = None
    headers: tuple[Header, ...] = ()
    body: Body | None = None

    @property
    def only_client_errors(self) -> bool:
        return all(status_range(s)[0] // 100 == 4 for s in self.statuses)


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # ht:absolutePath as written in the manifest
    headers: tuple[Header, ...]
    body: Body | None
    response: ExpectedResponse


@dataclass(frozen=True)
class GraphData:
    graph: str  # the graph's IRI (rdfs:label of the ut:graphData node)
    path: Path


@dataclass(frozen=True)
class W3CTest:
    iri: str
    manifest: str  # relative to MANIFESTS_DIR
    type: str  # local name: ProtocolTest, GraphStoreProtocolTest, ServiceDescriptionTest
    name: str
    requires: tuple[str, ...] = ()
    graph_data: tuple[GraphData, ...] = ()
    requests: tuple[Request, ...] = ()

    @property
    def id(self) -> str:
        """``protocol#query_get``: the manifest folder of the test's IRI, and its fragment."""
        return short_id(self.iri)


@dataclass(frozen=True)
class Manifest:
    path: str  # relative to MANIFESTS_DIR
    label: str
    tests: tuple[W3CTest, ...]
    #: Tests described in the file but not listed in its mf:entries (so not part of the suite).
    unlisted: tuple[str, ...] = ()


def short_id(iri: str) -> str:
    base, _, fragment = iri.partition("#")
    folder = base.rstrip("/").rsplit("/", 2)[-2]
    return f"{folder}#{fragment}"


_HTS_CODES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


def status_range(name: str) -> tuple[int, int]:
    """The status codes an ``hts:`` term stands for, as an inclusive range."""
    if name in _HTS_CODES:
        return _HTS_CODES[name], _HTS_CODES[name]
    if name.startswith("StatusCode") and name.endswith("xx") and len(name) == 13:
        first = int(name[10]) * 100
        return first, first + 99
    raise ManifestError(f"unknown status hts:{name}")


def _local(node: Node, ns: Namespace) -> str:
    text = str(node)
    if not text.startswith(str(ns)):
        raise ManifestError(f"{text} is not in {ns}")
    return text[len(str(ns)) :]


def _check_properties(g: Graph, node: Node, allowed: Iterable[URIRef], what: str) -> None:
    unknown = {p for p in g.predicates(node, None)} - set(allowed)
    if unknown:
        raise ManifestError(f"{what} {node} has properties this runner does not handle: {unknown}")


def _one(g: Graph, node: Node, prop: URIRef) -> Node:
    values = list(g.objects(node, prop))
    if len(values) != 1:
        raise ManifestError(f"{node} has {len(values)} values for {prop}, expected one")
    return values[0]


def _optional(g: Graph, node: Node, prop: URIRef) -> Node | None:
    values = list(g.objects(node, prop))
    if len(values) > 1:
        raise ManifestError(f"{node} has {len(values)} values for {prop}")
    return values[0] if values else None


def _headers(g: Graph, node: Node, header_type: URIRef) -> tuple[Header, ...]:
    listed = _optional(g, node, HT.headers)
    if listed is None:
        return ()
    out = []
    for h in Collection(g, listed):
        _check_properties(g, h, (RDF.type, HT.fieldName, HT.fieldValue), "header")
        if (h, RDF.type, header_type) not in g:
            raise ManifestError(f"header {h} is not a {header_type}")
        out.append(Header(str(_one(g, h, HT.fieldName)).lower(), str(_one(g, h, HT.fieldValue))))
    return tuple(out)


def _body(g: Graph, node: Node) -> Body | None:
    body = _optional(g, node, HT.body)
    if body is None:
        return None
    _check_properties(g, body, (RDF.type, CNT.chars, CNT.characterEncoding), "body")
    if (body, RDF.type, CNT.ContentAsText) not in g:
        raise ManifestError(f"body {body} is not cnt:ContentAsText")
    return Body(str(_one(g, body, CNT.chars)), str(_one(g, body, CNT.characterEncoding)))


def _response(g: Graph, node: Node) -> ExpectedResponse:
    _check_properties(
        g,
        node,
        (
            RDF.type,
            MF.expectedStatus,
            MF.expectedBoolean,
            MF.expectedFormat,
            MF.expectedLocation,
            HT.headers,
            HT.body,
        ),
        "response",
    )
    statuses = tuple(sorted(_local(s, HTS) for s in g.objects(node, MF.expectedStatus)))
    if not statuses:
        raise ManifestError(f"response {node} has no mf:expectedStatus")
    for s in statuses:
        status_range(s)
    boolean = _optional(g, node, MF.expectedBoolean)
    fmt = _optional(g, node, MF.expectedFormat)
    if fmt is not None and str(fmt) not in ("boolean", "tabular", "RDF"):
        raise ManifestError(f"unknown mf:expectedFormat {fmt}")
    location = _optional(g, node, MF.expectedLocation)
    return ExpectedResponse(
        statuses=statuses,
        boolean=None if boolean is None else bool(boolean.toPython()),  # type: ignore[union-attr]
        format=None if fmt is None else str(fmt),
        location_variable=None if location is None else str(location),
        headers=_headers(g, node, HT.ResponseHeader),
        body=_body(g, node),
    )


def _request(g: Graph, node: Node) -> Request:
    _check_properties(
        g,
        node,
        (
            RDF.type,
            HT.absolutePath,
            HT.methodName,
            HT.httpVersion,
            HT.headers,
            HT.body,
            HT.resp,
        ),
        "request",
    )
    if str(_one(g, node, HT.httpVersion)) != "1.1":
        raise ManifestError(f"request {node} is not HTTP/1.1")
    return Request(
        method=str(_one(g, node, HT.methodName)),
        path=str(_one(g, node, HT.absolutePath)),
        headers=_headers(g, node, HT.RequestHeader),
        body=_body(g, node),
        response=_response(g, _one(g, node, HT.resp)),
    )


def _file(iri: Node) -> Path:
    """The local file a ``file:`` IRI (relative IRIs resolved against the manifest) names."""
    parsed = urllib.parse.urlparse(str(iri))
    if parsed.scheme != "file":
        raise ManifestError(f"<{iri}> is not a file next to the manifests")
    return Path(urllib.request.url2pathname(parsed.path))


def _test(g: Graph, node: URIRef, manifest: str, folder: Path) -> W3CTest:
    _check_properties(
        g,
        node,
        (
            RDF.type,
            MF.name,
            MF.action,
            MF.requires,
            UT.graphData,
            DAWGT.approval,
            DAWGT.approvedBy,
        ),
        "test",
    )
    types = [t for t in g.objects(node, RDF.type) if t in TEST_TYPES]
    if len(types) != 1:
        raise ManifestError(f"{node} has no single test type: {types}")
    graph_data = []
    for gd in g.objects(node, UT.graphData):
        _check_properties(g, gd, (UT.graph, RDFS.label), "ut:graphData")
        file = _file(_one(g, gd, UT.graph))
        if not file.is_file() or folder not in file.parents:
            raise ManifestError(f"{node}: data file {file} is not next to its manifest")
        graph_data.append(GraphData(str(_one(g, gd, RDFS.label)), file))
    requests: list[Request] = []
    action = _optional(g, node, MF.action)
    if action is not None:
        _check_properties(g, action, (RDF.type, HT.connectionAuthority, HT.requests), "connection")
        requests = [_request(g, r) for r in Collection(g, _one(g, action, HT.requests))]
    return W3CTest(
        iri=str(node),
        manifest=manifest,
        type=_local(types[0], MF),
        name=str(_one(g, node, MF.name)),
        requires=tuple(sorted(_local(r, MF) for r in g.objects(node, MF.requires))),
        graph_data=tuple(sorted(graph_data, key=lambda d: d.graph)),
        requests=tuple(requests),
    )


def _load(relative: str) -> Iterator[Manifest]:
    path = MANIFESTS_DIR / relative
    g = Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    top = URIRef(path.as_uri())
    if (top, RDF.type, MF.Manifest) not in g:
        raise ManifestError(f"{relative} does not describe itself as an mf:Manifest")
    _check_properties(
        g, top, (RDF.type, RDFS.label, RDFS.comment, MF.entries, MF.include), "manifest"
    )
    entries_node = _optional(g, top, MF.entries)
    entries = [] if entries_node is None else list(Collection(g, entries_node))
    for e in entries:
        if not isinstance(e, URIRef):
            raise ManifestError(f"{relative}: entry {e} is not an IRI")
    tests = tuple(_test(g, e, relative, path.parent) for e in entries)  # type: ignore[arg-type]
    described = {s for t in TEST_TYPES for s in g.subjects(RDF.type, t)}
    unlisted = tuple(sorted(short_id(str(s)) for s in described - set(entries)))
    yield Manifest(relative, str(_one(g, top, RDFS.label)), tests, unlisted)
    included = _optional(g, top, MF.include)
    for inc in [] if included is None else Collection(g, included):
        yield from _load(str(_file(inc).relative_to(MANIFESTS_DIR)))


def load_manifests() -> list[Manifest]:
    """Every manifest, the included ones after the one that includes them."""
    return [m for top in TOP_MANIFESTS for m in _load(top)]


def all_tests() -> list[W3CTest]:
    return [t for m in load_manifests() for t in m.tests]


# --------------------------------------------------------------------------- adaptations

SEED = "http://example.org/w3c-adapted/seed"
SEED_2 = "http://example.org/w3c-adapted/seed-2"
STALE = "http://example.org/w3c-adapted/stale"
BYSTANDER = "http://example.org/w3c-adapted/bystander"
KASEI = "http://kasei.us/2009/09/sparql/data/"
_PREFIXES = (
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
    "@prefix dc: <http://purl.org/dc/terms/> .\n"
    "@prefix v: <http://www.w3.org/2006/vcard/ns#> .\n"
)
_SEED_TRIPLE = f'<{SEED}> <http://www.w3.org/2000/01/rdf-schema#comment> "seeded" .'
_SEED_2_TRIPLE = f'<{SEED_2}> <http://www.w3.org/2000/01/rdf-schema#comment> "seeded" .'


def _form(text: str) -> str:
    return urllib.parse.quote(text, safe="")


@dataclass(frozen=True)
class Rewrite:
    """Replace ``old`` by ``new`` in the path and body of request ``request`` (None: all)."""

    old: str
    new: str
    request: int | None = None


@dataclass(frozen=True)
class Adaptation:
    """How one test is changed for this server, and why. Every field is checked by the runner."""

    why: str
    rewrites: tuple[Rewrite, ...] = ()
    #: (graph IRI, Turtle) written with a Graph Store PUT before the requests.
    seed: tuple[tuple[str, str], ...] = ()
    #: The unadapted first request is sent first and must be refused with this status and a
    #: message containing this text, writing nothing.
    refused_as_is: tuple[int, str] | None = None
    #: Also run the unadapted requests first (for tests whose unadapted form passes, but for a
    #: reason other than the one the test is about); the manifest's expectations apply to both.
    also_as_is: bool = False
    #: (request index, class IRI): compare the expected body with the part of the answer about
    #: the instances of that class (they and the blank nodes they reach), not with all of it.
    compare_instances_of: tuple[int, str] | None = None
    #: (graph IRI, Turtle): after the requests, the graph holds exactly these triples ("" for none).
    holds_exactly: tuple[tuple[str, str], ...] = ()


_CLEAR_ALL_WHY = (
    "{op} would clear every graph of the store, among them the graphs the server maintains "
    "itself (metadata, entailments), which no write may touch: refused with 403 (checked). "
    "Run inside fresh named graphs instead: {what}; the graphs are seeded first with a stale "
    "triple so that the clearing is observable, and afterwards they must hold exactly the "
    "expected triples."
)
_BYSTANDER_WHY = (
    " A bystander graph holding another foaf:Document stands for the rest of the store, which "
    "the adapted update does not clear (the union default graph is never empty here): it must "
    "stay as it is and never reach the output, so the protocol dataset (using-graph-uri, "
    "using-named-graph-uri) must really bound the WHERE clause."
)


def _dataset_update(clear: str, out: str, data: tuple[str, ...], expected_out: str) -> Adaptation:
    graphs = [f"{KASEI}{d}.rdf" for d in data] + [out]
    drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs) + " ;"
    stale_doc = f"<{STALE}> a foaf:Document ."
    bystander = f"<{BYSTANDER}> a foaf:Document ."
    stale_out = f'<{STALE}> a dc:BibliographicResource . <{STALE}> <http://example.org/in> "x" .'
    return Adaptation(
        why=_CLEAR_ALL_WHY.format(
            op=clear.rstrip(" ;"),
            what=f"the leading {clear.rstrip(' ;')} becomes DROP SILENT GRAPH of each graph the "
            "update writes",
        )
        + _BYSTANDER_WHY,
        rewrites=(Rewrite(clear, drops, 0),),
        seed=(
            *((f"{KASEI}{d}.rdf", _PREFIXES + stale_doc) for d in data),
            (out, _PREFIXES + stale_out),
            (BYSTANDER, _PREFIXES + bystander),
        ),
        refused_as_is=(403, "is maintained by the server and cannot be written"),
        holds_exactly=(
            *((f"{KASEI}{d}.rdf", _PREFIXES + f"<{KASEI}{d}.rdf> a foaf:Document .") for d in data),
            (out, _PREFIXES + expected_out),
            (BYSTANDER, _PREFIXES + bystander),
        ),
    )


def _bibliographic(*names: str) -> str:
    return " ".join(f"<{KASEI}{n}.rdf> a dc:BibliographicResource ." for n in names)


_CLEAR_SEED = f"CLEAR GRAPH <{SEED}>"
_CLEAR_SEED_2 = f"CLEAR GRAPH <{SEED_2}>"
_BAD_UPDATE_WHY = (
    "as written, the update ({op}) would be refused with 403 even if the server wrongly ran it "
    "(it would clear the server's own graphs), so a 4xx would not show that the request was "
    "refused for the reason the test is about. The update becomes CLEAR GRAPH of a seeded "
    "fresh graph, which would succeed if it were run, and the graph must still hold its triple "
    "afterwards. The unadapted request is sent too."
)

#: test id → what is adapted and why.
ADAPTATIONS: dict[str, Adaptation] = {
    "protocol#update_dataset_default_graph": _dataset_update(
        "CLEAR ALL ;",
        "http://example.org/protocol-update-dataset-test/",
        ("data1",),
        _bibliographic("data1"),
    ),
    "protocol#update_dataset_default_graphs": _dataset_update(
        "DROP ALL ;",
        "http://example.org/protocol-update-dataset-graphs-test/",
        ("data1", "data2", "data3"),
        _bibliographic("data1", "data2"),
    ),
    "protocol#update_dataset_named_graphs": _dataset_update(
        "DROP ALL ;",
        "http://example.org/protocol-update-dataset-named-graphs-test/",
        ("data1", "data2", "data3"),
        _bibliographic("data1", "data2"),
    ),
    "protocol#update_dataset_full": _dataset_update(
        "DROP ALL ;",
        "http://example.org/protocol-update-dataset-full-test/",
        ("data1", "data2", "data3"),
        f'<{KASEI}data1.rdf> <http://example.org/in> "default" . '
        f"<{KASEI}data2.rdf> <http://example.org/in> <{KASEI}data2.rdf> .",
    ),
    "protocol#update_post_form": Adaptation(
        why=_CLEAR_ALL_WHY.format(
            op="CLEAR ALL", what=f"the update becomes {_CLEAR_SEED} of a seeded fresh graph"
        ),
        rewrites=(Rewrite("update=CLEAR+ALL", "update=" + _form(_CLEAR_SEED)),),
        seed=((SEED, _SEED_TRIPLE),),
        refused_as_is=(403, "is maintained by the server and cannot be written"),
        holds_exactly=((SEED, ""),),
    ),
    "protocol#update_post_direct": Adaptation(
        why=_CLEAR_ALL_WHY.format(
            op="CLEAR ALL", what=f"the update becomes {_CLEAR_SEED} of a seeded fresh graph"
        ),
        rewrites=(Rewrite("CLEAR ALL", _CLEAR_SEED),),
        seed=((SEED, _SEED_TRIPLE),),
        refused_as_is=(403, "is maintained by the server and cannot be written"),
        holds_exactly=((SEED, ""),),
    ),
    "protocol#bad_update_get": Adaptation(
        why=_BAD_UPDATE_WHY.format(op="CLEAR ALL"),
        rewrites=(Rewrite("update=CLEAR%20ALL", "update=" + _form(_CLEAR_SEED)),),
        seed=((SEED, _SEED_TRIPLE),),
        also_as_is=True,
        holds_exactly=((SEED, _SEED_TRIPLE),),
    ),
    "protocol#bad_multiple_updates": Adaptation(
        why=_BAD_UPDATE_WHY.format(op="CLEAR NAMED, CLEAR DEFAULT"),
        rewrites=(
            Rewrite("update=CLEAR%20NAMED", "update=" + _form(_CLEAR_SEED)),
            Rewrite("update=CLEAR%20DEFAULT", "update=" + _form(_CLEAR_SEED_2)),
        ),
        seed=((SEED, _SEED_TRIPLE), (SEED_2, _SEED_2_TRIPLE)),
        also_as_is=True,
        holds_exactly=((SEED, _SEED_TRIPLE), (SEED_2, _SEED_2_TRIPLE)),
    ),
    "protocol#bad_update_wrong_media_type": Adaptation(
        why=_BAD_UPDATE_WHY.format(op="CLEAR NAMED"),
        rewrites=(Rewrite("CLEAR NAMED", _CLEAR_SEED),),
        seed=((SEED, _SEED_TRIPLE),),
        also_as_is=True,
        holds_exactly=((SEED, _SEED_TRIPLE),),
    ),
    "protocol#bad_update_missing_form_type": Adaptation(
        why=_BAD_UPDATE_WHY.format(op="CLEAR NAMED"),
        rewrites=(Rewrite("update=CLEAR%20NAMED", "update=" + _form(_CLEAR_SEED)),),
        seed=((SEED, _SEED_TRIPLE),),
        also_as_is=True,
        holds_exactly=((SEED, _SEED_TRIPLE),),
    ),
    "protocol#bad_update_non_utf8": Adaptation(
        why=_BAD_UPDATE_WHY.format(op="CLEAR NAMED"),
        rewrites=(Rewrite("CLEAR NAMED", _CLEAR_SEED),),
        seed=((SEED, _SEED_TRIPLE),),
        also_as_is=True,
        holds_exactly=((SEED, _SEED_TRIPLE),),
    ),
    "protocol#bad_update_dataset_conflict": Adaptation(
        why=(
            "as written, the graph <http://example/addresses> does not exist, so a server that "
            "wrongly ran the update would find no solution and change nothing, which this "
            "server answers with 400 (a write that changes nothing is refused): the 4xx would "
            "not show that the WITH / using-named-graph-uri conflict was detected. The WITH "
            "graph is seeded with a triple the WHERE clause matches, so that running the "
            "update would change it; it must be unchanged afterwards. The request itself is "
            "not changed."
        ),
        seed=(
            (
                "http://example/addresses",
                _PREFIXES + "<http://example/bill> foaf:givenName 'Bill' .",
            ),
        ),
        holds_exactly=(
            (
                "http://example/addresses",
                _PREFIXES + "<http://example/bill> foaf:givenName 'Bill' .",
            ),
        ),
    ),
    "http-rdf-update#put_get_default": Adaptation(
        why=(
            "the default graph is the union of the named graphs and cannot be written "
            "directly: PUT ?default is refused with 400 (checked). The PUT writes a fresh "
            "named graph instead, and the GET of ?default (the union, which also holds the "
            "ontology and shapes) must hold exactly the expected foaf:Person: the expected "
            "graph is compared with the instances of foaf:Person in the answer and the blank "
            "nodes they reach."
        ),
        rewrites=(
            Rewrite(
                "/gsp?default",
                "/gsp?graph=" + _form("http://example.org/w3c-adapted/default-stand-in"),
                0,
            ),
        ),
        refused_as_is=(400, "cannot be written directly"),
        compare_instances_of=(1, str(FOAF.Person)),
    ),
}


@dataclass(frozen=True)
class ExpectedFailure:
    """Why the server fails a test; ``symptom`` must appear in the failure's message, so that
    the test cannot fail for another reason unnoticed."""

    kind: str  # "design", "optional" or "bug"
    reason: str
    symptom: str


#: test id → why this server fails it (none now: direct graph identification and POST graph
#: creation, the two gaps the runner found first, are implemented).
EXPECTED_FAILURES: dict[str, ExpectedFailure] = {}


# --------------------------------------------------------------------------- running


def server_path(path: str) -> str:
    """The manifest's ``/sparql/…`` and ``/gsp…`` as this server's paths."""
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/") :]
    if path.startswith("/gsp"):
        return "/graph-store" + path[len("/gsp") :]
    raise ManifestError(f"a request path this runner cannot map: {path}")


def adapt(requests: tuple[Request, ...], adaptation: Adaptation) -> tuple[Request, ...]:
    """``requests`` with the adaptation's rewrites applied; each rewrite must apply."""
    out = list(requests)
    for rw in adaptation.rewrites:
        indexes = range(len(out)) if rw.request is None else [rw.request]
        hits = 0
        for i in indexes:
            req = out[i]
            path, body = req.path, req.body
            if rw.old in path:
                path = path.replace(rw.old, rw.new)
                hits += 1
            if body is not None and rw.old in body.chars:
                body = replace(body, chars=body.chars.replace(rw.old, rw.new))
                hits += 1
            out[i] = replace(req, path=path, body=body)
        if hits == 0:
            raise ManifestError(f"rewrite {rw.old!r} matches nothing")
    return tuple(out)


_RESULT_TYPES = {
    "application/sparql-results+xml": "xml",
    "application/sparql-results+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: What each mf:expectedFormat allows (the manifest: "expect one of: XML, JSON, CSV, TSV",
#: "XML, JSON" and "RDF/XML, Turtle, N-Triples, RDFa").
_ALLOWED = {
    "boolean": ("application/sparql-results+xml", "application/sparql-results+json"),
    "tabular": tuple(_RESULT_TYPES),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}
_RDF_TYPES = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}


def media_type(value: str | None) -> tuple[str, dict[str, str]]:
    """``text/turtle; charset=UTF-8`` → ``("text/turtle", {"charset": "utf-8"})``."""
    if not value:
        return "", {}
    kind, *params = value.split(";")
    parsed = {}
    for p in params:
        name, _, v = p.partition("=")
        parsed[name.strip().lower()] = v.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def parse_rdf(body: bytes | str, content_type: str | None) -> Graph:
    kind, _ = media_type(content_type)
    if kind not in _RDF_TYPES:
        raise AssertionError(f"not an RDF media type: {content_type!r}")
    g = Graph()
    g.parse(data=body, format=_RDF_TYPES[kind])
    return g


def instances_and_their_blank_nodes(g: Graph, cls: URIRef) -> Graph:
    """The triples about the instances of ``cls``, and about the blank nodes they reach."""
    out = Graph()
    todo: list[Node] = list(g.subjects(RDF.type, cls))
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in g.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


def assert_isomorphic(actual: Graph, expected: Graph, what: str) -> None:
    if to_isomorphic(actual) == to_isomorphic(expected):
        return
    _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
    raise AssertionError(
        f"{what}: the graphs differ.\nonly in the answer:\n"
        f"{only_actual.serialize(format='nt')}\nonly expected:\n"
        f"{only_expected.serialize(format='nt')}"
    )


@dataclass
class Runner:
    """Runs W3C tests against one app through an HTTP client that carries no default Accept."""

    client: httpx.Client
    token: str
    variables: dict[str, str] = field(default_factory=dict)

    # -- plumbing ---------------------------------------------------------------------

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def changesets(self) -> int:
        response = self.client.get("/changesets")
        assert response.status_code == 200, response.text
        count: int = response.json()["count"]
        return count

    def put_graph(self, graph: str, body: bytes | str, content_type: str) -> None:
        response = self.client.put(
            "/graph-store",
            params={"graph": graph},
            content=body,
            headers={**self.auth, "Content-Type": content_type},
        )
        assert response.status_code == 201, f"writing <{graph}>: {response.text}"

    def graph_holds_exactly(self, graph: str, turtle: str) -> None:
        response = self.client.get(
            "/sparql",
            params={
                "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            },
            headers={"Accept": "application/n-triples"},
        )
        assert response.status_code == 200, response.text
        expected = Graph()
        expected.parse(data=turtle, format="turtle")
        assert_isomorphic(
            parse_rdf(response.content, response.headers.get("content-type")),
            expected,
            f"graph <{graph}> after the test",
        )

    # -- one request ------------------------------------------------------------------

    def send(self, req: Request) -> httpx.Response:
        path = req.path
        body = req.body
        for name, value in self.variables.items():
            path = path.replace(name, value)
            if body is not None:
                body = replace(body, chars=body.chars.replace(name, value))
        headers = {h.name: h.value for h in req.headers}
        headers.update(self.auth)
        return self.client.request(
            req.method,
            server_path(path),
            content=None if body is None else body.encoded(),
            headers=headers,
        )

    def check(
        self,
        req: Request,
        response: httpx.Response,
        *,
        where: str,
        instances_of: str | None = None,
    ) -> None:
        exp = req.response
        what = f"{where}: {req.method} {req.path}"
        shown = response.text[:800] if req.method != "HEAD" else "(HEAD)"
        ranges = [status_range(s) for s in exp.statuses]
        assert any(lo <= response.status_code <= hi for lo, hi in ranges), (
            f"{what}: status {response.status_code}, expected one of "
            f"{', '.join('hts:' + s for s in exp.statuses)}\n{shown}"
        )
        content_type = response.headers.get("content-type")
        if exp.format is not None:
            kind, _ = media_type(content_type)
            assert kind in _ALLOWED[exp.format], (
                f"{what}: content type {content_type!r} is not one of {_ALLOWED[exp.format]} "
                f"(mf:expectedFormat {exp.format!r})"
            )
            if exp.format == "RDF":
                parse_rdf(response.content, content_type)
            else:
                result = Result.parse(io.BytesIO(response.content), format=_RESULT_TYPES[kind])
                expected_type = "ASK" if exp.format == "boolean" else "SELECT"
                assert result.type == expected_type, f"{what}: a {result.type} result"
                if exp.boolean is not None:
                    assert result.askAnswer is exp.boolean, (
                        f"{what}: boolean {result.askAnswer}, expected {exp.boolean}"
                    )
        elif exp.boolean is not None:
            raise ManifestError(f"{what}: mf:expectedBoolean without mf:expectedFormat")
        for header in exp.headers:
            got = response.headers.get(header.name)
            if header.name == "content-type":
                assert media_type(got) == media_type(header.value), (
                    f"{what}: Content-Type {got!r}, expected {header.value!r}"
                )
            else:
                assert got == header.value, (
                    f"{what}: {header.name} {got!r}, expected {header.value!r}"
                )
        if exp.body is not None:
            expected_type = next((h.value for h in exp.headers if h.name == "content-type"), None)
            expected = parse_rdf(exp.body.chars, expected_type)
            actual = parse_rdf(response.content, content_type)
            if instances_of is not None:
                actual = instances_and_their_blank_nodes(actual, URIRef(instances_of))
            assert_isomorphic(actual, expected, what)
        if exp.location_variable is not None:
            location = response.headers.get("location")
            assert location, f"{what}: no Location header"
            self.variables[exp.location_variable] = location

    def run_requests(
        self, requests: Iterable[Request], *, where: str, adaptation: Adaptation | None = None
    ) -> None:
        self.variables.clear()
        for index, req in enumerate(requests):
            before = self.changesets() if req.response.only_client_errors else None
            response = self.send(req)
            instances_of = None
            if adaptation is not None and adaptation.compare_instances_of is not None:
                at, cls = adaptation.compare_instances_of
                instances_of = cls if at == index else None
            self.check(
                req, response, where=f"{where}, request {index + 1}", instances_of=instances_of
            )
            if before is not None:
                assert self.changesets() == before, (
                    f"{where}, request {index + 1}: refused ({response.status_code}) but a "
                    "change set was recorded"
                )

    # -- one test ---------------------------------------------------------------------

    def run(self, test: W3CTest) -> None:
        if test.type == "ServiceDescriptionTest":
            check = SERVICE_DESCRIPTION_CHECKS.get(test.id)
            if check is None:
                raise ManifestError(f"no check for the Service Description test {test.id}")
            check(self)
            return
        if not test.requests:
            raise ManifestError(f"{test.id} has no requests")
        for data in test.graph_data:
            self.put_graph(data.graph, data.path.read_bytes(), "application/n-triples")
        adaptation = ADAPTATIONS.get(test.id)
        if adaptation is None:
            self.run_requests(test.requests, where=test.id)
            return
        for graph, turtle in adaptation.seed:
            self.put_graph(graph, turtle, "text/turtle")
        if adaptation.refused_as_is is not None:
            status, fragment = adaptation.refused_as_is
            before = self.changesets()
            response = self.send(test.requests[0])
            assert response.status_code == status and fragment in response.text, (
                f"{test.id}, unadapted request: expected the documented refusal {status} "
                f"({fragment!r}), got {response.status_code}: {response.text[:500]}"
            )
            assert self.changesets() == before, f"{test.id}: the refused request wrote"
        if adaptation.also_as_is:
            self.run_requests(test.requests, where=f"{test.id} (as written)")
        self.run_requests(
            adapt(test.requests, adaptation), where=f"{test.id} (adapted)", adaptation=adaptation
        )
        for graph, turtle in adaptation.holds_exactly:
            self.graph_holds_exactly(graph, turtle)


# --------------------------------------------------------------------------- service description

_SD_RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples")


def _service_description(runner: Runner) -> Graph:
    """``GET /sparql`` without a query and without Accept: the Service Description as RDF."""
    response = runner.client.get("/sparql")
    assert response.status_code == 200, response.text
    content_type = response.headers.get("content-type")
    assert media_type(content_type)[0] in _SD_RDF_TYPES, (
        f"the Service Description is served as {content_type!r}, not as RDF"
    )
    graph = parse_rdf(response.content, content_type)
    assert len(graph) > 0, "the Service Description is empty"
    return graph


def _returns_rdf(runner: Runner) -> None:
    """GET on the endpoint (no query, no Accept) answers 200 with an RDF document."""
    _service_description(runner)


def _has_endpoint_triple(runner: Runner) -> None:
    """The description has ``?service sd:endpoint <the URL the request was sent to>``."""
    graph = _service_description(runner)
    endpoint = URIRef(str(runner.client.base_url).rstrip("/") + "/sparql")
    services = set(graph.subjects(SD.endpoint, endpoint))
    assert services, f"no sd:endpoint <{endpoint}> in {set(graph.objects(None, SD.endpoint))}"
    assert all((s, RDF.type, SD.Service) in graph for s in services)


#: The SPARQL 1.1 Service Description vocabulary (https://www.w3.org/TR/sparql11-service-description/,
#: section 3): every property with its domain and range. A range "IRI" means any IRI.
_SD_PROPERTIES: dict[str, tuple[str, str]] = {
    "endpoint": ("Service", "IRI"),
    "feature": ("Service", "Feature"),
    "defaultEntailmentRegime": ("Service", "EntailmentRegime"),
    "defaultSupportedEntailmentProfile": ("Service", "EntailmentProfile"),
    "extensionFunction": ("Service", "Function"),
    "extensionAggregate": ("Service", "Aggregate"),
    "languageExtension": ("Service", "Feature"),
    "supportedLanguage": ("Service", "Language"),
    "propertyFeature": ("Service", "IRI"),
    "defaultDataset": ("Service", "Dataset"),
    "availableGraphs": ("Service", "GraphCollection"),
    "resultFormat": ("Service", "IRI"),
    "inputFormat": ("Service", "IRI"),
    "defaultGraph": ("Dataset", "Graph"),
    "namedGraph": ("GraphCollection", "NamedGraph"),
    "name": ("NamedGraph", "IRI"),
    "graph": ("NamedGraph", "Graph"),
    "entailmentRegime": ("NamedGraph", "EntailmentRegime"),
    "supportedEntailmentProfile": ("NamedGraph", "EntailmentProfile"),
}
_SD_SUBCLASSES = {
    "Dataset": {"GraphCollection"},
    "Language": {"Feature"},
    "Function": {"Feature"},
    "Aggregate": {"Feature"},
}
_SD_INSTANCES = {
    "SPARQL10Query": "Language",
    "SPARQL11Query": "Language",
    "SPARQL11Update": "Language",
    "DereferencesURIs": "Feature",
    "UnionDefaultGraph": "Feature",
    "RequiresDataset": "Feature",
    "EmptyGraphs": "Feature",
    "BasicFederatedQuery": "Feature",
}
_SD_CLASSES = {
    "Service",
    "Feature",
    "Language",
    "Function",
    "Aggregate",
    "EntailmentRegime",
    "EntailmentProfile",
    "GraphCollection",
    "Dataset",
    "Graph",
    "NamedGraph",
}


def _sd_types(graph: Graph, node: Node) -> set[str]:
    """The sd: classes ``node`` belongs to: its rdf:type s, the vocabulary's own instances, and
    their superclasses."""
    types = {
        str(t)[len(str(SD)) :] for t in graph.objects(node, RDF.type) if str(t).startswith(str(SD))
    }
    if str(node).startswith(str(SD)) and str(node)[len(str(SD)) :] in _SD_INSTANCES:
        types.add(_SD_INSTANCES[str(node)[len(str(SD)) :]])
    for t in list(types):
        types |= _SD_SUBCLASSES.get(t, set())
    return types


def _conforms_to_schema(runner: Runner) -> None:
    """Every sd: term used is in the vocabulary, and used within its domain and range.

    The check reads the schema closed-world: the subject of an sd: property must be typed (with
    rdf:type) as the property's domain, and its value typed as its range or be one of the
    vocabulary's own instances (sd:SPARQL11Query, sd:UnionDefaultGraph, …); IRI ranges must be
    IRIs. A service must have an sd:endpoint and an sd:supportedLanguage.
    """
    graph = _service_description(runner)
    problems: list[str] = []
    sd = str(SD)
    for s, p, o in graph:
        for term in (p, o) if p == RDF.type else (p,):
            local = str(term)[len(sd) :] if str(term).startswith(sd) else None
            if local is not None and local not in _SD_PROPERTIES and local not in _SD_CLASSES:
                problems.append(f"<{term}> is not a term of the vocabulary")
        if not str(p).startswith(sd) or str(p)[len(sd) :] not in _SD_PROPERTIES:
            continue
        domain, rng = _SD_PROPERTIES[str(p)[len(sd) :]]
        if domain not in _sd_types(graph, s):
            problems.append(f"{s.n3()} uses sd:{p.split('#')[1]} but is not an sd:{domain}")
        if rng == "IRI":
            if not isinstance(o, URIRef):
                problems.append(f"sd:{p.split('#')[1]} of {s.n3()} is {o.n3()}, not an IRI")
        elif isinstance(o, Literal) or rng not in _sd_types(graph, o):
            problems.append(f"sd:{p.split('#')[1]} of {s.n3()} is {o.n3()}, not an sd:{rng}")
    services = set(graph.subjects(RDF.type, SD.Service))
    if not services:
        problems.append("no sd:Service")
    for service in services:
        for required in (SD.endpoint, SD.supportedLanguage):
            if graph.value(service, required) is None:
                problems.append(f"{service.n3()} has no {required.n3(graph.namespace_manager)}")
    assert not problems, "the Service Description does not conform:\n" + "\n".join(problems)


#: Service Description test id → its check.
SERVICE_DESCRIPTION_CHECKS: dict[str, Callable[[Runner], None]] = {
    "service-description#returns-rdf": _returns_rdf,
    "service-description#has-endpoint-triple": _has_endpoint_triple,
    "service-description#conforms-to-schema": _conforms_to_schema,
}


__all__ = [
    "ADAPTATIONS",
    "EXPECTED_FAILURES",
    "SERVICE_DESCRIPTION_CHECKS",
    "Adaptation",
    "ExpectedFailure",
    "Manifest",
    "Runner",
    "W3CTest",
    "all_tests",
    "load_manifests",
]
