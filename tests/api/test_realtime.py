"""The chat page's WebSocket: ready and backlog, ack then messages, nothing lost or doubled across
a reconnect, agent replies and status changes pushed live, bad frames, and signed identities."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from kefu.config import Mode, Settings
from kefu.edge.identity import issue_customer_token
from kefu.wiring import Kefu
from tests.channels.support import BOTH_BACKENDS, database_url, login
from tests.conftest import PRODUCTION_SECRETS, demo_data_for_production

__all__ = ["database_url"]  # the fixture: SQLite, or both backends where BOTH_BACKENDS says

Frame = dict[str, Any]


@pytest.fixture(autouse=True)
def warm_nlu(kefu: Kefu) -> None:
    kefu.dialogue.nlu  # noqa: B018


def read_until(
    ws: WebSocketTestSession, done: Callable[[Frame], bool], limit: int = 40
) -> list[Frame]:
    """Frames up to and including the first one ``done`` accepts."""
    frames: list[Frame] = []
    for _ in range(limit):
        frames.append(ws.receive_json())
        if done(frames[-1]):
            return frames
    raise AssertionError(f"no expected frame in {frames}")


def is_type(kind: str, **fields: Any) -> Callable[[Frame], bool]:
    return lambda f: f["type"] == kind and all(f.get(k) == v for k, v in fields.items())


def messages(frames: list[Frame]) -> list[Frame]:
    return [f for f in frames if f["type"] == "message"]


def say(ws: WebSocketTestSession, text: str, client_msg_id: str) -> list[Frame]:
    """Send a message; the frames up to the end of the bot's typing."""
    ws.send_json({"type": "message", "text": text, "client_msg_id": client_msg_id})
    return read_until(ws, is_type("typing", sender="bot", on=False))


@BOTH_BACKENDS
def test_a_message_is_acked_then_shown_with_the_bots_reply(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws/chat?channel=web&customer_id=C1001") as ws:
        assert ws.receive_json() == {"type": "ready", "conversation_id": None, "status": "bot"}
        frames = say(ws, "ZT7788990011 这个单号现在在哪", "m-1")
    shown = [f for f in frames if f["type"] in ("ack", "message")]
    ack = shown[0]
    assert ack["type"] == "ack" and ack["client_msg_id"] == "m-1" and ack["conversation_id"]
    assert shown[1]["sender"] == "customer" and shown[1]["id"] == ack["message_id"]
    assert shown[1]["text"] == "ZT7788990011 这个单号现在在哪"
    bot = [f for f in shown[2:] if f["sender"] == "bot"]
    assert bot and "派送" in bot[0]["text"] and bot[0]["kind"] == "answer"
    assert [f["seq"] for f in shown[1:]] == list(range(1, len(shown)))
    assert set(shown[1]) >= {"id", "seq", "sender", "text", "at"}


def test_the_bot_asking_which_order_offers_the_orders_as_quick_replies(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1001") as ws:
        ws.receive_json()
        frames = say(ws, "我要退货", "m-2")
    asked = [f for f in messages(frames) if f["sender"] == "bot"][-1]
    assert asked["kind"] == "clarify"
    assert sorted(asked["quick_replies"]) == ["E2026111100001", "E2026111100002"]


@BOTH_BACKENDS
def test_a_reconnect_after_the_last_seq_gets_exactly_the_missed_messages(
    client: TestClient,
) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1002") as ws:
        ws.receive_json()
        seen = messages(say(ws, "在吗", "m-3"))
    conversation, last = seen[-1]["conversation_id"], seen[-1]["seq"]
    # while the page is away the customer writes from another tab (plain HTTP)
    missed = client.post(
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1002", "text": "退款咋还没到"},
    ).json()
    assert missed["conversation_id"] == conversation
    url = f"/api/v1/ws/chat?customer_id=C1002&conversation_id={conversation}&after={last}"
    with client.websocket_connect(url) as ws:
        ready = ws.receive_json()
        ws.send_json({"type": "ping"})
        backlog = read_until(ws, is_type("pong"))[:-1]
    assert ready["conversation_id"] == conversation
    assert [f["seq"] for f in backlog] == list(range(last + 1, last + 1 + len(backlog)))
    assert backlog[0]["text"] == "退款咋还没到" and backlog[-1]["sender"] == "bot"
    assert len(backlog) == 1 + len(missed["replies"])


def test_a_resent_client_msg_id_is_not_a_second_message(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1004") as ws:
        ws.receive_json()
        first = next(f for f in say(ws, "hello", "same-id") if f["type"] == "ack")
    conversation = first["conversation_id"]
    with client.websocket_connect(
        f"/api/v1/ws/chat?customer_id=C1004&conversation_id={conversation}&after=99"
    ) as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "hello", "client_msg_id": "same-id"})
        again = read_until(ws, is_type("ack"))[-1]
    assert again == first
    history = client.get(f"/api/v1/conversations/{conversation}/messages?customer_id=C1004").json()
    assert [m["text"] for m in history if m["sender"] == "customer"] == ["hello"]


@BOTH_BACKENDS
def test_an_agents_reply_and_the_closing_arrive_live(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1006") as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "我要找人工", "client_msg_id": "h-1"})
        frames = read_until(ws, is_type("status", status="waiting_agent"))
        conversation = frames[-1]["conversation_id"]
        a02 = login(client, "A02")
        base = f"/api/v1/agent/conversations/{conversation}"
        assert client.post(f"{base}/accept", headers=a02).status_code == 200
        read_until(ws, is_type("status", status="with_agent"))
        client.post(f"{base}/typing", headers=a02, json={"on": True})
        assert read_until(ws, is_type("typing"))[-1] == {
            "type": "typing",
            "sender": "agent",
            "on": True,
        }
        client.post(f"{base}/messages", headers=a02, json={"text": "您好，我是客服，请讲"})
        reply = read_until(ws, lambda f: f["type"] == "message" and f["sender"] == "agent")[-1]
        assert reply["text"] == "您好，我是客服，请讲"
        client.post(f"{base}/close", headers=a02, json={"resolution": "done"})
        closing = read_until(ws, is_type("status", status="closed"))
    assert any(f.get("kind") == "survey" for f in messages(closing))


def test_the_customers_typing_is_visible_to_the_agent(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1003") as ws:
        ws.receive_json()
        ws.send_json({"type": "message", "text": "我要找人工"})
        waiting = read_until(ws, is_type("status", status="waiting_agent"))[-1]
        conversation_id = waiting["conversation_id"]
        a02 = login(client, "A02")
        url = f"/api/v1/agent/conversations/{conversation_id}/typing"
        assert client.get(url, headers=a02).json()["customer_typing"] is False
        ws.send_json({"type": "typing", "on": True})
        ws.send_json({"type": "ping"})
        read_until(ws, is_type("pong"))
        assert client.get(url, headers=a02).json()["customer_typing"] is True
    assert client.get(url).status_code == 401


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_frame"),
        ('["a list"]', "bad_frame"),
        ('{"type": "message", "text": "   "}', "invalid_message"),
        ('{"type": "message", "text": 5}', "invalid_message"),
        ('{"type": "message", "text": "' + "x" * 2001 + '"}', "message_too_long"),
        ('{"type": "dance"}', "bad_frame"),
    ],
)
def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    client: TestClient, frame: str, code: str
) -> None:
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1005") as ws:
        ws.receive_json()
        ws.send_text(frame)
        error = ws.receive_json()
        assert error["type"] == "error" and error["code"] == code and error["message"]
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}


@pytest.mark.parametrize(
    ("query", "close_code"),
    [
        ("customer_id=C9999", 4404),
        ("customer_id=C1001&conversation_id=nope", 4404),
        ("customer_id=C1001&token=forged", 4401),
    ],
)
def test_an_unknown_customer_or_bad_token_is_closed(
    client: TestClient, query: str, close_code: int
) -> None:
    with client.websocket_connect(f"/api/v1/ws/chat?{query}") as ws:
        assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == close_code


# ---- production mode: a signed identity is required -----------------------------------------


@pytest.fixture
def production(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, Settings]]:
    from kefu.api.app import create_app

    demo_data_for_production(tmp_path / "prod", database_url)
    settings = Settings(
        data_dir=tmp_path / "prod",
        database_url=database_url,
        mode=Mode.PRODUCTION,
        **PRODUCTION_SECRETS,
    )
    shop = Kefu.start(settings)
    shop.dialogue.nlu  # noqa: B018
    with TestClient(create_app(kefu=shop), raise_server_exceptions=False) as c:
        yield c, settings
    shop.close()


def test_production_needs_the_customers_own_token_everywhere(
    production: tuple[TestClient, Settings],
) -> None:
    client, settings = production
    mine = issue_customer_token("C1001", settings.secret_key, ttl_s=600)
    theirs = issue_customer_token("C1002", settings.secret_key, ttl_s=600)
    expired = issue_customer_token("C1001", settings.secret_key, ttl_s=-1)
    body = {"channel": "web", "customer_id": "C1001", "text": "在吗"}
    for headers in (
        {},
        {"Authorization": f"Bearer {theirs}"},
        {"Authorization": f"Bearer {expired}"},
    ):
        refused = client.post("/api/v1/messages", json=body, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["message"]
    ok = client.post("/api/v1/messages", json={**body, "token": mine})
    assert ok.status_code == 200, ok.text
    history = f"/api/v1/conversations/{ok.json()['conversation_id']}/messages?customer_id=C1001"
    assert client.get(history).status_code == 401
    assert client.get(history, headers={"Authorization": f"Bearer {mine}"}).status_code == 200
    with client.websocket_connect("/api/v1/ws/chat?customer_id=C1001") as ws:
        assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
    # the token goes in the first frame (or a header), never the URL that access logs keep
    with client.websocket_connect(f"/api/v1/ws/chat?customer_id=C1001&token={mine}") as ws:
        assert ws.receive_json()["code"] == "token_in_url"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
    for first in ({"type": "auth", "token": theirs}, {"type": "message", "text": "在吗"}):
        with client.websocket_connect("/api/v1/ws/chat?customer_id=C1001") as ws:
            ws.send_json(first)
            assert ws.receive_json()["type"] == "error"
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == 4401
    with client.websocket_connect("/api/v1/ws/chat") as ws:
        ws.send_json({"type": "auth", "token": mine})
        ready = ws.receive_json()
    assert ready["type"] == "ready" and ready["conversation_id"] == ok.json()["conversation_id"]
    bearer = {"Authorization": f"Bearer {mine}"}
    with client.websocket_connect("/api/v1/ws/chat", headers=bearer) as ws:
        assert ws.receive_json()["type"] == "ready"


# ---- two workers: the socket on one, the message stored by the other -------------------------


@pytest.mark.redis
def test_a_message_stored_by_another_worker_reaches_the_socket(
    tmp_path: Path, database_url: str, redis_url: str
) -> None:
    from kefu.api.app import create_app

    settings = Settings(data_dir=tmp_path / "w", database_url=database_url, redis_url=redis_url)
    one, two = Kefu.start(settings), Kefu.start(settings)
    for worker in (one, two):
        worker.dialogue.nlu  # noqa: B018
    try:
        with (
            TestClient(create_app(kefu=one)) as first,
            TestClient(create_app(kefu=two)) as second,
            first.websocket_connect("/api/v1/ws/chat?customer_id=C1001") as ws,
        ):
            ws.receive_json()
            seen = messages(say(ws, "在吗", "w-1"))
            sent = second.post(
                "/api/v1/messages",
                json={"channel": "web", "customer_id": "C1001", "text": "谢谢"},
            ).json()
            pushed = read_until(ws, lambda f: f["type"] == "message" and f["sender"] == "bot")
        assert messages(pushed)[0]["text"] == "谢谢"
        assert messages(pushed)[0]["seq"] == seen[-1]["seq"] + 1
        assert sent["conversation_id"] == seen[0]["conversation_id"]
    finally:
        one.close()
        two.close()
