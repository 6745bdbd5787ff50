"""Running the peak: the AI rollout (settings, audit, each conversation's side), agents' reviews
of handoffs, and the service alerts raised for supervisors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.tables.base import Base


class RolloutConfigRow(Base):
    """One row (id 1): the switches in force; the shared state caches it for every worker."""

    __tablename__ = "rollout_config"

    id: Mapped[int] = mapped_column(primary_key=True)
    ai_share: Mapped[int] = mapped_column(default=100)
    ai_off_channels: Mapped[list[str]] = mapped_column(default=list)
    ai_off_intents: Mapped[list[str]] = mapped_column(default=list)
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(32))


class RolloutAuditRow(Base):
    """Every change of the switches: who, when, before and after."""

    __tablename__ = "rollout_audit"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ConversationSideRow(Base):
    """The rollout side a conversation started on, kept for its whole life."""

    __tablename__ = "conversation_sides"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    side: Mapped[str] = mapped_column(String(8))
    ai_share: Mapped[int]
    at: Mapped[datetime] = mapped_column(index=True)


class HandoffReviewRow(Base):
    """An agent's verdict on a handoff: needless when the bot could have answered it."""

    __tablename__ = "handoff_reviews"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[str] = mapped_column(String(32))
    needless: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(index=True)


class ServiceAlertRow(Base):
    """An alert for supervisors (a wait-time promise broken, staff short of the forecast).

    ``key`` makes raising idempotent: every worker's check may find the same breach.
    """

    __tablename__ = "service_alerts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StaffPlanHourRow(Base):
    """Agents on duty per hour under the shift plan the shop adopted (``kefu plan --save``)."""

    __tablename__ = "staff_plan_hours"

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    agents: Mapped[int]
    saved_at: Mapped[datetime]
    saved_by: Mapped[str] = mapped_column(String(32), default="planner")
