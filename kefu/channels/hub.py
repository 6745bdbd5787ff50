"""The channels of one running kefu, and what happens when any message is stored:

- a wake-up on the conversation's pub/sub channel, so chat sockets on every worker read the new
  messages from the database (the source of truth, by ``seq``);
- a person's message (agent reply, desk notice) in a conversation whose customer last wrote on
  WeChat or a webhook platform is queued for outbound delivery there.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

import httpx

from kefu.channels.notices import deliver_notice
from kefu.channels.outbound import (
    CallbackSender,
    OutboundSender,
    Outbox,
    RecordingSender,
    WechatCustomerServiceSender,
    WechatTemplateSender,
)
from kefu.channels.wakeups import WakeUps
from kefu.channels.webhook import PLATFORMS
from kefu.channels.webhook_inbound import WebhookInbound
from kefu.channels.wechat_crypto import WechatCipher
from kefu.channels.wechat_guard import WechatGuard
from kefu.channels.wechat_inbound import WechatInbound
from kefu.commerce.ports import CommercePort
from kefu.config import Settings
from kefu.desk.events import conversation_channel
from kefu.dialogue import Dialogue, Turn, TurnResult
from kefu.domain.conversations import Message, Sender
from kefu.domain.message_events import MessageEvents
from kefu.edge.limits import check_customer
from kefu.runtime.shared import SharedState
from kefu.store.channel_repo import Delivery, SqlChannelStore
from kefu.store.db import Database

log = logging.getLogger("kefu.channels")

HTTP_TIMEOUT_S = 5.0
# how long after an inbound message arrives its recovery task looks whether it was answered:
# longer than WeChat's 5 s window and a message lease, so a live worker is never second-guessed
RECOVERY_DELAY_S = 10.0
_PEOPLE = (Sender.AGENT, Sender.SYSTEM)
_start_lock = threading.Lock()


class DeliveryTask(Protocol):
    def enqueue(self, delivery_id: str, /) -> None: ...

    def schedule(self, delay_s: float, delivery_id: str, /) -> None: ...


class RecoveryTask(Protocol):
    def schedule(self, delay_s: float, channel: str, external_id: str, /) -> None: ...


class ChannelTasks(Protocol):
    @property
    def deliver(self) -> DeliveryTask: ...

    @property
    def recover_inbound(self) -> RecoveryTask: ...


class TaskQueue(Protocol):
    """The job engine as the channels use it: their two tasks and the dead letters."""

    @property
    def tasks(self) -> ChannelTasks: ...

    def record_dead_letter(
        self, task: str, args: list[Any], error: str, attempts: int, at: datetime, /
    ) -> None: ...


class Host(Protocol):
    """What the channels use of a running kefu (``kefu.wiring.Kefu`` is one); the channels
    themselves are kept on it, started on first use by ``channels_of``."""

    channels: Channels | None

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def state(self) -> SharedState: ...

    @property
    def message_events(self) -> MessageEvents: ...

    @property
    def commerce(self) -> CommercePort: ...

    @property
    def dialogue(self) -> Dialogue: ...

    @property
    def jobs(self) -> TaskQueue: ...


def stored_event(message: Message) -> str:
    """The wake-up published per stored message (sockets re-read the database by seq)."""
    return json.dumps(
        {
            "type": "stored",
            "conversation_id": message.conversation_id,
            "seq": message.seq,
            "sender": message.sender.value,
        }
    )


class Channels:
    def __init__(self, kefu: Host, senders: dict[str, OutboundSender] | None = None) -> None:
        settings = kefu.settings
        self.kefu = kefu
        self.store = SqlChannelStore(kefu.db)
        self.http = httpx.Client(timeout=HTTP_TIMEOUT_S)
        self.outbox = Outbox(
            self.store,
            senders or self._default_senders(),
            schedule=self._schedule_delivery,
            on_given_up=self._delivery_given_up,
        )
        self.wechat = WechatInbound(
            self._turn,
            kefu.commerce,
            self.store,
            kefu.state,
            self.outbox,
            budget_s=settings.wechat_reply_budget_s,
            backstop=self._schedule_recovery,
        )
        cipher = None
        if settings.wechat_encoding_aes_key and settings.wechat_app_id:
            cipher = WechatCipher(
                settings.wechat_token, settings.wechat_encoding_aes_key, settings.wechat_app_id
            )
        self.wechat_guard = WechatGuard(
            settings.wechat_token, kefu.state, cipher, settings.wechat_accept_plaintext
        )
        self.webhook = WebhookInbound(
            self._turn,
            self.store,
            settings.webhook_secret_for,
            settings.webhook_max_skew_s,
            state=kefu.state,
            backstop=self._schedule_recovery,
            late_reply=self._late_webhook_reply,
        )
        self.wakeups = WakeUps(kefu.state.publish_all)
        self._stop_listening = kefu.message_events.subscribe(self.on_messages)

    def _default_senders(self) -> dict[str, OutboundSender]:
        settings = self.kefu.settings
        senders: dict[str, OutboundSender] = {
            p: CallbackSender(settings.webhook_secret_for(p), self.http) for p in PLATFORMS
        }
        if settings.wechat_app_id and settings.wechat_app_secret:
            senders["wechat"] = WechatCustomerServiceSender(
                settings.wechat_app_id, settings.wechat_app_secret, self.kefu.state, self.http
            )
        else:
            senders["wechat"] = RecordingSender()
        # WeChat template messages (service notices outside the 48-hour window): recorded until the
        # shop's account and its approved notice template are configured
        template_id = settings.wechat_notice_template_id
        if settings.wechat_app_id and settings.wechat_app_secret and template_id:
            senders["wechat_template"] = WechatTemplateSender(
                settings.wechat_app_id,
                settings.wechat_app_secret,
                template_id,
                self.kefu.state,
                self.http,
            )
        else:
            senders["wechat_template"] = RecordingSender()
        return senders

    # ---- the job engine's side ------------------------------------------------------------------
    def _schedule_delivery(self, delivery_id: str, delay_s: float) -> None:
        deliver = self.kefu.jobs.tasks.deliver
        try:
            if delay_s <= 0:
                deliver.enqueue(delivery_id)
            else:
                deliver.schedule(delay_s, delivery_id)
        except Exception:  # the queue is down: the delivery is stored, the minute sweep sends it
            log.exception("could not queue delivery %s", delivery_id)

    def _schedule_recovery(self, channel: str, external_id: str) -> None:
        try:
            self.kefu.jobs.tasks.recover_inbound.schedule(RECOVERY_DELAY_S, channel, external_id)
        except Exception:  # the queue is down: answer now all the same; a platform retry recovers
            log.exception("could not queue the recovery of %s/%s", channel, external_id)

    def _delivery_given_up(self, delivery: Delivery, error: str) -> None:
        self.kefu.jobs.record_dead_letter(
            "outbound.deliver",
            [delivery.id, delivery.channel],
            error,
            delivery.attempts,
            datetime.now(UTC),
        )

    def _late_webhook_reply(
        self, platform: str, user_id: str, callback_url: str, record: dict[str, Any]
    ) -> None:
        """An answer whose request had gone (its worker died, or the turn failed at first)."""
        payload = {"type": "reply", "user_id": user_id, **record}
        self.outbox.enqueue(platform, callback_url, payload, datetime.now(UTC))

    @property
    def dialogue(self) -> Dialogue:
        dialogue: Dialogue = self.kefu.dialogue
        return dialogue

    def _turn(self, turn: Turn) -> TurnResult:
        # per customer whatever the channel; not per address: WeChat and the platforms call from
        # a few servers of their own, shared by all of their users
        return self.dialogue.handle(turn, admit=partial(check_customer, self.kefu))

    # ---- every stored message ----------------------------------------------------------------
    def on_messages(self, messages: Sequence[Message]) -> None:
        """The messages of one write: one wake-up per conversation (its open sockets re-read
        everything after the last seq they sent, so the last message stands for all), then a
        person's message on its way to the customer's channel."""
        last = {m.conversation_id: m for m in messages}
        # published on the wake-ups' thread: the turn answers without waiting for the round trip
        self.wakeups.send([(conversation_channel(cid), stored_event(m)) for cid, m in last.items()])
        for message in messages:
            if message.sender in _PEOPLE:
                self.route_to_channel(message)

    def route_to_channel(self, message: Message, now: datetime | None = None) -> str | None:
        """Queue a person's message for the customer's non-web channel; the delivery id."""
        route = self.store.reply_route(message.conversation_id)
        if route is None:
            return None
        customer_id, channel = route
        now = now or datetime.now(UTC)
        if message.kind == "notice":  # kefu.notify chose the channel under the notice rules
            return deliver_notice(self.store, self.outbox, message, customer_id, now)
        if channel == "wechat":
            if message.kind == "survey":  # rating is a web widget feature; WeChat cannot show it
                return None
            open_id = self.store.identity_of(customer_id, "wechat")
            if open_id is None:
                return None
            return self.outbox.enqueue("wechat", open_id, {"text": message.text}, now)
        if channel in PLATFORMS:
            user_id = self.store.identity_of(customer_id, channel)
            url = self.store.callback(channel, user_id) if user_id else None
            if user_id is None or url is None:
                log.info("no callback for %s on %s: agent reply not pushed", customer_id, channel)
                return None
            return self.outbox.enqueue(channel, url, _callback_payload(message, user_id), now)
        return None  # web: the chat socket shows it

    def close(self) -> None:
        self._stop_listening()
        self.wakeups.close()
        self.outbox.close()
        self.http.close()


def _callback_payload(message: Message, user_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "user_id": user_id,
        "conversation_id": message.conversation_id,
        "message": {
            "id": message.id,
            "seq": message.seq,
            "sender": message.sender.value,
            "text": message.text,
            "at": message.at.isoformat(),
            "kind": message.kind,
        },
    }


def channels_of(kefu: Host) -> Channels:
    """The channels of this kefu, started on first use (API lifespan, CLI jobs, tests)."""
    with _start_lock:
        if kefu.channels is None:
            kefu.channels = Channels(kefu)
        return kefu.channels


def close_channels(kefu: Host) -> None:
    found, kefu.channels = kefu.channels, None
    if found is not None:
        found.close()


def deliver_due(kefu: Host, now: datetime | None = None) -> dict[str, int]:
    """The outbound worker for a job runner or CLI: send what is due, retry what failed."""
    return channels_of(kefu).outbox.deliver_due(now or datetime.now(UTC))
