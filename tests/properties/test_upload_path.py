"""Property: whatever bytes an upload carries, in whatever Content-Type, the answer is a 2xx or
an error the document lists for the route (in the one error shape), never a 5xx, and the store
is unchanged.

The bodies are arbitrary bytes, and valid documents in every syntax the server reads, mutated:
syntax-significant fragments inserted, slices deleted, duplicated or cut off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.api.app import create_app
from kg.api.errors import ErrorBody
from kg.curation.uploads import ParseUpload
from kg.errors import KgError
from kg.startup import prepare_store
from kg.store.base import Store
from kg.terms import DEFAULT_GRAPH, URIRef
from tests.api.test_curation import GOOD
from tests.conftest import make_settings
from tests.support import copy_mini

SETTINGS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
INTO = "urn:x-test:upload"

TURTLE = (
    GOOD.encode()
    + b"""@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:list ( 1 2.5 "three"@en ) ; ex:node [ ex:p "x\\"y" ] ; ex:date "2014-12-18"^^xsd:date .
"""
)
NTRIPLES = b"""<http://example.org/a> <http://example.org/p> "caf\\u00E9\\n" .
_:b <http://example.org/p> <http://example.org/a> .
"""
NQUADS = b'<http://example.org/a> <http://example.org/p> "o" <http://example.org/g> .\n'
TRIG = b"""@prefix ex: <http://example.org/> .
ex:g { ex:a ex:p "o" . } { ex:b ex:p 1 . }
"""
JSONLD = b"""{"@context": {"ex": "http://example.org/", "p": {"@id": "ex:p", "@type": "@id"}},
 "@graph": [{"@id": "ex:a", "p": "ex:b", "ex:q": [{"@value": "x", "@language": "en"}]}]}"""
RDFXML = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>o</ex:p>
    <ex:q rdf:resource="http://example.org/b"/></rdf:Description>
</rdf:RDF>"""
#: Every Content-Type an upload may have, with a valid document in its syntax.
DOCUMENTS = {
    "text/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "application/n-triples": NTRIPLES,
    "application/n-quads": NQUADS,
    "application/trig": TRIG,
    "application/ld+json": JSONLD,
    "application/rdf+xml": RDFXML,
    "application/xml": RDFXML,
    "text/xml": RDFXML,
}
SYNTAX = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}
FRAGMENTS = [
    b"<",
    b">",
    b'"',
    b"'",
    b'"""',
    b"{",
    b"}",
    b"[",
    b"]",
    b"(",
    b")",
    b".",
    b";",
    b",",
    b"\\",
    b"\\u0000",
    b"\\U0010FFFF",
    b"\x00",
    b"\xff\xfe",
    b"\xc3",
    b"@prefix",
    b"@base <rel/> .",
    b"_:",
    b"<<",
    b">>",
    b"^^",
    b"@en-",
    b"#",
    b"\n",
    b"<file:///etc/passwd>",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"&e;",
    b'"@context": "http://127.0.0.1:9/context.jsonld",',
    b'{"@context": "http://127.0.0.1:9/context.jsonld"}',
    b"[" * 40,
    b"9" * 400,
]


@st.composite
def mutated(draw: st.DrawFn, document: bytes) -> bytes:
    data = bytearray(document)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "cut", "replace"]))
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        piece = draw(st.sampled_from(FRAGMENTS) | st.binary(min_size=1, max_size=6))
        if op == "insert":
            data[start:start] = piece
        elif op == "delete":
            del data[start:end]
        elif op == "duplicate":
            data[end:end] = data[start:end]
        elif op == "cut":
            del data[start:]
        else:
            data[start:end] = piece
    return bytes(data)


@st.composite
def uploads(draw: st.DrawFn) -> tuple[str, bytes]:
    media_type = draw(st.sampled_from(sorted(DOCUMENTS)), label="content type")
    body = draw(st.one_of(st.binary(max_size=300), mutated(DOCUMENTS[media_type])), label="body")
    return media_type, body


@settings(SETTINGS, max_examples=300)
@given(upload=uploads())
def test_a_parse_gives_quads_or_a_client_error(upload: tuple[str, bytes]) -> None:
    """The parse itself (nesting pre-scan, then the parser), as a worker runs it."""
    media_type, body = upload
    job = ParseUpload(body, SYNTAX[media_type], INTO, max_triples=500, max_nesting=32)
    try:
        quads = job.run(ctx=None)  # type: ignore[arg-type]  # the parse reads no store
    except KgError as exc:
        event(f"refused {exc.status}")
        assert exc.status in (400, 413), exc
        return
    event("parsed")
    assert all(q.g != DEFAULT_GRAPH for q in quads)
    if SYNTAX[media_type] in ("turtle", "ntriples", "rdfxml"):
        assert {q.g for q in quads} <= {URIRef(INTO)}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path
) -> Iterator[tuple[TestClient, Store]]:
    """The mini graph with this repository's ontology and shapes, so that SHACL really runs."""
    import shutil

    root = copy_mini(tmp_path_factory.mktemp("uploads") / "repo")
    for folder in ("ontology", "shapes"):
        shutil.copytree(repo_root / folder, root / folder, dirs_exist_ok=True)
    app_settings = make_settings(root, max_nesting=32)
    store = prepare_store(app_settings, progress=False)
    try:
        with TestClient(create_app(app_settings, store), raise_server_exceptions=False) as c:
            yield c, store
    finally:
        store.close()


def documented(client: TestClient, path: str) -> set[int]:
    spec: dict[str, Any] = client.app.openapi()  # type: ignore[attr-defined]
    return {int(status) for status in spec["paths"][path]["post"]["responses"]}


def multipart(parts: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = "kg-test-boundary-4b1d"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"; filename="f{i}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
        for i, (media_type, content) in enumerate(parts)
    )
    return f"multipart/form-data; boundary={boundary}", body + f"--{boundary}--\r\n".encode()


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["document", "multipart", "other type"]), label="kind")
    if kind == "document":
        return draw(uploads())
    if kind == "multipart":
        return multipart(draw(st.lists(uploads(), min_size=1, max_size=3)))
    header_text = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
    media_type = draw(
        st.sampled_from(["", "application/json", "text/plain", "application/octet-stream"])
        | st.text(header_text, max_size=20).map(str.strip)
    )
    return media_type, draw(st.binary(max_size=100) | mutated(TURTLE))


@settings(SETTINGS, max_examples=100)
@given(request=requests())
def test_validate_answers_a_2xx_or_a_documented_error_and_never_writes(
    served: tuple[TestClient, Store], request: tuple[str, bytes]
) -> None:
    client, store = served
    before = store.describe()
    media_type, body = request
    headers = {"Content-Type": media_type.encode("latin-1")} if media_type else {}
    answer = client.post("/validate", content=body, headers=headers)
    event(f"status {answer.status_code}")
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.status_code in documented(client, "/validate"), answer.text
        assert ErrorBody.model_validate(answer.json()).error.status == answer.status_code
    else:
        assert answer.status_code == 200
        assert isinstance(answer.json()["conforms"], bool)
    after = store.describe()
    assert (after.version, after.triples) == (before.version, before.triples)
