"""Shared test helpers for the desk: conversations to hand off and handoff requests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from kefu.desk.service import Desk
from kefu.domain.conversations import Conversation, ConversationStatus, Sender
from kefu.domain.handoff import HandoffReason, HandoffRequest
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database
from kefu.store.tables.desk import DeskQueueRow
from kefu.wiring import Kefu


def ensure_desk_tables(db: Database) -> None:
    """Until the regenerated migration carries desk_queue, create it for the tests (no-op after)."""
    DeskQueueRow.__table__.create(db.engine, checkfirst=True)  # type: ignore[attr-defined]


def desk_of(kefu: Kefu) -> Desk:
    ensure_desk_tables(kefu.db)
    desk: Desk = kefu.desk
    return desk


def new_conversation(
    db: Database,
    customer_id: str,
    at: datetime,
    *,
    lang: str = "zh-CN",
    channel: str = "web",
    text: str | None = None,
) -> Conversation:
    store = SqlConversations(db)
    conversation = Conversation(
        id=new_id("c"),
        customer_id=customer_id,
        channel=channel,
        status=ConversationStatus.BOT,
        lang=lang,
        created_at=at,
        updated_at=at,
    )
    store.create(conversation)
    if text:
        store.append_message(conversation.id, Sender.CUSTOMER, text, at, channel=channel)
    return conversation


def handoff(
    conversation: Conversation,
    at: datetime,
    *,
    reason: HandoffReason = HandoffReason.ASKED_FOR_HUMAN,
    intent: str | None = None,
    vip: str = "normal",
    summary: str = "customer asks for a person",
    order_value: Decimal | None = None,
    anger: float = 0.0,
    entities: dict[str, Any] | None = None,
) -> HandoffRequest:
    return HandoffRequest(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        channel=conversation.channel,
        reason=reason,
        lang=conversation.lang,
        at=at,
        summary=summary,
        intent=intent,
        entities=entities or {},
        vip=vip,
        order_value=order_value,
        anger=anger,
    )
