"""A customer who floods the message API is slowed down with a 429, on every worker alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.config import Settings
from kefu.wiring import Kefu


def _client(settings: Settings) -> Iterator[TestClient]:
    kefu = Kefu.start(settings)
    try:
        with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
            yield client
    finally:
        kefu.close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(Settings(data_dir=tmp_path, customer_messages_per_minute=3))


def _say(api: TestClient, customer: str, text: str = "在吗") -> int:
    body = {"channel": "web", "customer_id": customer, "text": text}
    return api.post("/api/v1/messages", json=body).status_code


def test_a_flooding_customer_gets_429_and_the_extra_message_is_not_stored(
    api: TestClient,
) -> None:
    assert [_say(api, "C1001") for _ in range(2)] == [200, 200]
    body = {"channel": "web", "customer_id": "C1001", "text": "在吗"}
    conversation_id = api.post("/api/v1/messages", json=body).json()["conversation_id"]
    refused = api.post("/api/v1/messages", json={**body, "text": "还在吗"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    history = api.get(
        f"/api/v1/conversations/{conversation_id}/messages", params={"customer_id": "C1001"}
    ).json()
    assert "还在吗" not in [m["text"] for m in history]  # the refused text was not stored
    assert _say(api, "C1002") == 200  # another customer is not slowed by the first


@pytest.mark.redis
def test_the_limit_holds_across_workers_sharing_redis(tmp_path: Path, redis_url: str) -> None:
    # two workers on one database and one Redis: the customer's budget is shared, not doubled
    db = f"sqlite:///{tmp_path / 'kefu.db'}"
    one = Settings(data_dir=tmp_path, database_url=db, redis_url=redis_url)
    one = one.model_copy(update={"customer_messages_per_minute": 2})
    first = _client(one)
    second = _client(one)
    a, b = next(first), next(second)
    try:
        assert _say(a, "C1003") == 200
        assert _say(b, "C1003") == 200
        assert _say(a, "C1003") == 429
        assert _say(b, "C1003") == 429
    finally:
        first.close()
        second.close()
