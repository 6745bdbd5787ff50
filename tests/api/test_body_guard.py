"""Oversized and malformed bodies get a clear 4xx before a route reads them; nothing changes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.api.body_guard import KNOWLEDGE_IMPORT_BYTES, MESSAGE_BODY_BYTES
from kefu.config import Settings
from kefu.wiring import Kefu


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("guard"), ip_messages_per_minute=0)
    kefu = Kefu.start(settings)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client
    kefu.close()


def _history_len(api: TestClient) -> int:
    body = {"channel": "web", "customer_id": "C1005", "text": "在吗"}
    answer = api.post("/api/v1/messages", json=body).json()
    history = api.get(
        f"/api/v1/conversations/{answer['conversation_id']}/messages",
        params={"customer_id": "C1005"},
    )
    return len(history.json())


def _error(response: object, status: int, code: str) -> None:
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    assert response.json()["error"]["code"] == code  # type: ignore[attr-defined]


def test_a_body_over_64_kb_is_413_and_nothing_is_stored(api: TestClient) -> None:
    before = _history_len(api)
    text = "羽" * (MESSAGE_BODY_BYTES // 3 + 10)
    body = {"channel": "web", "customer_id": "C1005", "text": text}
    _error(api.post("/api/v1/messages", json=body), 413, "payload_too_large")
    assert _history_len(api) == before + 2  # only the probes' own messages, not the big one


def test_a_declared_huge_body_is_refused_before_it_is_read(api: TestClient) -> None:
    # Content-Length says 200 MB: answered at once, without waiting for (or reading) the body
    headers = {"content-length": str(200 * 1024 * 1024), "content-type": "application/json"}
    response = api.post("/api/v1/messages", content=b"{}", headers=headers)
    _error(response, 413, "payload_too_large")


def test_a_chunked_body_is_counted_as_it_streams(api: TestClient) -> None:
    read = 0

    def chunks() -> Iterator[bytes]:
        nonlocal read
        for _ in range(1000):  # 16 MB if it were all read
            read += 1
            yield b" " * 16384

    response = api.post(
        "/api/v1/nlu/parse", content=chunks(), headers={"content-type": "application/json"}
    )
    _error(response, 413, "payload_too_large")


def test_admin_imports_may_be_larger_but_not_unbounded(api: TestClient) -> None:
    token = api.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    auth = {"Authorization": f"Bearer {token.json()['token']}"}
    # a knowledge base of 6,000 answers (about 2 MB) is one upload
    big = json.dumps([{"question": "q" * 100, "answer": "a" * 200}] * 6000).encode()
    assert 1024 * 1024 < len(big) < KNOWLEDGE_IMPORT_BYTES
    accepted = api.post("/api/v1/admin/kb/import", content=big, headers=auth)
    assert accepted.status_code != 413
    too_big = b"[" + b" " * KNOWLEDGE_IMPORT_BYTES + b"]"
    _error(
        api.post("/api/v1/admin/kb/import", content=too_big, headers=auth), 413, "payload_too_large"
    )


@pytest.mark.parametrize(
    "route", ["/api/v1/messages", "/api/v1/nlu/parse", "/api/v1/promotions/quote"]
)
def test_deeply_nested_json_is_400_not_500(api: TestClient, route: str) -> None:
    deep = b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    _error(
        api.post(route, content=deep, headers={"content-type": "application/json"}), 400, "too_deep"
    )
    # no content type: the routes that read JSON by hand are guarded too
    _error(api.post(route, content=b"[" * 5000), 400, "too_deep")


@pytest.mark.parametrize(
    "route", ["/api/v1/messages", "/api/v1/nlu/parse", "/api/v1/promotions/quote"]
)
def test_a_lone_surrogate_is_400_not_500(api: TestClient, route: str) -> None:
    raw = b'{"channel": "web", "customer_id": "C1005", "text": "\\ud800", "items": ["\\udfff"]}'
    _error(
        api.post(route, content=raw, headers={"content-type": "application/json"}),
        400,
        "invalid_text",
    )
    # a proper pair is an emoji and goes through
    fine = '{"channel": "web", "customer_id": "C1005", "text": "\\ud83d\\ude00 在吗"}'
    assert api.post("/api/v1/messages", content=fine).status_code == 200


def test_bytes_that_are_not_utf8_are_400(api: TestClient) -> None:
    raw = b'{"channel": "web", "customer_id": "C1005", "text": "\xed\xa0\x80"}'
    response = api.post(
        "/api/v1/messages", content=raw, headers={"content-type": "application/json"}
    )
    _error(response, 400, "invalid_encoding")


def test_wrong_types_are_4xx(api: TestClient) -> None:
    for body in (
        {"channel": "web", "customer_id": 1001, "text": "在吗"},
        {"channel": ["web"], "customer_id": "C1005", "text": "在吗"},
        {"channel": "web", "customer_id": "C1005", "text": {"a": 1}},
        [1, 2, 3],
        "text",
    ):
        assert 400 <= api.post("/api/v1/messages", json=body).status_code < 500, body
    login = api.post("/api/v1/agent/login", json={"agent_id": ["A01"], "password": 1})
    assert login.status_code == 422 and login.json()["error"]["code"] == "invalid_request"
