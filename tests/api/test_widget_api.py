"""The embeddable widget's server side: the launcher's settings across origins (only to the allowed
sites in production), guests known by a visitor id over the socket, read receipts, 留言 that
becomes a ticket the desk sees, the rating card's 问题解决了吗, order cards, and refusals: bad
input a clear 4xx, another customer's data never shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from kefu.config import Mode, Settings
from kefu.edge.identity import issue_customer_token
from kefu.store.tables.conversations import ConversationEventRow
from kefu.wiring import Kefu
from tests.api.test_realtime import is_type, read_until, say
from tests.conftest import PRODUCTION_SECRETS, demo_data_for_production
from tests.web.test_chat_image import png

SHOP = "https://shop.example"
VISITOR = "v-3f2a9c1e-widget-guest"


@pytest.fixture(autouse=True)
def warm_nlu(kefu: Kefu) -> None:
    kefu.dialogue.nlu  # noqa: B018


def _login(client: TestClient, agent_id: str, password: str = "demo") -> dict[str, str]:
    r = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_launcher_reads_name_welcome_and_hours_in_the_shoppers_language(
    client: TestClient,
) -> None:
    zh = client.get("/api/v1/widget/config", params={"lang": "zh-CN"}, headers={"origin": SHOP})
    assert zh.status_code == 200
    body = zh.json()
    assert body["shop_name"] == "云杉优选" and "欢迎" in body["welcome"]
    assert body["hours"]["opens"] == "09:00" and "09:00–24:00" in body["hours_text"]
    assert isinstance(body["agents_online"], bool) and isinstance(body["open_now"], bool)
    # demo mode with no allow-list: any site may try the widget
    assert zh.headers["access-control-allow-origin"] == "*"
    tw = client.get("/api/v1/widget/config", params={"lang": "zh-TW"}).json()
    assert tw["shop_name"] == "雲杉優選" and "歡迎" in tw["welcome"]
    en = client.get("/api/v1/widget/config", params={"lang": "en-GB"}).json()
    assert en["shop_name"] == "Spruce Select" and "Beijing" in en["hours_text"]
    # the rest of the API stays same-origin
    other = client.get("/healthz", headers={"origin": SHOP})
    assert "access-control-allow-origin" not in other.headers

    loader = client.get("/widget.js")
    assert loader.status_code == 200 and "javascript" in loader.headers["content-type"]
    assert "/api/v1/widget/config" in loader.text
    page = client.get("/widget")
    assert (
        page.status_code == 200 and "frame-ancestors *" in page.headers["content-security-policy"]
    )


def test_a_guest_is_one_guest_across_reconnects_and_sees_when_a_person_read(
    client: TestClient, kefu: Kefu
) -> None:
    url = f"/api/v1/ws/chat?channel=web&visitor={VISITOR}"
    with client.websocket_connect(url) as ws:
        assert read_until(ws, is_type("ready"))[-1]["conversation_id"] is None
        frames = say(ws, "我要转人工", "m1")
        conversation_id = next(f for f in frames if f["type"] == "ack")["conversation_id"]
        mine = [f for f in frames if f["type"] == "message" and f["sender"] == "customer"]
        assert mine and mine[0]["text"] == "我要转人工"
    stored = kefu.dialogue.store.get(conversation_id)
    assert stored is not None and stored.customer_id.startswith("G")

    # the same visitor id (kept in the browser) is the same guest: history comes back
    with client.websocket_connect(url) as ws:
        ready = read_until(ws, is_type("ready"))[-1]
        assert ready["conversation_id"] == conversation_id
        backlog = read_until(ws, lambda f: f["type"] == "message" and f["sender"] == "customer")
        assert backlog[-1]["text"] == "我要转人工"
        # a person opens the chat: the guest's side hears that it was read
        sup = _login(client, "S01")
        accepted = client.post(f"/api/v1/agent/conversations/{conversation_id}/accept", headers=sup)
        assert accepted.status_code == 200, accepted.text
        viewed = client.get(f"/api/v1/agent/conversations/{conversation_id}", headers=sup)
        assert viewed.status_code == 200
        read = read_until(ws, is_type("read"))[-1]
        assert read["seq"] >= backlog[-1]["seq"]

    # the guest's photo: sent and read back with the visitor id, by nobody else
    sent = client.post(
        f"/api/v1/conversations/{conversation_id}/images",
        params={"visitor": VISITOR},
        content=png(),
        headers={"content-type": "image/png"},
    )
    assert sent.status_code == 201, sent.text
    image_id = sent.json()["image"]["id"]
    assert client.get(f"/api/v1/images/{image_id}", params={"visitor": VISITOR}).content == png()
    other = client.get(f"/api/v1/images/{image_id}", params={"visitor": "v-someone-else-123"})
    assert other.status_code == 404

    # another visitor sees nothing of it, and cannot ask for it by id
    with client.websocket_connect("/api/v1/ws/chat?channel=web&visitor=v-someone-else-123") as ws:
        assert read_until(ws, is_type("ready"))[-1]["conversation_id"] is None
    with client.websocket_connect(
        f"/api/v1/ws/chat?channel=web&visitor=v-someone-else-123&conversation_id={conversation_id}"
    ) as ws:
        refused = ws.receive_json()
        assert refused["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4404
    with client.websocket_connect("/api/v1/ws/chat?channel=web&visitor=short") as ws:
        assert ws.receive_json()["code"] == "invalid_visitor"


def test_a_left_message_becomes_a_ticket_the_desk_sees_and_bad_input_is_refused(
    client: TestClient,
) -> None:
    bad: list[tuple[dict[str, Any], int]] = [
        ({"text": "", "visitor": VISITOR}, 422),
        ({"text": "   ", "visitor": VISITOR}, 422),
        ({"text": "x" * 1001, "visitor": VISITOR}, 422),
        ({"text": "请回电", "visitor": VISITOR, "phone": "call me maybe"}, 422),
        ({"text": "请回电", "visitor": "short"}, 422),
        ({"text": "请回电"}, 422),  # nobody named
        ({"text": "请回电", "customer_id": "C9999"}, 404),
    ]
    for body, status in bad:
        r = client.post("/api/v1/widget/left-messages", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["error"]["message"]
    left = client.post(
        "/api/v1/widget/left-messages",
        json={"text": "羽绒服什么时候补货？请回电", "phone": "13800001111", "visitor": VISITOR},
    )
    assert left.status_code == 201, left.text
    ticket_id = left.json()["ticket_id"]
    # the desk sees it (a supervisor sees every ticket), with the words and the call-back number
    headers = _login(client, "S01")
    tickets = client.get("/api/v1/agent/tickets", headers=headers).json()
    ticket = next(t for t in tickets if t["id"] == ticket_id)
    detail = client.get(f"/api/v1/agent/tickets/{ticket_id}", headers=headers).json()
    text = str(detail)
    assert "羽绒服什么时候补货" in text and "13800001111" in text
    assert ticket["customer_id"].startswith("G")

    # another customer's conversation is never a place to leave a message
    chat = client.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1001", "text": "在吗"}
    ).json()
    foreign = client.post(
        "/api/v1/widget/left-messages",
        json={"text": "hi", "customer_id": "C1002", "conversation_id": chat["conversation_id"]},
    )
    assert foreign.status_code == 404


def test_the_rating_card_records_resolved_and_only_for_the_customers_own_chat(
    client: TestClient, kefu: Kefu
) -> None:
    chat = client.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1002", "text": "我要转人工"}
    ).json()
    conversation_id = chat["conversation_id"]
    body = {"conversation_id": conversation_id, "customer_id": "C1002", "score": 4}
    early = client.post("/api/v1/widget/rating", json=body)
    assert early.status_code == 409  # not closed yet
    agent = _login(client, "S01")
    accepted = client.post(f"/api/v1/agent/conversations/{conversation_id}/accept", headers=agent)
    assert accepted.status_code == 200, accepted.text
    closed = client.post(
        f"/api/v1/agent/conversations/{conversation_id}/close",
        json={"resolution": "已解答"},
        headers=agent,
    )
    assert closed.status_code == 200, closed.text
    for wrong, status in (
        ({**body, "score": 6}, 422),
        ({**body, "score": "4"}, 422),
        ({**body, "resolved": "maybe"}, 422),
        ({**body, "customer_id": "C1001"}, 404),  # someone else's conversation
        ({**body, "customer_id": None, "visitor": VISITOR}, 404),
    ):
        r = client.post("/api/v1/widget/rating", json=wrong)
        assert r.status_code == status, (wrong, r.text)
    rated = client.post(
        "/api/v1/widget/rating", json={**body, "resolved": False, "comment": "还没退款"}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["resolved"] is False and rated.json()["score"] == 4
    with kefu.db.session() as s:
        events = s.scalars(
            select(ConversationEventRow).where(
                ConversationEventRow.conversation_id == conversation_id
            )
        ).all()
    assert any(e.kind == "rating_resolved" and e.detail == {"resolved": False} for e in events)


def test_order_cards_are_the_customers_own(client: TestClient) -> None:
    cards = client.get("/api/v1/widget/orders", params={"customer_id": "C1001"})
    assert cards.status_code == 200
    orders = cards.json()
    assert orders and all(o["order_id"].startswith("E") for o in orders)
    assert all(o["items"] and o["total"] for o in orders)
    other = {o["order_id"] for o in client.get("/api/v1/widget/orders?customer_id=C1002").json()}
    assert not other & {o["order_id"] for o in orders}
    assert client.get("/api/v1/widget/orders", params={"visitor": VISITOR}).json() == []
    product = client.get("/api/v1/widget/products/P1003", params={"lang": "en"})
    assert product.status_code == 200 and product.json()["sku"] == "P1003"
    for sku in ("NOPE", "../etc", "x" * 40):
        assert client.get(f"/api/v1/widget/products/{sku}").status_code == 404


@pytest.fixture
def production(tmp_path: Path) -> Iterator[TestClient]:
    from kefu.api.app import create_app

    demo_data_for_production(tmp_path / "prod")
    settings = Settings(
        data_dir=tmp_path / "prod", mode=Mode.PRODUCTION, widget_origins=SHOP, **PRODUCTION_SECRETS
    )
    shop = Kefu.start(settings)
    shop.dialogue.nlu  # noqa: B018
    with TestClient(create_app(kefu=shop), raise_server_exceptions=False) as c:
        yield c
    shop.close()


def test_production_answers_only_the_allowed_sites_and_a_visitor_id_is_no_identity(
    production: TestClient,
) -> None:
    client = production
    allowed = client.get("/api/v1/widget/config", headers={"origin": SHOP})
    assert allowed.headers["access-control-allow-origin"] == SHOP
    stranger = client.get("/api/v1/widget/config", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers
    preflight = client.options(
        "/api/v1/widget/left-messages",
        headers={
            "origin": SHOP,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == SHOP
    assert f"frame-ancestors {SHOP}" in client.get("/widget").headers["content-security-policy"]

    # no token: orders need one; a claimed customer id is not one
    assert client.get("/api/v1/widget/orders", params={"customer_id": "C1001"}).status_code == 401
    token = issue_customer_token("C1001", PRODUCTION_SECRETS["secret_key"])
    mine = client.get("/api/v1/widget/orders", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200 and mine.json()
    mismatch = client.get(
        "/api/v1/widget/orders",
        params={"customer_id": "C1002"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert mismatch.status_code == 401

    # a guest writes with a visitor id, then signs in on the shop's site: the guest becomes
    # C1001, and the visitor id alone no longer opens that history
    visitor = "v-guest-who-signs-in-01"
    url = f"/api/v1/ws/chat?channel=web&visitor={visitor}"
    with client.websocket_connect(url) as ws:
        read_until(ws, is_type("ready"))
        say(ws, "你们几点发货", "p1")
    linked = client.post(
        "/api/v1/messages",
        json={"channel": "web", "channel_user_id": visitor, "text": "我的订单到哪了"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert linked.status_code == 200, linked.text
    with client.websocket_connect(url) as ws:
        refused = ws.receive_json()
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
    left = client.post("/api/v1/widget/left-messages", json={"text": "hi", "visitor": visitor})
    assert left.status_code == 401
    assert client.post("/api/v1/widget/left-messages", json={"text": "hi"}).status_code == 401
