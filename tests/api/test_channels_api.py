"""WeChat and signed-webhook channels over HTTP: verification, replies, retries answered once,
late replies delivered afterwards, agent replies pushed back, one history across channels."""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kefu.channels.hub import Channels, channels_of
from kefu.channels.outbound import CallbackSender, RecordingSender
from kefu.channels.webhook import verify
from kefu.dialogue import Turn, TurnResult
from kefu.store.channel_repo import SqlChannelStore
from kefu.wiring import Kefu
from tests.channels.support import (
    BOTH_BACKENDS,
    WEBHOOK_SECRET,
    database_url,
    eventually,
    login,
    post_webhook,
    post_wechat,
    wechat_query,
)

__all__ = ["database_url"]  # the fixture: SQLite, or both backends where BOTH_BACKENDS says


@pytest.fixture(autouse=True)
def warm_nlu(kefu: Kefu) -> None:
    """Load the NLU before the first message, as the served app does at start: a cold model
    would eat WeChat's 5 s budget in the first test."""
    kefu.dialogue.nlu  # noqa: B018


@pytest.fixture
def channels(client: TestClient, kefu: Kefu) -> Channels:
    return channels_of(kefu)


def _count_turns(channels: Channels, delay_s: float = 0.0) -> list[str]:
    """Wrap the turn runner of both inbound channels: the texts of the turns that ran."""
    ran: list[str] = []
    lock = threading.Lock()
    real = channels.wechat.run_turn

    def counted(turn: Turn) -> TurnResult:
        with lock:
            ran.append(str(turn.text))
        time.sleep(delay_s)
        return real(turn)

    channels.wechat.run_turn = counted
    channels.webhook.run_turn = counted
    return ran


def _content(response: httpx.Response) -> str:
    return ET.fromstring(response.text).findtext("Content") or ""


# ---- WeChat ---------------------------------------------------------------------------------


def test_wechat_url_verification_echoes_only_for_our_signature(client: TestClient) -> None:
    good = client.get(f"/channels/wechat?{wechat_query()}&echostr=abc123")
    assert good.status_code == 200 and good.text == "abc123"
    bad = client.get(f"/channels/wechat?{wechat_query(token='forged')}&echostr=abc123")
    missing = client.get("/channels/wechat?echostr=abc123")
    assert bad.status_code == missing.status_code == 403
    assert "abc123" not in bad.text and bad.json()["error"]["code"] == "bad_signature"


def test_a_wechat_message_with_a_bad_signature_is_not_handled(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels)
    body = b"<xml><FromUserName>oWx_c1001</FromUserName><MsgType>text</MsgType></xml>"
    response = client.post("/channels/wechat?signature=0&timestamp=1&nonce=2", content=body)
    assert response.status_code == 403 and ran == []


def test_a_wechat_text_gets_a_passive_text_reply(client: TestClient) -> None:
    response = post_wechat(client, "oWx_c1001", "ZT7788990011 这个单号现在在哪", "7001")
    assert response.status_code == 200
    root = ET.fromstring(response.text)
    assert root.findtext("ToUserName") == "oWx_c1001"
    assert root.findtext("FromUserName") == "gh_shop"
    assert root.findtext("MsgType") == "text"
    assert "派送" in _content(response)


@BOTH_BACKENDS
def test_a_retried_msgid_gets_the_same_reply_and_runs_once(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels)
    answers = [
        _content(post_wechat(client, "oWx_c1001", "我的羽绒服到哪了", "7002")) for _ in "123"
    ]
    assert answers[0] and answers == [answers[0]] * 3
    assert ran == ["我的羽绒服到哪了"]


def test_retries_that_arrive_while_the_first_runs_wait_for_its_answer(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels, delay_s=0.3)
    answers: list[str] = []

    def send() -> None:
        answers.append(_content(post_wechat(client, "oWx_c1001", "退款咋还没到", "7003")))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ran) == 1 and len(set(answers)) == 1 and answers[0]


def test_a_retry_takes_over_a_message_whose_first_worker_died(
    client: TestClient, channels: Channels
) -> None:
    # a worker claimed MsgId 7005 and died before answering: no reply stored, no live lease
    assert channels.store.claim_receipt("wechat", "oWx_c1001:7005", datetime.now(UTC))
    ran = _count_turns(channels)
    retry = post_wechat(client, "oWx_c1001", "我的羽绒服到哪了", "7005")
    assert _content(retry) and ran == ["我的羽绒服到哪了"]  # answered, not swallowed
    again = post_wechat(client, "oWx_c1001", "我的羽绒服到哪了", "7005")
    assert _content(again) == _content(retry) and len(ran) == 1


def test_a_slow_turn_answers_success_and_delivers_the_reply_later(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels, delay_s=1.5)
    channels.wechat.budget_s = 0.1
    sender = channels.outbox.senders["wechat"]
    assert isinstance(sender, RecordingSender)
    started = time.monotonic()
    response = post_wechat(client, "oWx_c1006", "耳机什么时候补货", "7004")
    assert response.text == "success" and time.monotonic() - started < 1.2  # not the turn's 1.5
    delivered = eventually(lambda: sender.sent)
    assert delivered[0].target == "oWx_c1006" and delivered[0].payload["text"]
    # WeChat's retry after its 5 s: no second turn, and no second copy of the reply
    retry = post_wechat(client, "oWx_c1006", "耳机什么时候补货", "7004")
    assert retry.text == "success" and len(ran) == 1 and len(sender.sent) == 1


@BOTH_BACKENDS
def test_an_unknown_openid_becomes_a_guest_customer_who_keeps_their_history(
    client: TestClient, kefu: Kefu
) -> None:
    first = post_wechat(client, "oWx_brand_new", "在吗", "7005")
    assert first.status_code == 200 and _content(first)
    post_wechat(client, "oWx_brand_new", "谢谢", "7006")
    customer = kefu.commerce.find_customer_by_identity("wechat", "oWx_brand_new")
    assert customer is not None
    conversations = kefu.dialogue.store.of_customer(customer.id)
    assert len(conversations) == 1
    texts = [m["text"] for m in kefu.dialogue.history(conversations[0].id, customer.id)]
    assert texts[0] == "在吗" and "谢谢" in texts


def _wechat_xml(msg_type: str, extra: str) -> bytes:
    return (
        "<xml><ToUserName>gh_shop</ToUserName><FromUserName>oWx_c1001</FromUserName>"
        f"<CreateTime>1700000000</CreateTime><MsgType>{msg_type}</MsgType>{extra}</xml>"
    ).encode()


@pytest.mark.parametrize(
    ("msg_type", "extra", "expected"),
    [
        ("event", "<Event>subscribe</Event>", "感谢关注"),
        ("image", "<PicUrl>http://x/1.jpg</PicUrl><MsgId>8001</MsgId>", "图片"),
        ("voice", "<MediaId>m</MediaId><MsgId>8002</MsgId>", "语音"),
        ("location", "<Location_X>1</Location_X><MsgId>8003</MsgId>", "文字"),
    ],
)
def test_messages_without_text_get_a_helpful_answer(
    client: TestClient, msg_type: str, extra: str, expected: str
) -> None:
    response = client.post(
        f"/channels/wechat?{wechat_query()}", content=_wechat_xml(msg_type, extra)
    )
    assert response.status_code == 200 and expected in _content(response)


def test_an_unsubscribe_event_is_acknowledged_silently(client: TestClient) -> None:
    body = _wechat_xml("event", "<Event>unsubscribe</Event>")
    assert client.post(f"/channels/wechat?{wechat_query()}", content=body).text == "success"


def test_a_body_with_entities_is_refused(client: TestClient) -> None:
    body = b'<!DOCTYPE x [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>'
    response = client.post(f"/channels/wechat?{wechat_query()}", content=body)
    assert response.status_code == 400 and "error" in response.json()


# ---- webhooks -------------------------------------------------------------------------------

CONTRACT = {
    "conversation_id",
    "message_id",
    "replies",
    "intent",
    "confidence",
    "entities",
    "sentiment",
    "handoff",
    "status",
}


def test_a_signed_webhook_message_gets_the_contract_reply(client: TestClient) -> None:
    body = {"event_id": "ev-1", "user_id": "app-u-77001", "text": "ZT7788990011 到哪了"}
    response = post_webhook(client, "app", body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == CONTRACT and response.json()["intent"] == "logistics"


def test_a_webhook_with_a_bad_signature_is_refused_and_not_handled(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels)
    body = {"event_id": "ev-2", "user_id": "app-u-77001", "text": "在吗"}
    response = post_webhook(client, "app", body, secret="guessed")
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_signature"
    unsigned = client.post("/channels/webhook/app", json=body)
    assert unsigned.status_code == 401 and ran == []


def test_a_stale_webhook_is_refused(client: TestClient) -> None:
    body = {"event_id": "ev-3", "user_id": "app-u-77001", "text": "在吗"}
    response = post_webhook(client, "app", body, at=time.time() - 3600)
    assert response.status_code == 401 and response.json()["error"]["code"] == "stale"


@BOTH_BACKENDS
def test_a_retried_webhook_gets_the_first_answer_without_a_second_turn(
    client: TestClient, channels: Channels
) -> None:
    ran = _count_turns(channels)
    body = {"event_id": "ev-4", "user_id": "dy-55002", "text": "退款咋还没到"}
    first = post_webhook(client, "douyin", body)
    # the platform's retry signs the same event anew (a new timestamp)
    again = post_webhook(client, "douyin", body, at=time.time() + 1)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["x-kefu-replay"] == "true"
    assert ran == ["退款咋还没到"]


def test_a_webhook_for_an_unknown_platform_is_not_found(client: TestClient) -> None:
    response = post_webhook(client, "fax", {"event_id": "e", "user_id": "u", "text": "hi"})
    assert response.status_code == 404


def test_bad_text_in_a_webhook_is_the_contracts_4xx(client: TestClient) -> None:
    response = post_webhook(client, "api", {"event_id": "ev-5", "user_id": "u-9", "text": ""})
    assert 400 <= response.status_code < 500 and "error" in response.json()


# ---- one customer, every channel ------------------------------------------------------------


@BOTH_BACKENDS
def test_one_customer_sees_one_history_across_web_wechat_and_app(client: TestClient) -> None:
    web = client.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1001", "text": "在吗"}
    ).json()
    post_wechat(client, "oWx_c1001", "我的羽绒服到哪了", "7100")
    post_webhook(client, "app", {"event_id": "ev-7100", "user_id": "app-u-77001", "text": "谢谢"})
    history = client.get(
        f"/api/v1/conversations/{web['conversation_id']}/messages?customer_id=C1001"
    ).json()
    mine = [m["text"] for m in history if m["sender"] == "customer"]
    assert mine == ["在吗", "我的羽绒服到哪了", "谢谢"]


# ---- agent replies go back to where the customer is -----------------------------------------


def _accept_and_reply(client: TestClient, conversation_id: str, text: str) -> None:
    a02 = login(client, "A02")
    accepted = client.post(f"/api/v1/agent/conversations/{conversation_id}/accept", headers=a02)
    assert accepted.status_code == 200, accepted.text
    sent = client.post(
        f"/api/v1/agent/conversations/{conversation_id}/messages", headers=a02, json={"text": text}
    )
    assert sent.status_code == 200, sent.text


def _conversation_of(kefu: Kefu, customer_id: str) -> str:
    conversations = kefu.dialogue.store.of_customer(customer_id)
    assert conversations
    return str(conversations[0].id)


@BOTH_BACKENDS
def test_an_agent_reply_reaches_a_wechat_customer(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    sender = channels.outbox.senders["wechat"]
    assert isinstance(sender, RecordingSender)
    post_wechat(client, "oWx_c1006", "我要找人工", "7200")
    _accept_and_reply(client, _conversation_of(kefu, "C1006"), "您好，我是客服小李")
    sent = eventually(lambda: [d for d in sender.sent if "小李" in d.payload["text"]])
    assert sent[0].target == "oWx_c1006"


@BOTH_BACKENDS
def test_an_agent_reply_reaches_a_webhook_platform_signed(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    received: list[httpx.Request] = []

    def platform(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    transport = httpx.Client(transport=httpx.MockTransport(platform))
    channels.outbox.senders["douyin"] = CallbackSender(
        WEBHOOK_SECRET, transport, resolve=lambda host, port: ["93.184.216.34"]
    )
    body = {
        "event_id": "ev-7300",
        "user_id": "dy-55002",
        "text": "我要找人工",
        "callback_url": "https://douyin.example/kefu/callback",
    }
    assert post_webhook(client, "douyin", body).status_code == 200
    _accept_and_reply(client, _conversation_of(kefu, "C1002"), "您好，我来帮您看看")

    def agent_calls() -> list[dict[str, Any]]:
        bodies = [json.loads(r.content) for r in received]
        return [b for b in bodies if b["message"]["sender"] == "agent"]

    call = eventually(agent_calls)[0]
    assert call["user_id"] == "dy-55002" and call["message"]["text"] == "您好，我来帮您看看"
    request = received[-1]
    # sent to the address checked after DNS, by name for the Host header and TLS
    assert str(request.url) == "https://93.184.216.34/kefu/callback"
    assert request.headers["host"] == "douyin.example"
    assert request.extensions["sni_hostname"] == "douyin.example"
    verify(dict(request.headers), request.content, WEBHOOK_SECRET, 300, time.time())


def test_an_agent_reply_to_a_web_customer_queues_nothing(client: TestClient, kefu: Kefu) -> None:
    client.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1003", "text": "我要找人工"}
    )
    _accept_and_reply(client, _conversation_of(kefu, "C1003"), "您好")
    assert SqlChannelStore(kefu.db).all() == []
