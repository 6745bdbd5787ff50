"""Inbound channel messages survive a worker that dies mid-turn: the job engine's recovery task (or
the platform's retry) answers them, once, instead of leaving them stuck."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.channels import hub
from kefu.channels.hub import Channels, channels_of
from kefu.channels.outbound import RecordingSender
from kefu.channels.wechat import WechatMessage
from kefu.dialogue import Turn, TurnResult
from kefu.domain.conversations import Sender
from kefu.wiring import Kefu
from tests.channels.support import eventually, post_webhook, post_wechat


@pytest.fixture
def client(kefu: Kefu, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from kefu.api.app import create_app

    # look for unanswered messages soon after they arrive, not after the served 10 s
    monkeypatch.setattr(hub, "RECOVERY_DELAY_S", 0.3)
    kefu.dialogue.nlu  # noqa: B018  (loaded before traffic, as the served app does)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def channels(client: TestClient, kefu: Kefu) -> Channels:
    return channels_of(kefu)


def _history(kefu: Kefu, channels: Channels, platform: str, user_id: str) -> list[Sender]:
    customer_id = channels.store._customer_of(platform, user_id)
    assert customer_id is not None
    (conversation,) = kefu.dialogue.store.of_customer(customer_id)
    return [m.sender for m in kefu.dialogue.store.messages(conversation.id)]


def test_a_webhook_message_whose_first_attempt_dies_is_answered_once_by_the_retry(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    sender = RecordingSender()
    channels.outbox.senders["app"] = sender
    real = channels.webhook.run_turn
    calls: list[str] = []

    def dies_first(turn: Turn) -> TurnResult:
        calls.append(str(turn.text))
        if len(calls) == 1:
            raise RuntimeError("worker killed mid-turn")
        return real(turn)

    channels.webhook.run_turn = dies_first
    body = {
        "event_id": "ev-crash-1",
        "user_id": "app-u-77",
        "text": "耳机什么时候补货",
        "callback_url": "https://app.example/kefu/cb",
    }
    first = post_webhook(client, "app", body)
    assert first.status_code == 202 and first.json()["status"] == "accepted"

    (late,) = eventually(lambda: sender.sent, 15)
    assert late.target == "https://app.example/kefu/cb"
    assert late.payload["status"] == 200 and late.payload["body"]["replies"]
    # the platform's own retry gets the same answer, without a third turn
    again = post_webhook(client, "app", body, at=time.time() + 1)  # a retry is signed anew
    assert again.status_code == 200 and again.json() == late.payload["body"]
    assert len(calls) == 2
    assert _history(kefu, channels, "app", "app-u-77").count(Sender.CUSTOMER) == 1


def test_a_retried_webhook_takes_over_an_event_whose_worker_was_killed(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    # what a kill -9 leaves: the event stored and claimed, no answer, no live lease
    now = datetime.now(UTC)
    payload = {"user_id": "dy-9001", "text": "在吗", "callback_url": None, "at": now.isoformat()}
    assert channels.store.claim_receipt("douyin", "ev-killed", now, payload)
    body = {"event_id": "ev-killed", "user_id": "dy-9001", "text": "在吗"}
    retry = post_webhook(client, "douyin", body)
    assert retry.status_code == 200 and retry.json()["replies"]  # answered, not 409 forever
    assert post_webhook(client, "douyin", body, at=time.time() + 1).json() == retry.json()
    assert _history(kefu, channels, "douyin", "dy-9001").count(Sender.CUSTOMER) == 1


def test_a_wechat_message_whose_worker_died_is_answered_through_the_customer_service_api(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    sender = channels.outbox.senders["wechat"]
    assert isinstance(sender, RecordingSender)
    now = datetime.now(UTC)
    message = WechatMessage(
        "gh_shop", "oWx_c1006", int(now.timestamp()), "text", "退款咋还没到", "9901"
    )
    stored = {**asdict(message), "received_at": now.isoformat()}
    key = message.dedup_key  # the sender and the MsgId
    assert channels.store.claim_receipt("wechat", key, now, stored)  # then the worker died
    kefu.jobs.tasks.recover_inbound.enqueue("wechat", key)

    # only the late reply counts: proactive notices (a periodic task) may go to the same sender
    def replies() -> list[Any]:
        return [d for d in sender.sent if d.payload.get("late")]

    (late,) = eventually(replies, 15)
    assert late.target == "oWx_c1006" and late.payload["text"]
    receipt = channels.store.receipt("wechat", key)
    assert receipt is not None and receipt.reply_text == ""  # answered, through the outbox
    kefu.jobs.tasks.recover_inbound.enqueue("wechat", key)  # a second run changes nothing
    time.sleep(1.5)
    assert len(replies()) == 1


def test_the_recovery_task_behind_an_answered_message_changes_nothing(
    client: TestClient, kefu: Kefu, channels: Channels
) -> None:
    webhook_sender, wechat_sender = RecordingSender(), channels.outbox.senders["wechat"]
    channels.outbox.senders["app"] = webhook_sender
    assert isinstance(wechat_sender, RecordingSender)
    turns: list[str] = []
    real = channels.webhook.run_turn

    def counted(turn: Turn) -> TurnResult:
        turns.append(str(turn.text))
        return real(turn)

    channels.webhook.run_turn = channels.wechat.run_turn = counted
    body = {
        "event_id": "ev-ok-1",
        "user_id": "app-u-88",
        "text": "在吗",
        "callback_url": "https://a.b/c",
    }
    assert post_webhook(client, "app", body).status_code == 200
    assert post_wechat(client, "oWx_c1001", "在吗", "9902").status_code == 200
    # both recovery tasks (0.3 s behind each message) ran, and found the messages answered
    eventually(lambda: kefu.jobs.huey.scheduled_count() == 0 and kefu.jobs.pending() == 0, 10)
    time.sleep(0.5)
    assert turns == ["在吗", "在吗"]
    assert webhook_sender.sent == [] and wechat_sender.sent == []
