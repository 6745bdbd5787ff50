"""Limits on every door: per customer whatever the channel, per address, per agent login; 429s
say when to come back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.config import Settings
from kefu.edge.limits import LOGIN_FIRST_LOCK_S
from kefu.runtime.shared import InProcessState
from kefu.wiring import Kefu


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kefu]:
    kefu = Kefu.start(Settings(data_dir=tmp_path_factory.mktemp("limits")))
    kefu.dialogue.nlu  # noqa: B018
    yield kefu
    kefu.close()


def _fresh_state() -> InProcessState:
    """Counters whose one-minute windows start with the test: a slow machine crossing a minute
    boundary mid-test would otherwise reset a limit the test is counting towards."""
    started = time.monotonic()
    return InProcessState(clock=lambda: 60_000.0 + (time.monotonic() - started))


def _client(
    shop: Kefu,
    address: str = "203.0.113.7",
    state: InProcessState | None = None,
    **settings: object,
) -> Iterator[TestClient]:
    """A client from ``address`` on a shop with the given settings and counters (fresh unless
    ``state`` is given: two clients sharing it are two addresses against one deployment)."""
    old_settings, old_state = shop.settings, shop.state
    shop.settings = shop.settings.model_copy(update=settings)
    shop.state = state or _fresh_state()
    try:
        app = create_app(kefu=shop)
        with TestClient(app, raise_server_exceptions=False, client=(address, 40000)) as client:
            yield client
    finally:
        shop.settings, shop.state = old_settings, old_state


@pytest.fixture
def api(shop: Kefu) -> Iterator[TestClient]:
    yield from _client(shop, customer_messages_per_minute=3, ip_messages_per_minute=0)


def _say(api: TestClient, headers: dict[str, str] | None = None, **who: str) -> int:
    body = {"channel": "web", "text": "在吗", **who}
    return api.post("/api/v1/messages", json=body, headers=headers).status_code


def test_padding_the_id_or_switching_channel_does_not_reset_the_customer_limit(
    api: TestClient,
) -> None:
    assert _say(api, customer_id="C1001") == 200
    assert _say(api, customer_id=" C1001 ", channel="app") == 200
    # the same customer through their WeChat identity: one budget, not one per channel
    assert _say(api, channel="wechat", channel_user_id="oWx_c1001") == 200
    refused = api.post(
        "/api/v1/messages", json={"channel": "email", "customer_id": "C1001\t", "text": "在吗"}
    )
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _say(api, customer_id="C1002") == 200  # another customer keeps their own budget


def test_a_guest_over_the_limit_is_refused_and_nothing_of_the_refused_message_is_kept(
    api: TestClient,
) -> None:
    for _ in range(3):
        assert _say(api, channel_user_id="visitor-limits-1") == 200
    refused = api.post(
        "/api/v1/messages",
        json={"channel": "web", "channel_user_id": "visitor-limits-1", "text": "最后一句话"},
    )
    assert refused.status_code == 429
    guest = api.post(
        "/api/v1/messages",
        json={"channel": "web", "channel_user_id": "visitor-limits-2", "text": "在吗"},
    )
    assert guest.status_code == 200  # another visitor has a budget of their own
    shop = api.app.state.kefu  # type: ignore[attr-defined]
    found = shop.commerce.find_customer_by_identity("web", "visitor-limits-1")
    texts = [
        m["text"]
        for c in shop.dialogue.conversations(found.id)
        for m in shop.dialogue.history(c["id"], found.id)
    ]
    assert texts.count("在吗") == 3 and "最后一句话" not in texts


def test_the_address_limit_counts_across_customers_and_zero_turns_it_off(shop: Kefu) -> None:
    for client in _client(shop, ip_messages_per_minute=2):
        assert [_say(client, customer_id=c) for c in ("C1001", "C1002")] == [200, 200]
        refused = client.post(
            "/api/v1/messages", json={"channel": "web", "customer_id": "C1003", "text": "hi"}
        )
        assert refused.status_code == 429 and "Retry-After" in refused.headers
    for client in _client(shop, ip_messages_per_minute=0, customer_messages_per_minute=100):
        assert {_say(client, customer_id=c) for c in ("C1001", "C1002", "C1003")} == {200}


def test_forwarded_for_counts_only_behind_a_trusted_proxy(shop: Kefu) -> None:
    # an untrusted peer cannot dodge its limit by inventing X-Forwarded-For addresses
    for client in _client(shop, "198.51.100.9", ip_messages_per_minute=1):
        assert _say(client, {"X-Forwarded-For": "1.1.1.1"}, customer_id="C1001") == 200
        assert _say(client, {"X-Forwarded-For": "2.2.2.2"}, customer_id="C1002") == 429
    # behind our load balancer each client has its own budget, and a spoofed left hop is ignored
    for client in _client(shop, "10.0.0.5", ip_messages_per_minute=1, trusted_proxies="10.0.0.0/8"):
        assert _say(client, {"X-Forwarded-For": "1.1.1.1"}, customer_id="C1001") == 200
        assert _say(client, {"X-Forwarded-For": "2.2.2.2"}, customer_id="C1002") == 200
        spoofed = {"X-Forwarded-For": "9.9.9.9, 1.1.1.1"}
        assert _say(client, spoofed, customer_id="C1003") == 429


def test_quotes_and_nlu_parse_are_limited_per_address(shop: Kefu) -> None:
    for client in _client(shop):
        cart = {"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 1}]}
        codes = [client.post("/api/v1/promotions/quote", json=cart).status_code for _ in range(121)]
        assert codes[:120] == [200] * 120 and codes[120] == 429
        codes = [
            client.post("/api/v1/nlu/parse", json={"text": "在吗"}).status_code for _ in range(121)
        ]
        assert codes[-1] == 429 and codes[0] == 200


def test_the_chat_socket_is_limited_like_the_messages_api(shop: Kefu) -> None:
    for client in _client(shop, customer_messages_per_minute=2, ip_messages_per_minute=0):
        assert _say(client, customer_id="C1004") == 200
        with client.websocket_connect("/api/v1/ws/chat?customer_id=C1004") as ws:
            assert ws.receive_json()["type"] == "ready"
            frames = []
            for text in ("在吗", "还在吗"):
                ws.send_json({"type": "message", "text": text, "client_msg_id": text})
                frame = ws.receive_json()
                while frame["type"] not in ("ack", "error"):
                    frame = ws.receive_json()
                frames.append(frame)
        assert frames[0]["type"] == "ack"
        assert frames[1]["code"] == "rate_limited" and frames[1]["retry_after_s"] >= 1


def _login(client: TestClient, password: str, agent: str = "A02") -> int:
    body = {"agent_id": agent, "password": password}
    return client.post("/api/v1/agent/login", json=body).status_code


def _retry_after(client: TestClient, password: str = "demo") -> int:
    refused = client.post("/api/v1/agent/login", json={"agent_id": "A02", "password": password})
    assert refused.status_code == 429, refused.text
    return int(refused.headers["Retry-After"])


def test_wrong_passwords_lock_the_agent_only_from_that_address(shop: Kefu) -> None:
    shared = _fresh_state()
    for attacker in _client(shop, "198.51.100.66", shared):
        assert [_login(attacker, "guess") for _ in range(5)] == [401] * 5
        # locked even with the right password, from this address only
        assert _retry_after(attacker) >= LOGIN_FIRST_LOCK_S - 1
    for agent_desk in _client(shop, "203.0.113.20", shared):
        assert _login(agent_desk, "demo") == 200


def test_the_login_lock_doubles_after_each_further_failure(shop: Kefu) -> None:
    import time

    shared = _fresh_state()
    for client in _client(shop, "198.51.100.67", shared):
        assert [_login(client, "guess") for _ in range(5)] == [401] * 5
        first = _retry_after(client)
        # the lock runs out, then one more wrong guess: a lock twice as long
        shared.set("login-lock:a02:198.51.100.67", f"{time.time() - 1}", ttl_s=1)
        assert _login(client, "guess") == 401
        assert _retry_after(client) >= 2 * first - 1
        # a right password once the lock is over clears the count
        shared.set("login-lock:a02:198.51.100.67", f"{time.time() - 1}", ttl_s=1)
        assert _login(client, "demo") == 200
        assert _login(client, "guess") == 401  # one failure after success: no lock yet
        assert _login(client, "demo") == 200


def test_a_webhook_user_and_the_same_customer_on_the_web_share_one_budget(shop: Kefu) -> None:
    from tests.channels.support import post_webhook

    for client in _client(shop, customer_messages_per_minute=3, ip_messages_per_minute=0):
        codes = [
            post_webhook(
                client, "douyin", {"event_id": f"ev-{i}", "user_id": "dy-flood", "text": "在吗"}
            ).status_code
            for i in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = post_webhook(
            client, "douyin", {"event_id": "ev-9", "user_id": "dy-flood", "text": "在吗"}
        )
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        # the refused event was not settled: once the minute is over, the platform's retry runs
        shop.state = _fresh_state()
        retried = post_webhook(  # a platform signs its retry anew
            client,
            "douyin",
            {"event_id": "ev-3", "user_id": "dy-flood", "text": "在吗"},
            at=time.time() + 1,
        )
        assert retried.status_code == 200 and "X-Kefu-Replay" not in retried.headers
        shop.state = _fresh_state()
        # a WeChat user's identity maps to C1001: the web and WeChat doors count together
        assert _say(client, customer_id="C1001") == 200
        assert _say(client, customer_id="C1001") == 200
        assert _say(client, channel="wechat", channel_user_id="oWx_c1001") == 200
        assert _say(client, customer_id="C1001") == 429


def test_a_flooding_wechat_follower_is_limited_and_the_extra_message_not_run(shop: Kefu) -> None:
    from tests.channels.support import post_wechat

    for client in _client(shop, customer_messages_per_minute=2, ip_messages_per_minute=0):
        answers = [post_wechat(client, "oWx_flood", f"在吗{i}", f"9100{i}") for i in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]  # WeChat wants a reply
        follower = shop.commerce.find_customer_by_identity("wechat", "oWx_flood")
        assert follower is not None
        conversation = shop.dialogue.store.latest_open(follower.id)
        assert conversation is not None
        texts = [m.text for m in shop.dialogue.store.messages(conversation.id, limit=50)]
        assert "在吗0" in texts and "在吗1" in texts
        assert "在吗2" not in texts  # refused before the turn: nothing stored, nothing answered


@pytest.mark.redis
def test_limits_and_login_locks_hold_across_workers_sharing_redis(
    tmp_path: Path, redis_url: str
) -> None:
    db = f"sqlite:///{tmp_path / 'kefu.db'}"
    settings = Settings(
        data_dir=tmp_path, database_url=db, redis_url=redis_url, ip_messages_per_minute=2
    )
    first, second = Kefu.start(settings), Kefu.start(settings)
    try:
        app_a, app_b = create_app(kefu=first), create_app(kefu=second)
        peer = ("198.51.100.80", 40000)
        with (
            TestClient(app_a, raise_server_exceptions=False, client=peer) as a,
            TestClient(app_b, raise_server_exceptions=False, client=peer) as b,
        ):
            # the address budget is one across both workers
            assert _say(a, customer_id="C1001") == 200
            assert _say(b, customer_id="C1002") == 200
            assert _say(a, customer_id="C1003") == 429
            # wrong passwords on one worker lock the agent+address on the other
            assert [_login(a if i % 2 else b, "guess") for i in range(5)] == [401] * 5
            assert _retry_after(b) >= LOGIN_FIRST_LOCK_S - 1
    finally:
        first.close()
        second.close()
