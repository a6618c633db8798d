"""A load generator for the real server: curators mixing reads and writes, a greedy client, probes.

Used by ``tests/test_load.py`` (80 s, part of the default suite) and ``bench/load.py`` (longer,
with the figures as a Markdown table). Loopback only; every request has a timeout and every
thread ends by a deadline.

The run is a sequence of *segments*, alternately ``calm`` (the curators alone) and ``greedy``
(the curators and one greedy client), so that the curators' latency with and without the greedy
client is compared within one run, under the same background load of the machine.

- A **curator** (one thread, its own token, so its own budget) loops: a SPARQL read (SELECT,
  ASK, CONSTRUCT or DESCRIBE of varied cost, by GET, POST form or POST direct, in varied
  formats), a canned query with parameters, a ``/validate`` upload (conforming or not), or a
  write (an ``INSERT DATA`` through ``/sparql``, a ``POST /changesets`` ingest, now and then a
  revert of one of its own ingests), with a short pause between requests. Each request has one
  status it must get (and an answer of the right type); anything else is an error.
- The **greedy** client (anonymous: its address is its identity) sends CPU-bound queries on
  several connections at once, each query text distinct, and after a refusal retries after a
  short pause (it ignores ``Retry-After``): it would take the workers over if its budget of
  query time did not stop it.
- A **probe** asks ``/readyz`` and ``/metrics`` twice a second.

Every acknowledged write is kept in a :class:`Ledger`, so that the caller can check afterwards
that it is in the store (and that what was reverted is not).
"""

from __future__ import annotations

import math
import random
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from prometheus_client.parser import text_string_to_metric_families

ID = "https://w3id.org/unhr/id/"
UNHR = "https://w3id.org/unhr/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SOURCE = f"{ID}source/nkhr-un-advocacy"

#: Kinds of request evaluated as queries (charged to the client's budget of query time).
READS = ("select", "ask", "construct", "canned")
#: Kinds of request that write (each acknowledged one is a change set).
WRITES = ("update", "ingest", "revert")

SPARQL_QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
TURTLE = "text/turtle"


def iri(value: str) -> str:
    return f"<{value}>"


def lang_literal(text: str, lang: str = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


@dataclass(frozen=True, order=True)
class Triple:
    """A triple as N-Triples terms (``<iri>``, ``"text"@en``)."""

    s: str
    p: str
    o: str

    def nt(self) -> str:
        return f"{self.s} {self.p} {self.o}"


def ngo_triples(name: str, label: str) -> tuple[Triple, ...]:
    """An NGO as the shapes want it: typed, labelled in English, with its source."""
    node = iri(f"{ID}org/ngo/{name}")
    return (
        Triple(node, iri(f"{RDF}type"), iri(f"{UNHR}NGO")),
        Triple(node, iri(f"{RDFS}label"), lang_literal(label)),
        Triple(node, iri(f"{DCT}source"), iri(SOURCE)),
    )


def turtle(triples: Iterable[Triple]) -> str:
    return "".join(f"{t.nt()} .\n" for t in triples)


# -- requests --------------------------------------------------------------------------------


def _answer_check(media_type: str = "", contains: str = "") -> Callable[[httpx.Response], str]:
    """A check that the answer has ``media_type`` and holds ``contains`` (empty: ok)."""

    def check(response: httpx.Response) -> str:
        got = response.headers.get("content-type", "")
        if media_type and media_type not in got:
            return f"content-type {got!r}, wanted {media_type}"
        if contains and contains not in response.text:
            return f"the answer lacks {contains!r}: {response.text[:200]!r}"
        return ""

    return check


@dataclass(frozen=True)
class Call:
    """One request to make: what it is, how it is sent, and what it may get back."""

    kind: str
    what: str  # which query, canned query or write: reads are compared per ``what``
    method: str
    url: str
    expected: frozenset[int]
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None
    check: Callable[[httpx.Response], str] | None = None


def _read(
    kind: str,
    what: str,
    query: str,
    via: str,
    accept: str = "",
    fmt: str = "",
    media_type: str = "",
    contains: str = "",
) -> Call:
    """A SPARQL read sent by ``via``: ``get``, ``form`` (POST) or ``direct`` (POST)."""
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    content = None
    if via == "get":
        params["query"] = query
    elif via == "form":
        headers["Content-Type"] = FORM
        content = urlencode({"query": query})
    else:
        headers["Content-Type"] = SPARQL_QUERY
        content = query
    return Call(
        kind, what, "GET" if via == "get" else "POST", "/sparql", frozenset({200}), params,
        headers, content, _answer_check(media_type, contains),
    )  # fmt: skip


def sparql_reads() -> list[tuple[int, Call]]:
    """A curator's SPARQL reads, with their weights (the cheap ones more often)."""
    prk, kor = f"{ID}state/PRK", f"{ID}state/KOR"
    labels = f"SELECT ?s ?l WHERE {{ ?s <{RDFS}label> ?l }} LIMIT 100"
    by_predicate = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)"
    korea = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
        'FILTER(isLiteral(?o) && CONTAINS(LCASE(STR(?o)), "korea")) }'
    )
    classes = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
    states = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s a <{UNHR}State> ; ?p ?o }} LIMIT 500"
    is_state = f"ASK {{ <{kor}> a <{UNHR}State> }}"
    json_results = "application/sparql-results+json"
    true = '"boolean":true'
    return [
        (6, _read("select", "labels", labels, "get", fmt="json", contains='"bindings"')),
        (3, _read("select", "by-predicate", by_predicate, "form", "text/csv", "", "text/csv",
                  "p,n")),
        (2, _read("select", "korea", korea, "direct", "text/tab-separated-values", "",
                  "text/tab-separated-values", "?n")),
        (3, _read("select", "classes", classes, "get", fmt="xml", contains="<sparql")),
        (6, _read("ask", "is-state", is_state, "get", json_results, contains=true)),
        (3, _read("ask", "empty", "ASK {}", "direct", json_results, contains=true)),
        (3, _read("construct", "states", states, "get", TURTLE, "", TURTLE, "@prefix")),
        (2, _read("construct", "describe-prk", f"DESCRIBE <{prk}>", "direct",
                  "application/n-triples", "", "application/n-triples", f"<{prk}>")),
    ]  # fmt: skip


#: Canned queries with parameters: (weight, name, parameters).
CANNED: list[tuple[int, str, dict[str, str]]] = [
    (4, "state-votes", {"state": f"{ID}state/JPN"}),
    (3, "state-votes", {"state": f"{ID}state/CHN", "format": "csv"}),
    (3, "vote-tallies", {"year": "2014"}),
    (2, "council-members-in-year", {"year": "2014"}),
    (2, "closest-voters", {}),
    (2, "mandate-holders", {"format": "html"}),
    (2, "accountability-calls", {}),
    (2, "resolution-sponsors", {"limit": "50"}),
    (2, "upr-reviews", {"state": f"{ID}state/PRK"}),
    (2, "vote-cohesion", {"state_a": f"{ID}state/USA", "state_b": f"{ID}state/RUS"}),
    (1, "dprk-timeline", {"from": "2010", "to": "2015"}),
]


def canned_calls() -> list[tuple[int, Call]]:
    out = []
    for weight, name, params in CANNED:
        fmt = params.get("format", "")
        media = {"csv": "text/csv", "html": "text/html"}.get(fmt, "application/sparql-results")
        what = f"{name}?{urlencode(params)}"
        call = Call(
            "canned", what, "GET", f"/queries/{name}", frozenset({200}), params,
            check=_answer_check(media),
        )  # fmt: skip
        out.append((weight, call))
    return out


def greedy_query(n: int) -> str:
    """A CPU-bound query (a hash of every object: some 50 ms on the repository's data, so a
    cheap query, not a heavy one), each text distinct."""
    return (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(STRSTARTS(SHA512(CONCAT(STR(?o), "{n}")), "a")) }}'
    )


# -- what happened ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One request: who sent it, in which segment, what came back and how long it took."""

    who: str
    kind: str
    what: str
    segment: str
    started: float
    seconds: float
    status: int | None  # None: no answer (a transport error)
    error: str = ""  # why this is not an answer the request may get; empty when it is
    retry_after: str | None = None
    code: str = ""  # the error code of a refusal
    limit: str = ""  # the setting a 429 names (KG_CLIENT_BUDGET_SECONDS, KG_HEAVY_PER_CLIENT)


class Recorder:
    """Samples from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._samples: list[Sample] = []

    def add(self, sample: Sample) -> None:
        with self._lock:
            self._samples.append(sample)

    def snapshot(self) -> list[Sample]:
        with self._lock:
            return list(self._samples)


class Ledger:
    """Acknowledged writes: change set id → the triples it added; and what was reverted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._added: dict[str, tuple[Triple, ...]] = {}
        self._reverted: dict[str, str] = {}  # target → the revert's id

    def write(self, cs_id: str, triples: tuple[Triple, ...]) -> None:
        with self._lock:
            self._added[cs_id] = triples

    def revert(self, revert_id: str, target: str) -> None:
        with self._lock:
            self._reverted[target] = revert_id

    def ids(self) -> set[str]:
        """Every acknowledged change set."""
        with self._lock:
            return set(self._added) | set(self._reverted.values())

    def reverted(self) -> int:
        with self._lock:
            return len(self._reverted)

    def present(self) -> set[Triple]:
        """Triples that must be in the store (every write adds triples no other one adds)."""
        with self._lock:
            return {t for cs, ts in self._added.items() if cs not in self._reverted for t in ts}

    def absent(self) -> set[Triple]:
        """Triples that were added and then reverted."""
        with self._lock:
            return {t for cs in self._reverted for t in self._added[cs]}


class Segments:
    """Which segment the run is in (read by every thread, set by the conductor)."""

    def __init__(self) -> None:
        self.current = "calm"
        self.greedy_on = threading.Event()
        self.stop = threading.Event()


def send(
    client: httpx.Client, recorder: Recorder, segments: Segments, who: str, call: Call
) -> httpx.Response | None:
    """Make ``call`` and record it; the response when it is one the call may get, else None."""
    segment = segments.current
    started = time.monotonic()
    try:
        response = client.request(
            call.method, call.url, params=call.params, headers=call.headers, content=call.content
        )
    except httpx.HTTPError as exc:
        recorder.add(
            Sample(who, call.kind, call.what, segment, started, time.monotonic() - started, None,
                   f"{type(exc).__name__}: {exc}")
        )  # fmt: skip
        return None
    seconds = time.monotonic() - started
    problem = ""
    if response.status_code not in call.expected:
        problem = (
            f"status {response.status_code} (expected {sorted(call.expected)}): "
            f"{response.text[:300]}"
        )
    elif call.check is not None:
        problem = call.check(response)
    code = limit = ""
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
            code = str(error["code"])
            limit = next(iter(re.findall(r"KG_[A-Z_]+", str(error["message"]))), "")
        except (ValueError, KeyError, TypeError):
            code = "?"
    retry_after = response.headers.get("retry-after")
    usable = bool(retry_after and retry_after.isdigit() and int(retry_after) >= 1)
    if response.status_code == 429 and not problem and not usable:
        problem = f"a 429 without a usable Retry-After ({retry_after!r})"
    recorder.add(
        Sample(who, call.kind, call.what, segment, started, seconds, response.status_code,
               problem, retry_after, code, limit)
    )  # fmt: skip
    return None if problem else response


# -- the clients -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What to run: the server, the curators' tokens, the segments, and the pace."""

    base: str
    curators: dict[str, str]  # name → token
    segments: tuple[tuple[str, float], ...]
    seed: int = 13
    request_timeout: float = 30.0
    think: tuple[float, float] = (0.2, 0.6)
    greedy_connections: int = 8
    greedy_pause: float = 0.25
    probe_every: float = 0.5


class Curator:
    """One well-behaved client: its own token, its own random mix, its own writes."""

    def __init__(
        self,
        plan: Plan,
        name: str,
        number: int,
        recorder: Recorder,
        ledger: Ledger,
        segments: Segments,
    ) -> None:
        self.plan = plan
        self.name = name
        self.rng = random.Random(plan.seed * 1000 + number)
        self.recorder = recorder
        self.ledger = ledger
        self.segments = segments
        self.written = 0
        self.own_ingests: list[str] = []
        self.reads = sparql_reads() + canned_calls()
        self.actions: list[tuple[int, Callable[[httpx.Client], None]]] = [
            (85, self.read),
            (5, self.validate),
            (4, self.insert_data),
            (4, self.ingest),
            (2, self.revert),
        ]

    def _pick(self, weighted: list[tuple[int, Any]]) -> Any:
        return self.rng.choices([x for _, x in weighted], weights=[w for w, _ in weighted])[0]

    def _send(self, client: httpx.Client, call: Call) -> httpx.Response | None:
        return send(client, self.recorder, self.segments, self.name, call)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.plan.curators[self.name]}"}
        with httpx.Client(
            base_url=self.plan.base, timeout=self.plan.request_timeout, headers=headers
        ) as client:
            while not self.segments.stop.is_set():
                self._pick(self.actions)(client)
                self.segments.stop.wait(self.rng.uniform(*self.plan.think))

    def read(self, client: httpx.Client) -> None:
        self._send(client, self._pick(self.reads))

    def _next_ngo(self) -> tuple[Triple, ...]:
        self.written += 1
        name = f"load-{self.name}-{self.written}"
        return ngo_triples(name, f"Load test NGO {self.name} {self.written}")

    def validate(self, client: httpx.Client) -> None:
        triples = self._next_ngo()
        conforms = self.rng.random() < 0.7
        # Without its label and source, the NGO breaks two shapes.
        body = turtle(triples if conforms else triples[:1])

        def check(response: httpx.Response) -> str:
            got = response.json().get("conforms")
            return "" if got is conforms else f"conforms is {got}, expected {conforms}"

        what = "conforming" if conforms else "violating"
        self._send(
            client,
            Call("validate", what, "POST", "/validate", frozenset({200}), {},
                 {"Content-Type": TURTLE}, body, check),
        )  # fmt: skip

    def insert_data(self, client: httpx.Client) -> None:
        self.written += 1
        state = self.rng.choice(("KOR", "JPN", "PRK", "USA"))
        triple = Triple(
            iri(f"{ID}state/{state}"),
            iri(f"{SKOS}altLabel"),
            lang_literal(f"load test {self.name} {self.written}"),
        )
        response = self._send(
            client,
            Call("update", "insert-data", "POST", "/sparql", frozenset({201}), {},
                 {"Content-Type": "application/sparql-update"},
                 f"INSERT DATA {{ {triple.nt()} }}"),
        )  # fmt: skip
        if response is not None:
            self.ledger.write(response.json()["id"], (triple,))

    def ingest(self, client: httpx.Client) -> None:
        triples = self._next_ngo()
        params = {"source": SOURCE, "comment": f"load test, {self.name}"}
        response = self._send(
            client,
            Call("ingest", "ngo", "POST", "/changesets", frozenset({201}), params,
                 {"Content-Type": TURTLE}, turtle(triples)),
        )  # fmt: skip
        if response is not None:
            cs_id = response.json()["id"]
            self.ledger.write(cs_id, triples)
            self.own_ingests.append(cs_id)

    def revert(self, client: httpx.Client) -> None:
        if not self.own_ingests:
            self.ingest(client)
            return
        target = self.own_ingests.pop(self.rng.randrange(len(self.own_ingests)))
        response = self._send(
            client,
            Call("revert", "ingest", "POST", f"/changesets/{target}/revert", frozenset({201})),
        )
        if response is not None:
            self.ledger.revert(response.json()["id"], target)


def greedy(plan: Plan, connection: int, recorder: Recorder, segments: Segments) -> None:
    """One connection of the greedy client: queries back to back while its segment lasts.

    It connects anew for each greedy segment: a connection left idle through a calm segment may
    be closed by the server (its keep-alive timeout) just as the next request goes out.
    """
    n = connection * 1_000_000
    while not segments.stop.is_set():
        if not segments.greedy_on.wait(timeout=0.2):
            continue
        with httpx.Client(base_url=plan.base, timeout=plan.request_timeout) as client:
            while segments.greedy_on.is_set() and not segments.stop.is_set():
                n += 1
                call = Call(
                    "greedy", "hashes", "GET", "/sparql", frozenset({200, 429}),
                    {"query": greedy_query(n)}, {"Accept": "text/csv"},
                )  # fmt: skip
                response = send(client, recorder, segments, "greedy", call)
                if response is None or response.status_code == 429:
                    segments.stop.wait(plan.greedy_pause)


def probe(plan: Plan, recorder: Recorder, segments: Segments) -> None:
    """Readiness and metrics, asked throughout the run."""

    def ready(response: httpx.Response) -> str:
        return "" if response.json().get("status") == "ready" else f"not ready: {response.text}"

    readyz = Call("readyz", "readyz", "GET", "/readyz", frozenset({200}), check=ready)
    metrics = Call(
        "metrics", "metrics", "GET", "/metrics", frozenset({200}),
        check=_answer_check("text/plain", "kg_requests_total"),
    )  # fmt: skip
    with httpx.Client(base_url=plan.base, timeout=plan.request_timeout) as client:
        while not segments.stop.is_set():
            send(client, recorder, segments, "probe", readyz)
            send(client, recorder, segments, "probe", metrics)
            segments.stop.wait(plan.probe_every)


@dataclass
class Run:
    samples: list[Sample]
    ledger: Ledger
    duration: float
    plan: Plan


def run(plan: Plan) -> Run:
    """Run the plan's segments against the server; every thread has ended when this returns."""
    recorder, ledger, segments = Recorder(), Ledger(), Segments()
    threads = [
        threading.Thread(
            target=Curator(plan, name, i, recorder, ledger, segments).run, name=f"load-{name}"
        )
        for i, name in enumerate(sorted(plan.curators))
    ]
    threads += [
        threading.Thread(target=greedy, args=(plan, c, recorder, segments), name=f"greedy-{c}")
        for c in range(plan.greedy_connections)
    ]
    threads.append(threading.Thread(target=probe, args=(plan, recorder, segments), name="probe"))
    started = time.monotonic()
    for t in threads:
        t.start()
    try:
        for name, seconds in plan.segments:
            segments.current = name
            if name == "greedy":
                segments.greedy_on.set()
            else:
                segments.greedy_on.clear()
            segments.stop.wait(seconds)  # the schedule itself, not a synchronisation
    finally:
        segments.greedy_on.clear()
        segments.stop.set()
        # Each thread ends after its request in flight, which has a timeout.
        for t in threads:
            t.join(timeout=plan.request_timeout + 10)
    stuck = [t.name for t in threads if t.is_alive()]
    if stuck:
        raise AssertionError(f"load threads still running past their deadline: {stuck}")
    return Run(recorder.snapshot(), ledger, time.monotonic() - started, plan)


# -- after the run ---------------------------------------------------------------------------


def requests_counted(base: str, status: str | None = None, timeout: float = 30.0) -> float:
    """The server's count of answered requests (``kg_requests_total``), all or of one status."""
    text = httpx.get(f"{base}/metrics", timeout=timeout).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "kg_requests"
        for sample in family.samples
        if sample.name == "kg_requests_total"
        and (status is None or sample.labels.get("status") == status)
    )


def gauge(base: str, name: str, timeout: float = 30.0) -> float:
    """The value of the metric sample ``name`` (one without labels)."""
    text = httpx.get(f"{base}/metrics", timeout=timeout).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"no metric {name} in /metrics")


def present_triples(
    client: httpx.Client, triples: Iterable[Triple], chunk: int = 100
) -> set[Triple]:
    """Which of ``triples`` the store holds (in any graph), asked in chunks with VALUES."""
    wanted = sorted(triples, key=Triple.nt)
    found: set[Triple] = set()
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        rows = " ".join(f"({i} {t.nt()})" for i, t in enumerate(part))
        query = f"SELECT ?i WHERE {{ VALUES (?i ?s ?p ?o) {{ {rows} }} ?s ?p ?o }}"
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": SPARQL_QUERY, "Accept": "text/csv"}
        )
        assert response.status_code == 200, response.text
        found |= {part[int(line)] for line in response.text.split()[1:]}
    return found


def check_writes(base: str, token: str, ledger: Ledger) -> list[str]:
    """What is wrong with the acknowledged writes on the server at ``base`` (empty: nothing)."""
    problems: list[str] = []
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        present, absent = ledger.present(), ledger.absent()
        found = present_triples(client, present | absent)
        if missing := present - found:
            problems.append(
                f"{len(missing)} acknowledged triple(s) missing, e.g. {min(missing).nt()}"
            )
        if back := absent & found:
            problems.append(f"{len(back)} reverted triple(s) present, e.g. {min(back).nt()}")
        listed = client.get("/changesets")
        assert listed.status_code == 200, listed.text
        ids = {c["id"] for c in listed.json()["changesets"]}
        if unlisted := ledger.ids() - ids:
            problems.append(f"{len(unlisted)} acknowledged change set(s) not listed: {unlisted}")
    return problems


# -- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (``q`` in 0..1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(1, math.ceil(len(ordered) * q)) - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def slowdowns(samples: list[Sample]) -> dict[str, list[float]]:
    """The curators' reads per segment, each as its latency over the calm median of the same
    request (the same query or canned query with the same parameters), so that the mix of cheap
    and costly reads, which differs from segment to segment, does not move the percentiles."""
    reads = [s for s in samples if s.who.startswith("curator") and s.kind in READS and s.status]
    calm: dict[str, list[float]] = defaultdict(list)
    for s in reads:
        if s.segment == "calm":
            calm[s.what].append(s.seconds)
    baseline = {what: statistics.median(v) for what, v in calm.items() if len(v) >= 3}
    out: dict[str, list[float]] = {"calm": [], "greedy": []}
    for s in reads:
        if s.what in baseline:
            out[s.segment].append(s.seconds / baseline[s.what])
    return out


def peak_in_window(samples: list[Sample], window: float) -> float:
    """The most query time (by the client's clock) one curator spent within any ``window``."""
    peak = 0.0
    by_who: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if s.kind in READS and s.who.startswith("curator"):
            by_who[s.who].append(s)
    for mine in by_who.values():
        mine.sort(key=lambda s: s.started)
        total, first = 0.0, 0
        for s in mine:
            total += s.seconds
            while mine[first].started <= s.started - window:
                total -= mine[first].seconds
                first += 1
            peak = max(peak, total)
    return peak


def summary(result: Run, budget_window: float) -> dict[str, Any]:
    """The figures of a run, as plain JSON-able data."""
    samples = result.samples
    kinds: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        if s.status is not None:
            kinds[s.kind].append(s.seconds)
    per_kind = {
        kind: {
            "served": len(values),
            "p50_ms": _ms(percentile(values, 0.5)),
            "p99_ms": _ms(percentile(values, 0.99)),
            "max_ms": _ms(max(values)),
        }
        for kind, values in sorted(kinds.items())
    }
    reads = {
        seg: [
            s.seconds
            for s in samples
            if s.who.startswith("curator") and s.kind in READS and s.segment == seg and s.status
        ]
        for seg in ("calm", "greedy")
    }
    slow = slowdowns(samples)
    ratios = {
        # The middle read, each read over the calm median of the same request.
        "p50_greedy_over_calm": round(
            percentile(slow["greedy"], 0.5) / percentile(slow["calm"], 0.5), 2
        ),
        # The slowest reads, as they were.
        "p99_greedy_over_calm": round(
            percentile(reads["greedy"], 0.99) / percentile(reads["calm"], 0.99), 2
        ),
    }
    errors = [s for s in samples if s.error]
    refusals = Counter(s.limit or s.code for s in samples if s.status == 429)
    return {
        "duration_s": round(result.duration, 1),
        "segments": [f"{name} {seconds:g} s" for name, seconds in result.plan.segments],
        "curators": len(result.plan.curators),
        "greedy_connections": result.plan.greedy_connections,
        "requests_sent": len(samples),
        "requests_served": sum(1 for s in samples if s.status is not None),
        "per_kind": per_kind,
        "curator_reads_ms": {
            seg: {"n": len(v), "p50": _ms(percentile(v, 0.5)), "p99": _ms(percentile(v, 0.99))}
            for seg, v in reads.items()
        },
        "ratios": ratios,
        "statuses": dict(
            sorted(Counter(f"{s.who.split('-')[0]} {s.status}" for s in samples).items())
        ),
        "429_issued": sum(refusals.values()),
        "429_by_limit": dict(refusals),
        "acknowledged_writes": len(result.ledger.ids()),
        "reverted": result.ledger.reverted(),
        "curator_peak_query_seconds_per_window": round(peak_in_window(samples, budget_window), 2),
        "errors": len(errors),
        "first_errors": [
            f"{s.who} {s.kind} {s.what} [{s.segment}] after {s.seconds:.2f} s: {s.error}"
            for s in errors[:20]
        ],
    }


def sample_rows(samples: list[Sample]) -> list[dict[str, Any]]:
    """Every sample as a plain dict (for a JSON-lines dump)."""
    return [asdict(s) for s in samples]


# -- the server's settings for a run ----------------------------------------------------------

#: A curator who only checks the writes afterwards (its own budget, untouched by the load).
AUDITOR = ("auditor", "load-auditor-token-0123456789ab")


def curator_tokens(count: int) -> dict[str, str]:
    return {f"curator-{i}": f"load-curator-{i}-token-0123456789" for i in range(count)}


def server_env(
    curators: dict[str, str], budget_seconds: float, budget_window: float
) -> dict[str, str]:
    """``KG_*`` settings of the server under load: the default ones, but for the budget, and a
    cheap-query threshold of 2 s so that on a slow machine the greedy client's queries stay
    cheap ones (its budget alone then stands between it and the workers; a heavy query would
    meet the per-client limit of heavy evaluations first)."""
    tokens = [*curators.items(), AUDITOR]
    return {
        "KG_STORE": "embedded",
        "KG_WRITE_TOKENS": ",".join(f"{name}:{token}" for name, token in tokens),
        "KG_QUERY_WORKERS": "2",
        "KG_CLIENT_BUDGET_SECONDS": f"{budget_seconds:g}",
        "KG_CLIENT_BUDGET_WINDOW": f"{budget_window:g}",
        "KG_CHEAP_QUERY_SECONDS": "2",
    }


def markdown(figures: dict[str, Any]) -> str:
    """The figures of a run as Markdown (for a release note)."""
    lines = [
        "| request | served | p50 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, f in figures["per_kind"].items():
        lines.append(
            f"| {kind} | {f['served']} | {f['p50_ms']:g} | {f['p99_ms']:g} | {f['max_ms']:g} |"
        )
    reads = figures["curator_reads_ms"]
    ratios = figures["ratios"]
    by_limit = ", ".join(f"{n} {limit}" for limit, n in figures["429_by_limit"].items())
    lines += [
        "",
        "| figure | value |",
        "|---|---|",
        f"| duration | {figures['duration_s']:g} s ({len(figures['segments'])} segments) |",
        f"| clients | {figures['curators']} curators, 1 greedy client on "
        f"{figures['greedy_connections']} connections, 1 probe |",
        f"| requests served | {figures['requests_served']} of {figures['requests_sent']} |",
        f"| errors | {figures['errors']} |",
        f"| the greedy client | {figures['statuses'].get('greedy 200', 0)} queries answered, "
        f"{figures['statuses'].get('greedy 429', 0)} refused with 429 |",
        f"| 429 issued | {figures['429_issued']} ({by_limit or 'none'}) |",
        f"| acknowledged writes | {figures['acknowledged_writes']} "
        f"({figures['reverted']} reverted) |",
        f"| curators' reads, calm | p50 {reads['calm']['p50']:g} ms, "
        f"p99 {reads['calm']['p99']:g} ms (n={reads['calm']['n']}) |",
        f"| curators' reads, greedy client about | p50 {reads['greedy']['p50']:g} ms, "
        f"p99 {reads['greedy']['p99']:g} ms (n={reads['greedy']['n']}) |",
        f"| p50 ratio (per request) / p99 ratio | {ratios['p50_greedy_over_calm']:g} / "
        f"{ratios['p99_greedy_over_calm']:g} |",
    ]
    return "\n".join(lines)
