"""Agents, tickets with their steps and SLA, and satisfaction surveys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.encrypted import EncryptedJSON, EncryptedText
from kefu.store.tables.base import Base


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    skills: Mapped[list[str]] = mapped_column(default=list)
    langs: Mapped[list[str]] = mapped_column(default=list)
    max_chats: Mapped[int] = mapped_column(default=5)
    status: Mapped[str] = mapped_column(String(16), default="offline")
    last_seen_at: Mapped[datetime | None]


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_status_sla", "status", "sla_due_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(32), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(40), index=True)
    assignee: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    # invoice tickets carry the company's name and tax id: encrypted at rest
    fields: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON("tickets.fields"), default=dict)
    attachments: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sla_due_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class TicketStepRow(Base):
    """A cross-department step (warehouse, courier, manufacturer inspection) of a ticket."""

    __tablename__ = "ticket_steps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class TicketEventRow(Base):
    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SurveyRow(Base):
    __tablename__ = "surveys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(String(40), index=True)
    ticket_id: Mapped[str | None] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class DeskQueueRow(Base):
    """One row per conversation handed to the desk: the queue, the routing and who holds it.

    ``virtual_arrival`` (epoch seconds, priority folded in) is the queue order: aging needs no
    update, so the most urgent entry is one index seek away, on every worker.
    """

    __tablename__ = "desk_queue"
    __table_args__ = (
        Index("ix_desk_queue_state_skill_va", "state", "skill", "virtual_arrival"),
        Index("ix_desk_queue_state_routed_va", "state", "routed_to", "virtual_arrival"),
        Index("ix_desk_queue_state_agent", "state", "agent_id"),
    )

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    skill: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    vip: Mapped[str] = mapped_column(String(16), default="normal")
    reason: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(EncryptedText("desk_queue.summary"), default="")
    points: Mapped[int] = mapped_column(default=0)
    because: Mapped[list[str]] = mapped_column(default=list)
    virtual_arrival: Mapped[float]
    waiting_since: Mapped[datetime]
    routed_to: Mapped[str | None] = mapped_column(String(32))
    routed_at: Mapped[datetime | None]
    not_to: Mapped[str | None] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(32))
    accepted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
