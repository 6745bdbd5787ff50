"""Order events received from the shop, proactive notices and customers' notice preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.tables.base import Base


class OrderEventReceiptRow(Base):
    """One order event seen once: a repeated ``event_id`` (a retry, a replay) changes nothing."""

    __tablename__ = "order_event_receipts"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]  # when it happened in the shop
    received_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # shop (webhook) | kefu (bot, desk, import)
    outcome: Mapped[str] = mapped_column(String(16))  # applied | stale
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class NoticeRow(Base):
    """A notice kefu decided about: sent, held (quiet hours) or suppressed (by which rule).

    ``dedupe_key`` makes one notice per event however often the event or the job is retried.
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[str] = mapped_column(String(32), index=True)
    order_id: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | held | suppressed
    reason: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    delivery: Mapped[str | None] = mapped_column(String(24))
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime | None]
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class NoticePreferenceRow(Base):
    """A customer's time zone (for quiet hours) and the notice categories they turned off."""

    __tablename__ = "notice_preferences"

    customer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    opted_out: Mapped[list[str]] = mapped_column(default=list)
