"""Curators in public: by name, or by a stable pseudonym (KG_CURATOR_IDENTITY).

The expected pseudonym is computed here from the documented formula (``curator-`` and the first
16 hex digits of HMAC-SHA256 of ``"unhr-kg curator {name}"`` keyed by KG_PSEUDONYM_SECRET), not
taken from the server.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.support import GRAPH, ID

from kg.api.app import create_app
from kg.settings import Settings
from kg.startup import prepare_store

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdefgh"
ROOT = "root-admin-token-0123456789abc"
SECRET = "pseudonym-secret-0123456789abcdefghij"
OTHER_SECRET = "another-secret-0123456789abcdefghijkl"
TURTLE = {"Content-Type": "text/turtle"}
DOC = (
    "<https://w3id.org/unhr/id/org/ngo/{name}> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en .\n'
)
ATTRIBUTIONS = f"""SELECT ?cs ?who WHERE {{ GRAPH <{GRAPH}metadata> {{
  ?cs <http://www.w3.org/ns/prov#wasAssociatedWith> ?who }} }}"""


def pseudonym(name: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"unhr-kg curator {name}".encode(), hashlib.sha256)
    return "curator-" + digest.hexdigest()[:16]


def settings_for(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "store": "embedded",
        "write_tokens": f"alice:{ALICE},bob:{BOB}",
        "admin_tokens": f"root:{ROOT}",
    }
    values.update(overrides)
    return make_settings(root, **values)


def ingest(client: TestClient, token: str, name: str) -> dict[str, str]:
    response = client.post(
        "/changesets",
        content=DOC.format(name=name),
        headers={**TURTLE, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def curators(client: TestClient) -> dict[str, str]:
    return {c["id"]: c["curator"] for c in client.get("/changesets").json()["changesets"]}


def test_pseudonyms_replace_names_in_every_public_view(
    mini_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(mini_root, curator_identity="pseudonym", pseudonym_secret=SECRET)
    store = prepare_store(settings, progress=False)
    try:
        with (
            caplog.at_level(logging.INFO, logger="kg.access"),
            TestClient(create_app(settings, store), raise_server_exceptions=False) as client,
        ):
            written = ingest(client, ALICE, "pseudonymous-ngo")
            assert written["curator"] == pseudonym("alice")
            assert curators(client) == {written["id"]: pseudonym("alice")}
            rows = client.get(
                "/sparql", params={"query": ATTRIBUTIONS}, headers={"Accept": "text/csv"}
            ).text
            assert f"{ID}curator/{pseudonym('alice')}" in rows
            redacted = client.post(
                f"/changesets/{written['id']}/redact",
                params={"reason": "test"},
                headers={"Authorization": f"Bearer {ROOT}"},
            )
            assert redacted.status_code == 201, redacted.text
            assert redacted.json()["curator"] == pseudonym("root")
            listing = client.get("/changesets")
            metadata = client.get(
                "/graph-store",
                params={"graph": f"{GRAPH}metadata"},
                headers={"Accept": "application/n-triples"},
            )
            for view in (listing.text, metadata.text):
                assert "curator/alice" not in view and '"alice"' not in view
                assert "curator/root" not in view and '"root"' not in view
            assert pseudonym("root") in listing.text and pseudonym("root") in metadata.text
        lines = [r for r in caplog.records if r.name == "kg.access"]
        clients = {r.fields["client"] for r in lines if "curator" in r.fields["client"]}  # type: ignore[attr-defined]
        assert clients == {f"curator:{pseudonym('alice')}", f"curator:{pseudonym('root')}"}
        assert not any("alice" in str(r.fields) for r in lines)  # type: ignore[attr-defined]
    finally:
        store.close()


def test_pseudonyms_are_stable_across_restarts_and_follow_the_setting(mini_root: Path) -> None:
    """Each phase is a restart on the same data folder with another setting."""

    def phase(**overrides: object) -> dict[str, str]:
        settings = settings_for(mini_root, **overrides)
        store = prepare_store(settings, progress=False)
        try:
            with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
                if not written:
                    written["alice"] = ingest(client, ALICE, "named-ngo")["id"]
                if len(written) == 1 and overrides:
                    written["bob"] = ingest(client, BOB, "pseudonymous-ngo")["id"]
                return curators(client)
        finally:
            store.close()

    written: dict[str, str] = {}
    by_name = phase()
    assert by_name == {written["alice"]: "alice"}
    first = phase(curator_identity="pseudonym", pseudonym_secret=SECRET)
    assert first == {written["alice"]: pseudonym("alice"), written["bob"]: pseudonym("bob")}
    assert phase(curator_identity="pseudonym", pseudonym_secret=SECRET) == first
    other = phase(curator_identity="pseudonym", pseudonym_secret=OTHER_SECRET)
    assert other == {
        written["alice"]: pseudonym("alice", OTHER_SECRET),
        written["bob"]: pseudonym("bob", OTHER_SECRET),
    }
    assert set(other.values()).isdisjoint(first.values())
    # Back to names: the journal kept who wrote, the public views show it again.
    assert phase() == {written["alice"]: "alice", written["bob"]: "bob"}


def test_pseudonyms_need_a_secret() -> None:
    with pytest.raises(ValueError, match="pseudonym_secret of 32"):
        Settings(curator_identity="pseudonym", pseudonym_secret="short")
