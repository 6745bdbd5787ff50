"""The HTTP edge: health, the JSON error shape and request ids."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_unknown_route_gets_the_json_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found" and body["error"]["message"]


def test_request_id_is_echoed_when_the_client_sends_one(client: TestClient) -> None:
    response = client.get("/healthz", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
