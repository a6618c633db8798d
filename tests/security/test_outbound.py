"""The pre-check and the algebra against the engine itself: Oxigraph, a listener, and spellings.

For each text, Oxigraph runs it for real (in this test process, on an empty store) against a
listener that records contacts. Whatever Oxigraph does, the policy must be at least as strict:

- when :func:`may_reach_out` says False, Oxigraph made no contact;
- when Oxigraph made a contact, the policy (with nothing allowlisted) refuses the text.

The texts combine the keyword (in several cases) with what may stand before and after it:
numbers, booleans, literals, variables, prefixed names, comments ending at ``\\n`` or ``\\r``,
and nothing at all (Oxigraph does not require a keyword to be separated from its neighbours).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.errors import Forbidden
from kg.sparql.outbound import may_reach_out
from kg.sparql.policy import Policy
from tests.security.listener import Listener

BEFORE = ["", " ", "1", "1.0", "true", '"x"', "'x'@en", "?v", "$v", "ex:a", "_:b", "a", "\n#c\r"]
AFTER = ["", " ", "\t", "SILENT ", "SILENT", "\n"]
KEYWORDS = ["SERVICE", "service", "SeRvIcE"]


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as running:
        yield running


def contacted(store: ox.Store, listener: Listener, text: str, *, update: bool = False) -> bool:
    before = listener.connections
    try:
        if update:
            store.update(text)
        else:
            list(store.query(text))  # type: ignore[arg-type]
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    # A contact is counted when the listener accepts, before Oxigraph's call returns.
    return listener.connections > before


def refused(text: str, *, update: bool = False) -> bool:
    try:
        if update:
            Policy().check_update(text)
        else:
            Policy().read_query(text, known_graphs=frozenset)
    except Forbidden:
        return True
    return False


def test_every_spelling_that_makes_oxigraph_call_out_is_refused(listener: Listener) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(1)))
    endpoint = f"<{listener.url('/probe')}>"
    prologue = "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ?o "
    texts = [
        f"{prologue}{before}{keyword}{after}{endpoint} {{}} }}"
        for before, keyword, after in itertools.product(BEFORE, KEYWORDS, AFTER)
    ]
    called = 0
    for text in texts:
        if contacted(store, listener, text):
            called += 1
            assert may_reach_out(text), text
            assert refused(text), text
    # The corpus does reach the engine's SERVICE in many spellings (else it proves nothing).
    assert called >= 40


@pytest.mark.parametrize(
    "template",
    [
        "LOAD {e}",
        "LOAD SILENT {e}",
        "LOADSILENT{e}",
        "load{e}",
        "INSERT DATA {{ <a:a> <a:b> 1 }};LOAD {e}",
        "INSERT DATA {{ <a:a> <a:b> 1 }};\n#c\rLOAD {e}",
        "INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }}",
    ],
)
def test_every_update_that_makes_oxigraph_fetch_is_refused(
    listener: Listener, template: str
) -> None:
    text = template.format(e=f"<{listener.url('/load')}>")
    assert contacted(ox.Store(), listener, text, update=True), "the probe reaches nothing"
    assert may_reach_out(text)
    assert refused(text, update=True)


def test_from_never_makes_oxigraph_fetch(listener: Listener) -> None:
    """FROM and FROM NAMED only select graphs: refusing unknown ones is for clarity."""
    store = ox.Store()
    for text in (
        f"SELECT * FROM <{listener.url('/from')}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url('/named')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ):
        assert not contacted(store, listener, text)
        assert list(store.query(text)) == []  # type: ignore[arg-type]
