"""The redaction test: personal data written, reverted, copied, then redacted, on a real server.

A curator ingests a made-up witness's name and the place she was last seen (one blank node);
another copies the name into a graph of his own; the first change set is reverted; an
administrator redacts it with ``kg redact``. Then, on that server and on a restarted one: the
name, the place and the witness's IRI appear nowhere (any graph through ``/sparql``, the metadata
graph, every Graph Store dump, ``/changesets``, every file of the data folder, the server's log),
the audit record does, and the other change sets are intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.server import server
from tests.support import GRAPH, ID

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdefgh"
ROOT = "root-admin-token-0123456789abc"
ENV = {
    "KG_WRITE_TOKENS": f"alice:{ALICE},bob:{BOB}",
    "KG_ADMIN_TOKENS": f"root:{ROOT}",
    "KG_STORE": "embedded",
    "KG_QUERY_WORKERS": "2",
}
PREFIXES = """@prefix unhr: <https://w3id.org/unhr/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
WITNESS = f"{ID}person/witness-zq"
SOURCE = f"{ID}source/nkhr-un-advocacy"
PERSONAL = (
    PREFIXES
    + f"""<{WITNESS}> a unhr:Person ; rdfs:label "Zephyrine Quillbottom"@en ;
  dcterms:source <{SOURCE}> ;
  <https://example.org/lastSeenAt> [ rdfs:label "Yellowmarsh Ferry Landing"@en ] .
"""
)
UNRELATED = (
    PREFIXES
    + f"""<{ID}org/ngo/intact-ngo> a unhr:NGO ; rdfs:label "Intact NGO"@en ;
  dcterms:source <{SOURCE}> .
"""
)
COPY_GRAPH = "https://example.org/graph/bobs-notes"
COPY = (
    PREFIXES
    + f"""<{WITNESS}> rdfs:label "Zephyrine Quillbottom"@en .
<{ID}org/ngo/copy-ngo> a unhr:NGO ; rdfs:label "Copy NGO"@en ; dcterms:source <{SOURCE}> .
"""
)
#: What must appear nowhere after the redaction.
SECRETS = ("Zephyrine", "Quillbottom", "Yellowmarsh", "witness-zq")
REASON = "a witness's identity and whereabouts must not be published"
EVERYTHING = "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
#: The state a restart must give back: every graph but the two the server rebuilds at every
#: start (the canned-query catalogue, the metadata graph's load records), and the metadata
#: graph's description of change sets.
STATE = f"""SELECT ?g ?s ?p ?o WHERE {{
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{GRAPH}metadata>, <{GRAPH}queries>)) }}
  UNION {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{GRAPH}metadata>
           && STRSTARTS(STR(?s), "{ID}changeset/")) }} }}"""


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csv(client: httpx.Client, query: str) -> str:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return response.text


def assert_secret_free(text: str, where: str) -> None:
    found = [s for s in SECRETS if s in text]
    assert not found, f"{where} still shows {found}"


def write(client: httpx.Client) -> dict[str, str]:
    """The history: W (unrelated), X (personal), Z (a copy of one of X's triples), Y (revert X).

    Returns the ids, and X's text as the metadata graph held it (what a holder of the original
    has)."""
    turtle = {"Content-Type": "text/turtle"}
    w = client.post(
        "/changesets",
        content=UNRELATED,
        headers={**turtle, **auth(BOB)},
        params={"comment": "an unrelated NGO"},
    )
    assert w.status_code == 201, w.text
    x = client.post(
        "/changesets",
        content=PERSONAL,
        headers={**turtle, **auth(ALICE)},
        params={"comment": "statement of Zephyrine Quillbottom"},
    )
    assert x.status_code == 201, x.text
    z = client.put(
        "/graph-store", params={"graph": COPY_GRAPH}, content=COPY, headers={**turtle, **auth(BOB)}
    )
    assert z.status_code == 201, z.text
    y = client.post(f"/changesets/{x.json()['id']}/revert", headers=auth(ALICE))
    assert y.status_code == 201, y.text
    original = client.get(
        "/sparql",
        params={
            "query": f"SELECT ?t WHERE {{ GRAPH <{GRAPH}metadata> {{ "
            f"<{ID}changeset/{x.json()['id']}> <https://w3id.org/unhr/ontology#addedQuads> ?t }} }}"
        },
    ).json()["results"]["bindings"][0]["t"]["value"]
    assert "Zephyrine Quillbottom" in original and "Yellowmarsh" in original
    # Before the redaction, the name is public: in the metadata graph and in Bob's graph.
    assert "Zephyrine" in csv(client, EVERYTHING)
    return {
        "w": w.json()["id"],
        "x": x.json()["id"],
        "z": z.json()["id"],
        "y": y.json()["id"],
        "original": original,
    }


def check_redacted(client: httpx.Client, ids: dict[str, str], data_dir: Path) -> dict[str, Any]:
    """Everything the redaction promises; returns /changesets for comparison after a restart."""
    x, y, z, w = ids["x"], ids["y"], ids["z"], ids["w"]
    # Every graph, through /sparql.
    assert_secret_free(csv(client, EVERYTHING), "/sparql")
    # Every graph, through the Graph Store Protocol (the metadata graph included).
    graphs = csv(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").split()[1:]
    assert f"{GRAPH}metadata" in graphs and COPY_GRAPH in graphs
    assert f"{GRAPH}changeset/{x}" not in graphs  # it held nothing but the content
    for graph in graphs:
        dump = client.get(
            "/graph-store", params={"graph": graph}, headers={"Accept": "text/turtle"}
        )
        assert dump.status_code == 200, dump.text
        assert_secret_free(dump.text, f"the Graph Store dump of <{graph}>")
    default = client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert_secret_free(default.text, "the Graph Store dump of the default graph")
    # The change sets, listed and one by one.
    listing = client.get("/changesets")
    assert_secret_free(listing.text, "/changesets")
    items = {c["id"]: c for c in listing.json()["changesets"]}
    redaction = next(c for c in items.values() if c["kind"] == "redact")
    for cs_id in [*items]:
        one = client.get(f"/changesets/{cs_id}")
        assert one.status_code == 200
        assert_secret_free(one.text, f"/changesets/{cs_id}")
    # The audit record: who, when, why, what, and digests, for X and every record it touched.
    assert redaction["curator"] == "root" and redaction["reason"] == REASON
    assert redaction["redacts"] == x
    touched = {r["id"]: r for r in redaction["redacted_from"]}
    assert set(touched) == {x, y, z}
    assert touched[x]["triples_redacted"] == 5  # type, name, source, place link, place name
    assert touched[y]["triples_redacted"] == 5  # the revert removed the same five
    assert touched[z]["triples_redacted"] == 1  # Bob's copy of the name
    assert items[x]["redacted"] is True
    assert items[x]["redactions"][0]["by"] == redaction["id"]
    assert items[x]["redactions"][0]["reason"] == REASON
    assert items[x]["redactions"][0]["curator"] == "root"
    metadata = csv(
        client,
        f"SELECT ?r ?why ?digest WHERE {{ GRAPH <{GRAPH}metadata> {{ "
        f"?r <https://w3id.org/unhr/ontology#redacts> <{ID}changeset/{x}> ; "
        f"<http://www.w3.org/2000/01/rdf-schema#comment> ?why ; "
        f"<https://w3id.org/unhr/ontology#redactionOf> ?part . "
        f"?part <https://w3id.org/unhr/ontology#changeSet> <{ID}changeset/{x}> ; "
        f"<https://w3id.org/unhr/ontology#addedQuadsDigest> ?digest }} }}",
    )
    assert REASON in metadata and touched[x]["added_digest"] in metadata
    # The other change sets are intact: W whole, Z's other content, every attribution.
    assert items[w]["comment"] == "an unrelated NGO" and "redactions" not in items[w]
    assert [items[i]["curator"] for i in (w, x, z, y)] == ["bob", "alice", "bob", "alice"]
    kept = csv(
        client,
        "SELECT ?ngo WHERE { ?ngo <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(?l IN ("Intact NGO"@en, "Copy NGO"@en)) }',
    )
    assert f"{ID}org/ngo/intact-ngo" in kept and f"{ID}org/ngo/copy-ngo" in kept
    # Every file of the data folder (the journal, its head, anything else).
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "journal.jsonl" for p in files)
    for path in files:
        data = path.read_bytes()
        leaked = [s for s in SECRETS if s.encode() in data]
        assert not leaked, f"{path} still holds {leaked}"
    return listing.json()


def test_redaction_removes_the_content_everywhere_and_survives_a_restart(
    mini_root: Path, repo_root: Path, tmp_path: Path
) -> None:
    shutil.copytree(repo_root / "ontology", mini_root / "ontology", dirs_exist_ok=True)
    shutil.copytree(repo_root / "shapes", mini_root / "shapes", dirs_exist_ok=True)
    shutil.copy(repo_root / "data" / "source-documents.ttl", mini_root / "data")
    data_dir = tmp_path / "var"

    with server(mini_root, data_dir, **ENV) as (_, port):
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            ids = write(client)
            assert b"Zephyrine" in (data_dir / "journal.jsonl").read_bytes()
            forbidden = client.post(
                f"/changesets/{ids['x']}/redact", params={"reason": REASON}, headers=auth(ALICE)
            )
            assert forbidden.status_code == 403
            # The operator's way: kg redact, with an administrator's token.
            done = subprocess.run(
                [sys.executable, "-m", "kg", "redact", ids["x"], "--reason", REASON],
                env={**os.environ, "KG_TOKEN": ROOT, "KG_PUBLIC_URL": base},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            audit = json.loads(done.stdout)
            assert audit["redacts"] == ids["x"] and audit["quads_removed"] == 1
            # A holder of the original text can prove what was redacted (with the key).
            key = bytes.fromhex(audit["digest_key"])
            proof = hmac.new(key, ids["original"].encode(), hashlib.sha256).hexdigest()
            x_part = next(p for p in audit["redacted_from"] if p["id"] == ids["x"])
            assert x_part["added_digest"] == f"hmac-sha256:{proof}"
            again = client.post(
                f"/changesets/{ids['x']}/redact", params={"reason": REASON}, headers=auth(ROOT)
            )
            assert again.status_code == 409
            missing = client.post(
                "/changesets/cs-20000101T000000Z-000000/redact",
                params={"reason": REASON},
                headers=auth(ROOT),
            )
            assert missing.status_code == 404
            before = check_redacted(client, ids, data_dir)
            state = sorted(csv(client, STATE).splitlines())

    with (
        server(mini_root, data_dir, **ENV) as (_, port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
    ):
        after = check_redacted(client, ids, data_dir)
        assert after == before
        assert sorted(csv(client, STATE).splitlines()) == state
        # Writing goes on after a redaction, and the journal keeps it.
        more = client.post(
            "/changesets",
            content=UNRELATED.replace("intact-ngo", "later-ngo"),
            headers={"Content-Type": "text/turtle", **auth(BOB)},
        )
        assert more.status_code == 201, more.text

    with (
        server(mini_root, data_dir, **ENV) as (_, port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client,
    ):
        ids_now = {c["id"] for c in client.get("/changesets").json()["changesets"]}
        assert more.json()["id"] in ids_now and len(ids_now) == len(before["changesets"]) + 1
        assert_secret_free(csv(client, EVERYTHING), "/sparql after a later write")
    for log in tmp_path.glob("server-*.log"):
        assert_secret_free(log.read_text(errors="replace"), f"the server log {log.name}")
