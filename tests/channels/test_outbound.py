"""Outbound deliveries: stored first, retried with backoff, given up in the end, and the HTTP
shapes of the WeChat customer-service API and of signed webhook callbacks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kefu.channels.outbound import (
    CallbackSender,
    DeliveryFailed,
    Outbox,
    RecordingSender,
    RetryPolicy,
    WechatCustomerServiceSender,
)
from kefu.channels.webhook import verify
from kefu.runtime.shared import InProcessState
from kefu.store.channel_repo import FAILED, PENDING, SENT, Delivery, SqlChannelStore
from kefu.store.db import Database
from kefu.store.seed import prepare_database

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[SqlChannelStore]:
    db = Database.from_url(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    prepare_database(db, seed=False)
    yield SqlChannelStore(db)
    db.dispose()


def _outbox(store: SqlChannelStore, sender: RecordingSender) -> Outbox:
    return Outbox(store, {"wechat": sender}, RetryPolicy(first_delay_s=10, max_attempts=3))


def test_a_due_delivery_is_sent_once(store: SqlChannelStore) -> None:
    sender = RecordingSender()
    outbox = _outbox(store, sender)
    delivery_id = store.enqueue("wechat", "oWx_1", {"text": "您好"}, NOW)
    assert outbox.deliver_due(NOW) == {"sent": 1, "retrying": 0, "failed": 0}
    assert outbox.deliver_due(NOW + timedelta(hours=1)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert [d.payload["text"] for d in sender.sent] == ["您好"]
    assert store.get(delivery_id).status == SENT  # type: ignore[union-attr]


def test_a_failed_delivery_is_retried_later_with_growing_delays(store: SqlChannelStore) -> None:
    sender = RecordingSender(fail_times=2)
    outbox = _outbox(store, sender)
    delivery_id = store.enqueue("wechat", "oWx_1", {"text": "您好"}, NOW)
    assert outbox.deliver_due(NOW)["retrying"] == 1
    first_retry = store.get(delivery_id).next_attempt_at  # type: ignore[union-attr]
    assert first_retry == NOW + timedelta(seconds=10)
    assert outbox.deliver_due(NOW + timedelta(seconds=5))["retrying"] == 0  # not due yet
    assert outbox.deliver_due(first_retry)["retrying"] == 1
    second_retry = store.get(delivery_id).next_attempt_at  # type: ignore[union-attr]
    assert second_retry == first_retry + timedelta(seconds=20)
    assert outbox.deliver_due(second_retry)["sent"] == 1
    assert len(sender.sent) == 1 and store.get(delivery_id).attempts == 3  # type: ignore[union-attr]


def test_a_delivery_that_keeps_failing_is_given_up_with_the_reason(store: SqlChannelStore) -> None:
    outbox = _outbox(store, RecordingSender(fail_times=99))
    delivery_id = store.enqueue("wechat", "oWx_1", {"text": "您好"}, NOW)
    at = NOW
    for _ in range(3):
        outbox.deliver_due(at)
        at += timedelta(hours=2)
    delivery = store.get(delivery_id)
    assert delivery is not None and delivery.status == FAILED and delivery.attempts == 3
    assert "fail" in (delivery.last_error or "")


def test_two_workers_never_send_the_same_delivery(store: SqlChannelStore) -> None:
    sender = RecordingSender()
    delivery_id = store.enqueue("wechat", "oWx_1", {"text": "您好"}, NOW)
    stale = store.get(delivery_id)
    assert stale is not None
    assert _outbox(store, sender).attempt(stale, NOW) == "sent"
    assert _outbox(store, sender).attempt(stale, NOW) is None
    assert len(sender.sent) == 1


def _delivery(target: str, payload: dict[str, object]) -> Delivery:
    return Delivery("d1", "wechat", target, dict(payload), PENDING, 0, NOW, None)


def test_the_wechat_sender_fetches_a_token_once_and_posts_the_text() -> None:
    calls: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "AT1", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    client = httpx.Client(transport=httpx.MockTransport(api))
    sender = WechatCustomerServiceSender("wxapp", "secret", InProcessState(), client)
    sender.send(_delivery("oWx_1", {"text": "您好"}))
    sender.send(_delivery("oWx_1", {"text": "再见"}))
    assert [c.url.path for c in calls] == [
        "/cgi-bin/token",
        "/cgi-bin/message/custom/send",
        "/cgi-bin/message/custom/send",
    ]
    sent = json.loads(calls[1].content)
    assert sent == {"touser": "oWx_1", "msgtype": "text", "text": {"content": "您好"}}
    assert calls[1].url.params["access_token"] == "AT1"


def test_wechat_refusing_a_customer_outside_48_hours_is_not_retried() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "AT1", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 45015, "errmsg": "response out of time"})

    client = httpx.Client(transport=httpx.MockTransport(api))
    sender = WechatCustomerServiceSender("wxapp", "secret", InProcessState(), client)
    with pytest.raises(DeliveryFailed) as caught:
        sender.send(_delivery("oWx_1", {"text": "您好"}))
    assert caught.value.permanent


def PUBLIC_DNS(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]  # what app.example resolves to, without asking a DNS server


def test_a_callback_is_signed_so_the_platform_can_check_it() -> None:
    seen: list[httpx.Request] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = CallbackSender(
        "s3cret", httpx.Client(transport=httpx.MockTransport(platform)), resolve=PUBLIC_DNS
    )
    sender.send(_delivery("https://app.example/cb", {"text": "您好"}))
    request = seen[0]
    verify(dict(request.headers), request.content, "s3cret", 300, datetime.now(UTC).timestamp())
    assert json.loads(request.content) == {"delivery_id": "d1", "text": "您好"}


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (410, True)])
def test_a_callback_error_says_whether_to_retry(status: int, permanent: bool) -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(status)))
    with pytest.raises(DeliveryFailed) as caught:
        CallbackSender("s", client, resolve=PUBLIC_DNS).send(
            _delivery("https://app.example/cb", {})
        )
    assert caught.value.permanent is permanent
