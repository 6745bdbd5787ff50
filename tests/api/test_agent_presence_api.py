"""Presence and the agent's own chats over HTTP: who goes online on signing in, signing out and
closing the console, the open chats listed from the server with unread counts, and the admin's
check for knowledge answers the bot takes from somewhere else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kefu.desk.service import Desk
from kefu.domain.conversations import Sender
from kefu.domain.desk import AgentStatus
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation


@pytest.fixture
def api(kefu: Kefu) -> Iterator[TestClient]:
    desk_of(kefu)
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


def _login(api: TestClient, agent_id: str, **extra: object) -> tuple[dict[str, str], str]:
    body = {"agent_id": agent_id, "password": "demo", **extra}
    response = api.post("/api/v1/agent/login", json=body)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    return {"Authorization": f"Bearer {token}"}, token


def _status(kefu: Kefu, agent_id: str) -> AgentStatus:
    agent = kefu.desk.agents.get(agent_id)
    assert agent is not None
    return agent.status


def _serving(kefu: Kefu, api: TestClient, headers: dict[str, str], customer_id: str) -> str:
    """A conversation handed off and accepted by the agent behind ``headers``."""
    desk: Desk = kefu.desk
    now = datetime.now(UTC)
    conv = new_conversation(kefu.db, customer_id, now, text="我要找人工")
    desk.hand_off(handoff(conv, now, intent="return_refund"))
    supervisor, _ = _login(api, "S01")
    me = api.get("/api/v1/agent/me", headers=headers).json()["agent_id"]
    moved = api.post(
        f"/api/v1/agent/supervisor/conversations/{conv.id}/reassign",
        headers=supervisor,
        json={"agent_id": me},
    )
    assert moved.status_code == 200, moved.text
    accepted = api.post(f"/api/v1/agent/conversations/{conv.id}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    return conv.id


def test_an_agent_signing_in_goes_online_a_supervisor_or_a_reading_page_does_not(
    kefu: Kefu, api: TestClient
) -> None:
    _login(api, "S01")
    assert _status(kefu, "S01") is AgentStatus.OFFLINE
    _login(api, "A01", keep_status=True)
    assert _status(kefu, "A01") is AgentStatus.OFFLINE
    _login(api, "A01")
    assert _status(kefu, "A01") is AgentStatus.ONLINE


def test_signing_out_goes_offline_and_hands_open_chats_back(kefu: Kefu, api: TestClient) -> None:
    a02, _ = _login(api, "A02")
    conv = _serving(kefu, api, a02, "C1002")
    assert api.post("/api/v1/agent/logout", headers=a02).json() == {"status": "offline"}
    assert _status(kefu, "A02") is AgentStatus.OFFLINE
    entry = kefu.desk.queue.get(conv)
    assert entry is not None and entry.state == "waiting" and entry.not_to == "A02"


def test_closing_the_console_goes_offline_but_keeps_the_open_chats(
    kefu: Kefu, api: TestClient
) -> None:
    a02, token = _login(api, "A02")
    conv = _serving(kefu, api, a02, "C1002")
    closed = api.post("/api/v1/agent/console-closed", json={"token": token})
    assert closed.status_code == 200, closed.text
    assert _status(kefu, "A02") is AgentStatus.OFFLINE
    entry = kefu.desk.queue.get(conv)
    assert entry is not None and entry.state == "active" and entry.agent_id == "A02"
    assert [
        c["conversation_id"] for c in api.get("/api/v1/agent/conversations", headers=a02).json()
    ] == [conv]
    forged = api.post("/api/v1/agent/console-closed", json={"token": token[:-4] + "AAAA"})
    assert forged.status_code == 401 and forged.json()["error"]["code"]
    assert api.post("/api/v1/agent/console-closed", json={}).status_code == 422


def test_the_open_chats_carry_the_customer_the_last_message_and_what_is_unread(
    kefu: Kefu, api: TestClient
) -> None:
    a02, _ = _login(api, "A02")
    conv = _serving(kefu, api, a02, "C1003")
    store = SqlConversations(kefu.db)
    store.append_message(conv, Sender.CUSTOMER, "人呢？？？", datetime.now(UTC), channel="web")
    (chat,) = api.get("/api/v1/agent/conversations", headers=a02).json()
    assert chat["conversation_id"] == conv
    assert chat["customer_name"] == "王芳" and chat["vip"] == "platinum"
    assert chat["unread"] == 2
    assert chat["last_message"]["text"] == "人呢？？？"
    # reading the conversation reads its messages
    assert api.get(f"/api/v1/agent/conversations/{conv}", headers=a02).status_code == 200
    assert api.get("/api/v1/agent/conversations", headers=a02).json()[0]["unread"] == 0
    # another agent has no such chats, and without a token nobody does
    a01, _ = _login(api, "A01")
    assert api.get("/api/v1/agent/conversations", headers=a01).json() == []
    assert api.get("/api/v1/agent/conversations").status_code == 401


def test_the_shadow_check_names_the_rule_the_bot_answers_from(kefu: Kefu, api: TestClient) -> None:
    s01, _ = _login(api, "S01")
    found = api.post(
        "/api/v1/admin/kb/shadow", headers=s01, json={"questions": ["满多少包邮"]}
    ).json()
    assert found["shadowed"] is True and found["source"] == "promotions"
    assert "99" in found["bot_answer"]
    plain = api.post(
        "/api/v1/admin/kb/shadow", headers=s01, json={"questions": ["能开公司发票吗"]}
    ).json()
    assert plain == {"shadowed": False}
    assert (
        api.post("/api/v1/admin/kb/shadow", headers=s01, json={"questions": []}).status_code == 422
    )
    a01, _ = _login(api, "A01")
    refused = api.post("/api/v1/admin/kb/shadow", headers=a01, json={"questions": ["包邮吗"]})
    assert refused.status_code == 403


def test_canned_replies_are_filled_for_the_conversation_and_only_for_its_agent(
    kefu: Kefu, api: TestClient
) -> None:
    a02, _ = _login(api, "A02")
    conv = _serving(kefu, api, a02, "C1001")
    store = SqlConversations(kefu.db)
    store.append_message(conv, Sender.CUSTOMER, "E2026111100001 到哪了", datetime.now(UTC))
    replies = api.get(f"/api/v1/agent/conversations/{conv}/canned-replies", headers=a02).json()
    by_shortcut = {r["shortcut"]: r for r in replies}
    assert "张伟" in by_shortcut["hi"]["text"] and "李强" in by_shortcut["hi"]["text"]
    delivery = by_shortcut["wl"]["text"]
    assert "E2026111100001" in delivery and "已发货" in delivery and "{" not in delivery
    a01, _ = _login(api, "A01")
    refused = api.get(f"/api/v1/agent/conversations/{conv}/canned-replies", headers=a01)
    assert refused.status_code == 403


def test_a_transfer_note_reaches_the_next_agent_on_the_queue_card(
    kefu: Kefu, api: TestClient
) -> None:
    a02, _ = _login(api, "A02")
    a01, _ = _login(api, "A01")  # online: a transfer target
    conv = _serving(kefu, api, a02, "C1006")
    people = {c["agent_id"]: c for c in api.get("/api/v1/agent/colleagues", headers=a02).json()}
    assert "A02" not in people and people["A01"]["status"] == "online"
    moved = api.post(
        f"/api/v1/agent/conversations/{conv}/transfer",
        headers=a02,
        json={"to_agent": "A01", "note": "顾客要换L码"},
    )
    assert moved.status_code == 200, moved.text
    card = next(
        q
        for q in api.get("/api/v1/agent/queue", headers=a01).json()
        if q["conversation_id"] == conv
    )
    assert card["summary"].startswith("顾客要换L码") and card["routed_to"] == "A01"
