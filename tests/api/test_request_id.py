"""Every answer carries a request id; a client's id is kept only when it is short and safe."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_a_request_id_is_made_when_none_is_given(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]
    assert len(first) == 32 and first != second


def test_a_safe_client_id_is_kept_on_answers_and_errors(client: TestClient) -> None:
    ok = client.get("/healthz", headers={"X-Request-ID": "trace-42:a.b_c"})
    assert ok.headers["x-request-id"] == "trace-42:a.b_c"
    bad = client.get("/sparql", params={"query": "SELECT"}, headers={"X-Request-ID": "abc-1"})
    assert bad.status_code == 400
    assert bad.headers["x-request-id"] == "abc-1" == bad.json()["error"]["request_id"]


@pytest.mark.parametrize("given", ["x" * 65, "a b", "<script>", "tab\there", "ünï"])
def test_an_unsafe_client_id_is_replaced(client: TestClient, given: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": given.encode("utf-8")})  # type: ignore[dict-item]
    assert response.headers["x-request-id"] != given
    assert len(response.headers["x-request-id"]) == 32
