"""``kg load --dataset`` end to end: through the CLI, into a running server that keeps it across
restarts, and the canned queries answering over a roll call outside the DPRK subset.

The slices of ``tests/fixtures/history`` stand in for the data sets; expected values are counted
here from their CSV rows (and from ``data/votes/csv/dprk_votes_by_state.csv`` for the DPRK
roll calls already in the graph).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.server import server
from typer.testing import CliRunner

from kg.cli import app
from kg.importers.history.cache import convert, read_record

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "history"
GA_IN = FIXTURES / "unvotes"
ID = "https://w3id.org/unhr/id/"
GRAPH = "https://w3id.org/unhr/graph/"

runner = CliRunner()


def test_kg_load_dataset_through_the_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {"KG_ROOT": str(ROOT), "KG_DATA_DIR": str(data_dir), "KG_STORE": "memory"}
    args = ["load", "--dataset", "ga-votes", "--input", str(GA_IN)]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    record = read_record(data_dir, "ga-votes")
    assert record is not None
    assert "converted ga-votes" in first.output
    assert f"loaded    data set ga-votes ({record.triples} triples)" in first.output
    assert record.rows == {"roll_calls.csv": 7, "issues.csv": 4, "unvotes.csv": 962}
    # The same input again: the conversion is reused, and the data set still loads.
    second = runner.invoke(app, args, env=env)
    assert second.exit_code == 0, second.output
    assert "cached    ga-votes" in second.output
    assert f"loaded    data set ga-votes ({record.triples} triples)" in second.output
    # A plain `kg load` loads what is recorded.
    plain = runner.invoke(app, ["load"], env=env)
    assert f"loaded    data set ga-votes ({record.triples} triples)" in plain.output
    listed = runner.invoke(app, ["datasets"], env=env)
    assert "ga-votes" in listed.output and "recorded" in listed.output
    removed = runner.invoke(app, ["load", "--remove-dataset", "ga-votes"], env=env)
    assert removed.exit_code == 0 and "removed" in removed.output
    assert read_record(data_dir, "ga-votes") is None
    assert "data set ga-votes" not in removed.output


def test_kg_load_dataset_errors_are_actionable(tmp_path: Path) -> None:
    env = {"KG_ROOT": str(ROOT), "KG_DATA_DIR": str(tmp_path / "var"), "KG_STORE": "memory"}
    unknown = runner.invoke(app, ["load", "--dataset", "nope"], env=env)
    assert unknown.exit_code == 1 and "ga-votes" in unknown.output
    missing = runner.invoke(
        app, ["load", "--dataset", "ga-votes", "--input", str(tmp_path)], env=env
    )
    assert missing.exit_code == 1 and "--input" in missing.output


# -- a server with the three slices recorded -------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("history") / "var"
    for name, folder in (
        ("ga-votes", "unvotes"),
        ("sc-votes", "unsc-voting"),
        ("hrc-votes", "unhrc-votes"),
    ):
        convert(name, FIXTURES / folder, ROOT, base, progress=False)
    return base


@pytest.fixture(scope="module")
def base_url(data_dir: Path) -> Iterator[str]:
    with server(ROOT, data_dir, KG_CLIENT_BUDGET_SECONDS="100000") as (_proc, port):
        yield f"http://127.0.0.1:{port}"


def select(base: str, query: str) -> list[dict[str, str]]:
    response = httpx.post(
        f"{base}/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def canned(base: str, name: str, **params: str) -> list[dict[str, str]]:
    response = httpx.get(
        f"{base}/queries/{name}", params=params, headers={"Accept": "text/csv"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def graph_size(base: str, name: str) -> int:
    rows = select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}{name}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"])


def test_the_data_sets_load_at_start_with_their_provenance(base_url: str, data_dir: Path) -> None:
    for name in ("ga-votes", "sc-votes", "hrc-votes"):
        record = read_record(data_dir, name)
        assert record is not None
        assert graph_size(base_url, name) == record.triples
    rows = select(
        base_url,
        f"""PREFIX unhr: <https://w3id.org/unhr/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?hash ?rows ?source ?licence WHERE {{
          GRAPH <{GRAPH}metadata> {{
            <{GRAPH}ga-votes> unhr:contentHash ?hash ; unhr:sourceRows ?rows ;
                prov:wasDerivedFrom ?source ; dcterms:license ?licence }} }}""",
    )
    record = read_record(data_dir, "ga-votes")
    assert record is not None
    assert {r["hash"] for r in rows} == {record.sha256}
    assert {int(r["rows"]) for r in rows} == {7 + 962 + 4}
    assert {r["source"] for r in rows} == {ID + "dataset/unvotes"}
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in {r["licence"] for r in rows}


def _ga_votes(rcid: str) -> dict[str, str]:
    """Country name (as the data set writes it) → vote, for one roll call of the slice."""
    with (GA_IN / "unvotes.csv").open(newline="", encoding="utf-8") as f:
        return {r["country"]: r["vote"] for r in csv.DictReader(f) if r["rcid"] == rcid}


def test_vote_tallies_over_a_roll_call_outside_the_dprk_subset(base_url: str) -> None:
    rows = canned(base_url, "vote-tallies", year="1975", body=ID + "org/unga")
    assert len(rows) == 2  # 3390 A and B (XXX), the Korean question
    for rcid in ("1589", "1590"):
        counted = Counter(_ga_votes(rcid).values())
        row = next(
            r for r in rows if (counted["yes"], counted["no"]) == (int(r["yes"]), int(r["no"]))
        )
        assert int(row["abstain"]) == counted["abstain"]
        assert (int(row["counted_yes"]), int(row["counted_no"])) == (counted["yes"], counted["no"])
        assert row["symbol"] == "A/RES/3390(XXX)"
        assert row["date"] == "1975-11"


def test_state_votes_over_a_roll_call_outside_the_dprk_subset(base_url: str) -> None:
    rows = canned(base_url, "state-votes", state=ID + "state/USA")
    korea = [r for r in rows if r["date"] == "1975-11"]
    expected = sorted(_ga_votes(rcid)["United States"] for rcid in ("1589", "1590"))
    assert sorted(r["vote"] for r in korea) == expected
    assert {r["document"] for r in korea} == {ID + "doc/A/RES/3390(XXX)"}


def _positions() -> dict[str, dict[str, str]]:
    """Vote event → ISO alpha-3 → position, for the GA roll calls on documents concerning the
    DPRK: the DPRK subset (data/votes/csv) and the slice's Korean-question roll calls."""
    out: dict[str, dict[str, str]] = {}
    with (ROOT / "data" / "votes" / "csv" / "dprk_votes_by_state.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["symbol"].startswith("A/RES/") and r["vote"] in ("yes", "no", "abstain"):
                out.setdefault(r["symbol"] + r["date"], {})[r["iso3"]] = r["vote"]
    iso = {
        "United States": "USA",
        "United Kingdom": "GBR",
        "China": "CHN",
        "Russia": "SUN",
        "France": "FRA",
    }
    for rcid in ("1589", "1590"):
        out[rcid] = {iso[c]: v for c, v in _ga_votes(rcid).items() if c in iso}
    return out


def test_closest_voters_counts_the_whole_history(base_url: str) -> None:
    rows = {
        r["other"]: r
        for r in canned(base_url, "closest-voters", state=ID + "state/USA", body=ID + "org/unga")
    }
    positions = _positions()
    for other in ("GBR", "CHN", "SUN", "FRA"):
        both = [p for p in positions.values() if "USA" in p and other in p]
        identical = sum(1 for p in both if p["USA"] == p[other])
        row = rows[ID + f"state/{other}"]
        assert (int(row["votes_both"]), int(row["identical"])) == (len(both), identical), other
    # The USSR voted only on the Korean question roll calls of 1975 in this graph.
    assert int(rows[ID + "state/SUN"]["votes_both"]) == 2


def test_a_restart_keeps_the_data_sets(base_url: str, data_dir: Path) -> None:
    record = read_record(data_dir, "ga-votes")
    assert record is not None
    manifest = json.loads((data_dir / "datasets" / "ga-votes.json").read_text("utf-8"))
    assert manifest["sha256"] == record.sha256
    with server(ROOT, data_dir) as (_proc, port):
        assert graph_size(f"http://127.0.0.1:{port}", "ga-votes") == record.triples


def test_a_reload_of_the_files_keeps_a_recorded_data_set(tmp_path: Path) -> None:
    from tests.conftest import make_settings
    from tests.support import copy_mini

    from kg.bootstrap import load_all, load_datasets
    from kg.store import open_store

    root = copy_mini(tmp_path / "repo")
    settings = make_settings(root)
    record, _ = convert("hrc-votes", FIXTURES / "unhrc-votes", ROOT, settings.data_dir)
    store = open_store(settings)
    try:
        load_datasets(store, settings.data_dir, progress=False)
        assert record.graph in store.describe().graph_names()
        load_all(store, root, progress=False, keep=frozenset({record.graph}))
        assert record.graph in store.describe().graph_names()
        load_all(store, root, progress=False)  # without it, a graph with no file is dropped
        assert record.graph not in store.describe().graph_names()
    finally:
        store.close()
