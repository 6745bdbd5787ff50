"""Helpers for channel tests: signed WeChat and webhook requests, waiting on background work."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kefu.channels.webhook import signed_headers
from kefu.channels.wechat import text_message_xml

WECHAT_TOKEN = "kefu-wechat-demo-token"
WEBHOOK_SECRET = "kefu-webhook-demo-secret"
T = TypeVar("T")


def wechat_query(
    token: str = WECHAT_TOKEN, timestamp: str | None = None, nonce: str | None = None
) -> str:
    """A signed query as WeChat sends it: now, with a nonce of its own."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}"


def post_wechat(client: TestClient, open_id: str, text: str, msg_id: str) -> Response:
    body = text_message_xml("gh_shop", open_id, text, int(time.time()), msg_id)
    return client.post(f"/channels/wechat?{wechat_query()}", content=body.encode())


def post_webhook(
    client: TestClient,
    platform: str,
    body: dict[str, Any],
    *,
    secret: str = WEBHOOK_SECRET,
    at: float | None = None,
) -> Response:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = signed_headers(secret, raw, time.time() if at is None else at)
    return client.post(f"/channels/webhook/{platform}", content=raw, headers=headers)


def login(client: TestClient, agent_id: str = "A02") -> dict[str, str]:
    response = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def eventually(check: Callable[[], T | None], timeout_s: float = 5.0) -> T:
    """The first truthy result of ``check`` (background threads deliver asynchronously)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite unless a test asks for both backends with ``BOTH_BACKENDS``: the HTTP-level channel
    tests start a whole shop each, so only those that touch new SQL run on PostgreSQL too."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'kefu.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


BOTH_BACKENDS = pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
