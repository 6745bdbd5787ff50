"""Conversations, their messages, and every state change as a row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.encrypted import EncryptedJSON, EncryptedText
from kefu.store.tables.base import Base


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_priority", "status", "priority"),
        Index("ix_conversations_customer", "customer_id", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="bot")
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    # dialogue slots hold what a customer is in the middle of giving: a new address, a tax id
    state: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("conversations.state"), default=dict
    )
    agent_id: Mapped[str | None] = mapped_column(String(32), index=True)
    priority: Mapped[int] = mapped_column(default=0)
    handoff_reason: Mapped[str | None] = mapped_column(String(32))
    summary: Mapped[str | None] = mapped_column(EncryptedText("conversations.summary"))
    skill: Mapped[str | None] = mapped_column(String(32))
    waiting_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # optimistic locking: two workers never overwrite each other's turn
    version: Mapped[int] = mapped_column(default=1)
    # the last message's position; bumped atomically so concurrent writers never clash
    last_seq: Mapped[int] = mapped_column(default=0)

    __mapper_args__ = {"version_id_col": version}


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # covers the dashboard's scans of a window (kefu.store.analytics_repo): a day's messages
        # are counted from the index alone, never read row by row from the table
        Index("ix_messages_at", "at", "sender", "conversation_id", "seq", "intent"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int]
    sender: Mapped[str] = mapped_column(String(16))
    # what customers write holds phones and addresses: encrypted at rest like the profile
    text: Mapped[str] = mapped_column(EncryptedText("messages.text"))
    kind: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(32), index=True)
    confidence: Mapped[float | None]
    # the entities understood in the text (phone, order id…): encrypted with it
    meta: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("messages.meta"), default=dict)
    at: Mapped[datetime]


class ConversationEventRow(Base):
    """Status changes, handoffs, assignments, transfers: replayable history of a conversation."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
