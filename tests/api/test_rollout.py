"""The AI rollout (contract 5): a stable share of customers on the bot, the rest with people,
switches per channel and intent on every worker, and every change audited."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.config import Settings
from kefu.store.db import Database
from kefu.store.rollout_repo import LOCAL_TTL_S
from kefu.store.tables.commerce import ChannelIdentityRow, CustomerRow
from kefu.wiring import Kefu

ROLLOUT = "/api/v1/admin/rollout"
REFUND = "衣服大了能退吗"
SHIPPING = "下单后多久发货？"


def _token(client: TestClient, agent_id: str) -> dict[str, str]:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def add_guests(db: Database, count: int, prefix: str = "G") -> list[str]:
    """New web visitors, each known only by the channel id the widget gave them."""
    now = datetime.now(UTC)
    visitors = [f"web-visitor-{prefix}{i:04d}" for i in range(count)]
    with db.session() as s:
        for i, visitor in enumerate(visitors):
            row = CustomerRow(
                id=f"{prefix}{i:05d}", name="访客", phone="", lang="zh-CN", created_at=now
            )
            row.identities = [ChannelIdentityRow(channel="web", channel_user_id=visitor)]
            s.add(row)
    return visitors


def _say(client: TestClient, visitor: str, text: str, **extra: Any) -> dict[str, Any]:
    body = {"channel": "web", "channel_user_id": visitor, "text": text, **extra}
    reply = client.post("/api/v1/messages", json=body)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()
    return data


def test_rollout_needs_a_supervisor_and_refuses_bad_shares_without_changing_anything(
    client: TestClient,
) -> None:
    assert client.get(ROLLOUT).status_code == 401
    assert client.put(ROLLOUT, json={"ai_share": 50}).status_code == 401
    agent = _token(client, "A01")
    refused = client.put(ROLLOUT, json={"ai_share": 50}, headers=agent)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    boss = _token(client, "S01")
    assert client.get(ROLLOUT, headers=boss).json()["ai_share"] == 100
    for bad in (
        {"ai_share": 101},
        {"ai_share": -1},
        {"ai_share": "50"},
        {"ai_share": True},
        {"ai_share": 50.5},
        {},
        [],
        {"ai_off_intents": ["refunds"]},
        {"ai_off_channels": "web"},
        {"ai_share": 50, "surprise": 1},
    ):
        answer = client.put(ROLLOUT, json=bad, headers=boss)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["error"]["code"] == "invalid_rollout"
    bad_json = client.put(ROLLOUT, content=b"{", headers=boss)
    assert bad_json.status_code == 422
    assert client.get(ROLLOUT, headers=boss).json()["ai_share"] == 100
    assert client.get(f"{ROLLOUT}/audit", headers=boss).json() == []


@pytest.fixture
def sqlite_kefu(sqlite_settings: Settings) -> Iterator[Kefu]:
    k = Kefu.start(sqlite_settings)
    yield k
    k.close()


def test_half_share_splits_new_guests_and_each_keeps_its_side(sqlite_kefu: Kefu) -> None:
    # 800 turns: SQLite only to keep it quick; the sides are stored the same way on PostgreSQL
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=sqlite_kefu), raise_server_exceptions=False) as client:
        _half_share(client, sqlite_kefu)


def _half_share(client: TestClient, kefu: Kefu) -> None:
    kefu.settings.ip_messages_per_minute = 0  # one test client sends all the guests' messages
    boss = _token(client, "S01")
    put = client.put(ROLLOUT, json={"ai_share": 50}, headers=boss)
    assert put.status_code == 200 and put.json()["ai_share"] == 50
    assert client.get(ROLLOUT, headers=boss).json()["ai_share"] == 50

    visitors = add_guests(kefu.db, 400)
    first = {v: _say(client, v, SHIPPING) for v in visitors}
    on_bot = [v for v, r in first.items() if r["status"] == "bot"]
    waiting = [v for v, r in first.items() if r["status"] == "waiting_agent"]
    assert len(on_bot) + len(waiting) == 400
    assert 0.35 <= len(on_bot) / 400 <= 0.65
    # the bot answered its side; the other side was told a person is coming
    assert all(not first[v]["handoff"] and first[v]["replies"] for v in on_bot)
    assert all(first[v]["handoff"] for v in waiting)

    # each keeps its side: the next message, and a new conversation after the first was closed
    for v in on_bot[:15]:
        assert _say(client, v, "好的谢谢")["status"] == "bot"
    for v in waiting[:15]:
        assert _say(client, v, SHIPPING)["status"] == "waiting_agent"
    conversation_id = first[waiting[0]]["conversation_id"]
    assert client.post(f"/api/v1/agent/conversations/{conversation_id}/accept", headers=boss)
    closed = client.post(
        f"/api/v1/agent/conversations/{conversation_id}/close",
        json={"resolution": "answered"},
        headers=boss,
    )
    assert closed.status_code == 200, closed.text
    again = _say(client, waiting[0], SHIPPING)
    assert again["conversation_id"] != conversation_id and again["status"] == "waiting_agent"

    # the people side is in the queue with the rollout as its reason
    queue = client.get("/api/v1/agent/queue", headers=boss).json()
    reasons = {e["conversation_id"]: e["reason"] for e in queue}
    assert reasons[first[waiting[1]]["conversation_id"]] == "rollout"

    audit = client.get(f"{ROLLOUT}/audit", headers=boss).json()
    assert len(audit) == 1 and audit[0]["actor"] == "S01"
    assert audit[0]["before"]["ai_share"] == 100 and audit[0]["after"]["ai_share"] == 50


def test_full_share_leaves_everyone_on_the_bot_and_zero_sends_everyone_to_people(
    client: TestClient, kefu: Kefu
) -> None:
    boss = _token(client, "S01")
    visitors = add_guests(kefu.db, 20)
    assert all(_say(client, v, SHIPPING)["status"] == "bot" for v in visitors[:10])
    client.put(ROLLOUT, json={"ai_share": 0}, headers=boss)
    assert all(_say(client, v, SHIPPING)["status"] == "waiting_agent" for v in visitors[10:])
    # a conversation the bot started keeps its side when the share changes under it
    assert _say(client, visitors[0], SHIPPING)["status"] == "bot"


def test_an_intent_switched_off_goes_to_people_and_back_with_the_audit(
    client: TestClient, kefu: Kefu
) -> None:
    boss = _token(client, "S01")
    visitors = add_guests(kefu.db, 3)
    off = client.put(ROLLOUT, json={"ai_off_intents": ["return_refund"]}, headers=boss)
    assert off.status_code == 200 and off.json()["ai_off_intents"] == ["return_refund"]
    assert off.json()["ai_share"] == 100  # fields left out keep their value
    assert _say(client, visitors[0], SHIPPING)["status"] == "bot"
    refund = _say(client, visitors[1], REFUND)
    assert refund["intent"] == "return_refund" and refund["status"] == "waiting_agent"

    client.put(ROLLOUT, json={"ai_off_intents": [], "ai_off_channels": ["web"]}, headers=boss)
    assert _say(client, visitors[2], SHIPPING)["status"] == "waiting_agent"
    audit = client.get(f"{ROLLOUT}/audit", headers=boss).json()
    assert [a["after"]["ai_off_channels"] for a in audit] == [["web"], []]
    assert audit[0]["before"]["ai_off_intents"] == ["return_refund"]


@pytest.fixture
def two_workers(postgres_url: str, redis_url: str, tmp_path: Any) -> Iterator[tuple[Kefu, Kefu]]:
    """Two kefu instances over one PostgreSQL and one Redis, as two uvicorn workers would be."""
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, redis_url=redis_url)
    first = Kefu.start(settings)
    second = Kefu.start(settings)
    yield first, second
    second.close()
    first.close()


def test_a_switch_on_one_worker_takes_the_ai_off_an_intent_on_the_other_within_a_second(
    two_workers: tuple[Kefu, Kefu],
) -> None:
    from kefu.api.app import create_app

    first, second = two_workers
    visitors = add_guests(first.db, 4)
    with (
        TestClient(create_app(kefu=first), raise_server_exceptions=False) as one,
        TestClient(create_app(kefu=second), raise_server_exceptions=False) as two,
    ):
        assert _say(two, visitors[0], REFUND)["status"] == "bot"  # read the config once
        boss = _token(one, "S01")
        assert one.put(ROLLOUT, json={"ai_off_intents": ["return_refund"]}, headers=boss)
        # the other worker keeps its copy of the switches for at most LOCAL_TTL_S
        time.sleep(LOCAL_TTL_S)
        assert _say(two, visitors[1], REFUND)["status"] == "waiting_agent"
        assert _say(two, visitors[2], SHIPPING)["status"] == "bot"
        assert two.get(ROLLOUT, headers=boss).json()["ai_off_intents"] == ["return_refund"]
        one.put(ROLLOUT, json={"ai_off_intents": []}, headers=boss)
        time.sleep(LOCAL_TTL_S)
        assert _say(two, visitors[3], REFUND)["status"] == "bot"
