"""Deciding and sending one notice: once per event, under the channels' rules.

A notice that is sent lands in the customer's history as a message (sender ``system``, kind
``notice``) in their open conversation, which then carries its order: a reply continues there
with the order in context. Delivery to WeChat or a webhook platform follows the message (see
kefu.channels.notices); the decision made here (``delivery``) tells it how.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from kefu.commerce.ports import CommerceError, CommercePort
from kefu.desk.ports import Survey, SurveyStore
from kefu.dialogue.state import DialogueState
from kefu.dialogue.texts import Templates
from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    Sender,
)
from kefu.domain.customers import Customer
from kefu.domain.orders import Courier
from kefu.domain.ports import ConversationStore
from kefu.notify.policy import NoticeCategory, NoticePolicy, Suppression
from kefu.notify.texts import render_notice

log = logging.getLogger("kefu.notify")

WEBHOOK_PLATFORMS = ("app", "douyin", "email", "api")


@dataclass(frozen=True, slots=True)
class NoticeRequest:
    """``key`` names the event: the same key is one notice however often it is asked for."""

    key: str
    customer_id: str
    category: NoticeCategory
    order_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    conversation_id: str | None = None  # where it belongs (a survey); else the open one


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: str
    key: str
    customer_id: str
    category: NoticeCategory
    status: str  # pending | sent | held | suppressed
    order_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    channel: str | None = None
    delivery: str | None = None
    due_at: datetime | None = None
    message_id: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    time_zone: str | None = None
    opted_out: frozenset[str] = frozenset()


class NoticeStore(Protocol):
    """Persistence of notices and what the rules read (kefu.store.notice_repo implements it)."""

    def claim(self, record: NoticeRecord, now: datetime) -> bool:
        """Store a new pending notice; False when one with its key exists already."""
        ...

    def by_key(self, key: str) -> NoticeRecord | None: ...
    def finish(self, record: NoticeRecord, now: datetime) -> None: ...
    def preferences(self, customer_id: str) -> Preferences: ...
    def last_customer_message(self, customer_id: str) -> tuple[str, datetime] | None: ...
    def last_customer_message_on(self, customer_id: str, channel: str) -> datetime | None: ...
    def has_callback(self, customer_id: str, channel: str) -> bool: ...
    def non_service_sent_since(
        self, customer_id: str, since: datetime, categories: frozenset[str]
    ) -> int: ...
    def held_due(self, now: datetime, limit: int) -> list[NoticeRecord]: ...


# notices that end with "reply 1-5": the reply is taken as the score (kefu.dialogue.skills.rating)
ASKS_FOR_SCORE = frozenset({NoticeCategory.DELIVERED, NoticeCategory.SATISFACTION})


@lru_cache(maxsize=1)
def _templates() -> Templates:
    return Templates()


def new_notice_id() -> str:
    return f"n{uuid.uuid4().hex[:20]}"


class Notifier:
    def __init__(
        self,
        store: NoticeStore,
        conversations: ConversationStore,
        commerce: CommercePort,
        policy: NoticePolicy | None = None,
        surveys: SurveyStore | None = None,
    ) -> None:
        self.store = store
        self.conversations = conversations
        self.commerce = commerce
        self.surveys = surveys  # a notice that asks for a score opens a survey to answer
        self.policy = policy or NoticePolicy.load()

    def notify(self, request: NoticeRequest, now: datetime) -> NoticeRecord:
        """Decide and (when allowed) send; a repeated key returns the first decision."""
        record = NoticeRecord(
            id=new_notice_id(),
            key=request.key,
            customer_id=request.customer_id,
            category=request.category,
            status="pending",
            order_id=request.order_id,
            facts=dict(request.facts)
            | ({"conversation_id": request.conversation_id} if request.conversation_id else {}),
        )
        if not self.store.claim(record, now):
            found = self.store.by_key(request.key)
            assert found is not None
            return found
        return self._decide(record, now, release=False)

    def release_held(self, now: datetime, limit: int = 500) -> dict[str, int]:
        """Send the notices held through quiet hours whose morning has come (and decide those a
        crashed worker left pending)."""
        counts: dict[str, int] = {}
        for record in self.store.held_due(now, limit):
            # a held notice has waited out the quiet hours; one left pending has not been decided
            outcome = self._decide(record, now, release=record.status == "held")
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    # ---- the rules ---------------------------------------------------------------------------
    def _decide(self, record: NoticeRecord, now: datetime, release: bool) -> NoticeRecord:
        try:
            customer = self.commerce.get_customer(record.customer_id)
        except CommerceError:
            return self._finish(record, now, "suppressed", reason=Suppression.NO_CUSTOMER)
        prefs = self.store.preferences(customer.id)
        if record.category.value in prefs.opted_out:
            return self._finish(record, now, "suppressed", reason=Suppression.OPTED_OUT)
        if not release:
            # the zone the customer set for notices, else their profile's (overseas customers)
            morning = self.policy.quiet_until(now, prefs.time_zone or customer.timezone)
            if morning is not None:  # held, not dropped: released by dispatch_notices
                return self._finish(record, now, "held", due_at=morning)
        service = self.policy.is_service(record.category)
        if not service:
            non_service = frozenset(
                c.value for c in NoticeCategory if not self.policy.is_service(c)
            )
            sent = self.store.non_service_sent_since(
                customer.id, now - timedelta(days=1), non_service
            )
            if sent >= self.policy.non_service_per_day:
                return self._finish(record, now, "suppressed", reason=Suppression.FREQUENCY_CAP)
        channel = self._channel(customer)
        delivery = channel
        if channel == "wechat":
            last = self.store.last_customer_message_on(customer.id, "wechat")
            if last is not None and now - last < self.policy.wechat_window:
                delivery = "wechat"  # customer-service message, allowed inside the window
            elif service:
                delivery = "wechat_template"  # service notices only, as template messages
            else:
                return self._finish(
                    record, now, "suppressed", channel=channel, reason=Suppression.WECHAT_WINDOW
                )
        elif channel in WEBHOOK_PLATFORMS:
            if not self.store.has_callback(customer.id, channel):
                delivery = "history"  # the platform gave no callback: shown in the history only
        else:
            delivery = "history"  # web: the chat shows the history
        return self._send(record, customer, channel, delivery, now)

    def _channel(self, customer: Customer) -> str:
        """Where the customer is: the channel they last wrote on, else their first identity."""
        last = self.store.last_customer_message(customer.id)
        if last is not None:
            return last[0]
        for channel in self.policy.channel_preference:
            if channel in customer.identities:
                return channel
        return "web"

    def _send(
        self, record: NoticeRecord, customer: Customer, channel: str, delivery: str, now: datetime
    ) -> NoticeRecord:
        lang = customer.lang.value
        text = render_notice(lang, record.category.value, **self._facts(record, customer))
        conversation = self._conversation(
            customer, channel, now, record.facts.get("conversation_id")
        )
        message = self.conversations.append_message(
            conversation.id,
            Sender.SYSTEM,
            text,
            now,
            kind="notice",
            channel=channel,
            meta={
                "notice_id": record.id,
                "category": record.category.value,
                "order_id": record.order_id,
                "delivery": delivery,
            },
        )
        asks_score = record.category in ASKS_FOR_SCORE and self.surveys is not None
        if self.surveys is not None and asks_score:
            self.surveys.add(
                Survey(
                    id="S" + uuid.uuid4().hex[:12].upper(),
                    customer_id=customer.id,
                    sent_at=now,
                    conversation_id=conversation.id,
                )
            )
        if record.order_id or asks_score:
            self._carry_order(conversation.id, record.order_id, now, asks_score)
        return self._finish(
            record,
            now,
            "sent",
            channel=channel,
            delivery=delivery,
            message_id=message.id,
            conversation_id=conversation.id,
        )

    def _facts(self, record: NoticeRecord, customer: Customer) -> dict[str, Any]:
        facts = dict(record.facts)
        lang = customer.lang.value
        code = facts.get("courier_code")
        # the carrier's name in the customer's language; an unknown one as the shop wrote it
        if code and (code != Courier.OTHER.value or not facts.get("carrier")):
            facts["carrier"] = _templates().render(lang, f"courier.{code}")
        if record.order_id:
            try:
                order = self.commerce.get_order(customer.id, record.order_id)
            except CommerceError:
                order = None
            if order is not None:
                names = []
                for item in order.items:
                    try:
                        product = self.commerce.get_product(item.sku)
                        names.append(product.name(lang))
                    except CommerceError:
                        names.append(item.sku)
                zh = lang.startswith("zh")
                facts.setdefault("items", ("、" if zh else ", ").join(names))
        return facts

    def _conversation(
        self, customer: Customer, channel: str, now: datetime, wanted: str | None = None
    ) -> Conversation:
        if wanted:
            own = self.conversations.get(wanted)
            mine = own is not None and own.customer_id == customer.id
            if own is not None and mine and own.status is not ConversationStatus.CLOSED:
                return own
        found = self.conversations.latest_open(customer.id)
        if found is not None:
            return found
        conversation = Conversation(
            id=f"c{uuid.uuid4().hex[:20]}",
            customer_id=customer.id,
            channel=channel,
            status=ConversationStatus.BOT,
            lang=customer.lang.value,
            created_at=now,
            updated_at=now,
            state=DialogueState(lang=customer.lang.value).to_dict(),
        )
        self.conversations.create(conversation)
        return conversation

    def _carry_order(
        self, conversation_id: str, order_id: str | None, now: datetime, asks_score: bool
    ) -> None:
        """The notice's order becomes the conversation's: "还没到呢" after it needs no order id;
        a notice that asks for a score makes "5" an answer to it."""
        for _ in range(3):
            conversation = self.conversations.get(conversation_id)
            if conversation is None:
                return
            state = DialogueState.from_dict(conversation.state)
            if order_id:
                state.slots = {**state.slots, "order_id": order_id}
            state.awaiting = {"slot": "rating", "intent": "greeting"} if asks_score else None
            conversation.state = state.to_dict()
            conversation.updated_at = now
            try:
                self.conversations.save(conversation)
                return
            except ConcurrentUpdate:
                continue
        log.warning("could not carry order %s into %s", order_id, conversation_id)

    def _finish(
        self, record: NoticeRecord, now: datetime, status: str, **changes: Any
    ) -> NoticeRecord:
        reason = changes.pop("reason", None)
        done = NoticeRecord(
            id=record.id,
            key=record.key,
            customer_id=record.customer_id,
            category=record.category,
            status=status,
            order_id=record.order_id,
            facts=record.facts,
            reason=reason.value if reason is not None else None,
            channel=changes.get("channel"),
            delivery=changes.get("delivery"),
            due_at=changes.get("due_at"),
            message_id=changes.get("message_id"),
            conversation_id=changes.get("conversation_id"),
        )
        self.store.finish(done, now)
        if status != "sent":
            log.info("notice %s %s: %s", record.key, status, done.reason or done.due_at)
        return done
