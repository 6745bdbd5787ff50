"""Inbound de-duplication, outbound deliveries with retries, and the shop's sensitive words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.encrypted import EncryptedJSON, EncryptedText
from kefu.store.tables.base import Base


class InboundReceiptRow(Base):
    """A platform's message id seen once (WeChat retries the same MsgId up to three times)."""

    __tablename__ = "inbound_receipts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    # the bot's answer (order details, addresses): encrypted at rest
    reply_text: Mapped[str | None] = mapped_column(EncryptedText("inbound_receipts.reply_text"))
    at: Mapped[datetime]
    # what the message said, so a task can run it again when the worker that took it died
    payload: Mapped[dict[str, Any] | None]


class OutboundDeliveryRow(Base):
    __tablename__ = "outbound_deliveries"
    # a lane (one customer on one channel) is read head first on every send: see Outbox.deliver
    __table_args__ = (
        Index("ix_outbound_deliveries_lane", "channel", "target", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("outbound_deliveries.payload"))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ChannelCallbackRow(Base):
    """Where a webhook platform wants later messages for one of its users (agent replies, notices):
    the ``callback_url`` of that user's latest inbound event."""

    __tablename__ = "channel_callbacks"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel_user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    callback_url: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class SensitiveWordRow(Base):
    __tablename__ = "sensitive_words"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(32))  # profanity | absolute_claim | custom
    replacement: Mapped[str | None] = mapped_column(String(64))
