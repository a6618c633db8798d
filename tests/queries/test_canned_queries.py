"""The canned queries of queries/*.rq against the real repository, through the HTTP API.

Each case in cases.yaml runs ``GET /queries/{name}?…`` with ``Accept: text/csv`` and compares
the answer with ``goldens/{case}.csv``: as a set of rows, plus the row count (so duplicated
rows are caught), plus the order where the case says ``ordered: true``. A mismatch fails with
the missing and extra rows; ``pytest tests/queries --update-golden`` rewrites the goldens instead
(review the diff: a golden changes only when the data or the query is meant to change).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from kg.queries import load_registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GOLDENS = HERE / "goldens"
REGISTRY = load_registry(ROOT / "queries")
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load((HERE / "cases.yaml").read_text("utf-8"))

# The number of files in queries/; change it when a query is added or removed.
EXPECTED_QUERIES = 22
MIN_PER_TAG = {"coalition": 8, "accountability": 8}

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _case_params() -> list[Any]:
    out = []
    for name, cases in sorted(CASES.items()):
        for case in cases:
            out.append(pytest.param(name, case, id=case["case"]))
    return out


def parse_csv(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    return rows[0], [tuple(r) for r in rows[1:]]


def run_csv(client: TestClient, name: str, params: dict[str, str]) -> str:
    response = client.get(f"/queries/{name}", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200, (name, params, response.text)
    assert response.headers["content-type"].startswith("text/csv")
    assert "link" not in response.headers, f"{name}: the answer was cut to a page"
    return response.text


def triple_count(client: TestClient) -> str:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    return response.text


def describe_diff(missing: list[tuple[str, ...]], extra: list[tuple[str, ...]]) -> str:
    lines = [f"{len(missing)} golden row(s) missing from the answer:"]
    lines += ["  - " + ",".join(r) for r in missing[:40]]
    lines.append(f"{len(extra)} row(s) in the answer but not in the golden:")
    lines += ["  + " + ",".join(r) for r in extra[:40]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


def test_number_of_queries() -> None:
    assert len(list((ROOT / "queries").glob("*.rq"))) == EXPECTED_QUERIES
    assert len(REGISTRY) == EXPECTED_QUERIES


def test_every_query_has_a_case_and_every_case_a_query() -> None:
    names = {q.name for q in REGISTRY}
    assert set(CASES) == names
    assert all(CASES[n] for n in names)
    case_ids = [c["case"] for cases in CASES.values() for c in cases]
    assert len(case_ids) == len(set(case_ids)), "case names must be unique"


def test_tags() -> None:
    for tag, minimum in MIN_PER_TAG.items():
        tagged = [q.name for q in REGISTRY if tag in q.tags]
        assert len(tagged) >= minimum, (tag, tagged)


def test_headers_are_documented() -> None:
    for q in REGISTRY:
        assert q.summary and len(q.description) > 80, q.name
        assert q.name == q.name.lower() and "_" not in q.name, q.name
        assert "ORDER BY" in q.text, f"{q.name}: results must be deterministic"


def test_catalogue_lists_every_query(repo_client: TestClient) -> None:
    data = repo_client.get("/queries").json()
    assert data["count"] == EXPECTED_QUERIES
    assert {q["name"] for q in data["queries"]} == {q.name for q in REGISTRY}


def test_openapi_has_every_query_and_parameter(repo_client: TestClient) -> None:
    spec = repo_client.get("/openapi.json").json()
    for q in REGISTRY:
        path = f"/queries/{q.name}"
        assert path in spec["paths"], path
        declared = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        for p in q.parameters:
            assert p.name in declared, (q.name, p.name)
            assert declared[p.name]["required"] is p.required, (q.name, p.name)
            if p.kind == "iri":
                assert declared[p.name]["schema"]["format"] == "iri", (q.name, p.name)


# ---------------------------------------------------------------------------------------------
# Goldens
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "case"), _case_params())
def test_golden(
    repo_client: TestClient, update_golden: bool, name: str, case: dict[str, Any]
) -> None:
    params = {k: str(v) for k, v in (case.get("params") or {}).items()}
    text = run_csv(repo_client, name, params)
    golden = GOLDENS / f"{case['case']}.csv"
    if update_golden:
        golden.write_bytes(text.encode("utf-8"))
        return
    assert golden.is_file(), f"no golden {golden.name}; run pytest with --update-golden"
    want_header, want = parse_csv(golden.read_bytes().decode("utf-8"))
    got_header, got = parse_csv(text)
    assert got_header == want_header, "the columns changed"
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, describe_diff(missing, extra)
    assert len(got) == len(want), f"{len(got)} rows, golden has {len(want)} (duplicates?)"
    if case.get("ordered"):
        assert got == want, "same rows, different order"


# ---------------------------------------------------------------------------------------------
# Bad and hostile parameter values
# ---------------------------------------------------------------------------------------------

PAYLOADS = [
    '">',
    "} ; DROP ALL",
    '"',
    "a\nb",
    "x" * 3000,
    'https://w3id.org/unhr/id/state/KOR">',
    "https://w3id.org/unhr/id/state/KOR> } ; DROP ALL ; SELECT * { <x:y",
    'https://w3id.org/unhr/id/state/"KOR',
    "https://w3id.org/unhr/id/state/KOR\nDROP ALL",
    "https://w3id.org/unhr/id/state/" + "K" * 3000,
]


def _iri_parameters() -> list[Any]:
    out = []
    for q in REGISTRY:
        for p in q.parameters:
            if p.kind == "iri":
                out.append(pytest.param(q.name, p.name, id=f"{q.name}-{p.name}"))
    return out


@pytest.mark.parametrize(("name", "parameter"), _iri_parameters())
def test_hostile_iri_values_are_refused(repo_client: TestClient, name: str, parameter: str) -> None:
    before = triple_count(repo_client)
    for payload in PAYLOADS:
        response = repo_client.get(f"/queries/{name}", params={parameter: payload})
        assert response.status_code == 400, (payload, response.text)
        error = response.json()["error"]
        assert error["code"] == "bad-parameter", payload
        assert error["details"]["parameter"] == parameter, payload
        assert parameter in error["message"], payload
    assert triple_count(repo_client) == before


def _typed_parameters() -> list[Any]:
    out = []
    for q in REGISTRY:
        for p in q.parameters:
            if p.kind in ("integer", "decimal"):
                out.append(pytest.param(q.name, p.name, id=f"{q.name}-{p.name}"))
    return out


@pytest.mark.parametrize(("name", "parameter"), _typed_parameters())
def test_bad_numbers_are_refused(repo_client: TestClient, name: str, parameter: str) -> None:
    for payload in ("2014) } DROP ALL", "twenty", '1"', "1\n2", "NaN", "Infinity"):
        response = repo_client.get(f"/queries/{name}", params={parameter: payload})
        assert response.status_code == 400, (payload, response.text)
        assert response.json()["error"]["details"]["parameter"] == parameter


def test_small_decimals_are_bound_correctly(repo_client: TestClient) -> None:
    # No state has a share strictly between 0 and 0.000001, so all three answers must be equal:
    # the states that voted like the DPRK at least once (33 in the GA data).
    reference = run_csv(repo_client, "closest-voters", {"min_share": "0.000001"})
    assert len(parse_csv(reference)[1]) == 33
    assert run_csv(repo_client, "closest-voters", {"min_share": "0.0000005"}) == reference
    assert run_csv(repo_client, "closest-voters", {"min_share": "5e-7"}) == reference


def test_string_parameters_are_only_strings(repo_client: TestClient) -> None:
    """An enumerated string parameter refuses anything but its values; nothing runs."""
    before = triple_count(repo_client)
    for payload in ('yes") } ; DROP ALL ; #', "yes\nno", "'"):
        response = repo_client.get("/queries/unanimous-voters", params={"option": payload})
        assert response.status_code == 400
        assert response.json()["error"]["details"]["parameter"] == "option"
    assert triple_count(repo_client) == before


def test_unknown_and_unenumerated_values(repo_client: TestClient) -> None:
    response = repo_client.get("/queries/state-votes", params={"colour": "red"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "colour"
    response = repo_client.get(
        "/queries/unanimous-voters", params={"body": "https://w3id.org/unhr/id/org/icc"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "body"


def test_every_query_runs_with_its_defaults(repo_client: TestClient) -> None:
    # No query of queries/ has a required parameter without a default: each runs as it is.
    assert not [p.name for q in REGISTRY for p in q.parameters if p.required]
    for q in REGISTRY:
        assert repo_client.get(f"/queries/{q.name}").status_code == 200, q.name


def test_a_required_parameter_without_default_is_asked_for(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from tests.conftest import make_settings

    from kg.api.app import create_app
    from kg.queries import Registry, load_query
    from kg.startup import prepare_store

    fixture = load_query(HERE / "fixtures" / "votes-of-a-state.rq")
    (required,) = [p for p in fixture.parameters if p.required]
    registry = Registry({**REGISTRY.queries, fixture.name: fixture})
    settings = make_settings(ROOT, data_dir=tmp_path_factory.mktemp("kg"))
    store = prepare_store(settings, progress=False)
    try:
        with TestClient(create_app(settings, store, registry)) as client:
            missing = client.get(f"/queries/{fixture.name}")
            assert missing.status_code == 400
            assert missing.json()["error"]["details"]["parameter"] == required.name == "state"
            given = client.get(
                f"/queries/{fixture.name}",
                params={"state": "https://w3id.org/unhr/id/state/PRK"},
                headers={"Accept": "text/csv"},
            )
            assert given.status_code == 200
            # Independently: the DPRK's yes, no and abstain votes in the GA vote data set.
            with open(ROOT / "data" / "votes" / "csv" / "dprk_votes_by_state.csv") as fh:
                expected = {
                    (row["symbol"], row["date"])
                    for row in csv.DictReader(fh)
                    if row["iso3"] == "PRK" and row["vote"] in ("yes", "no", "abstain")
                }
            rows = list(csv.DictReader(io.StringIO(given.text)))
            assert len(rows) == len(expected) == 9
    finally:
        store.close()
