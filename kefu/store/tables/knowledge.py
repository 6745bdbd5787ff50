"""Knowledge-base entries with versions, uncovered questions, and agents' proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.tables.base import Base


class KbEntryRow(Base):
    __tablename__ = "kb_entries"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    question: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[str]] = mapped_column(default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # lang -> text
    channel_answers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # channel -> lang -> text
    tags: Mapped[list[str]] = mapped_column(default=list)
    valid_from: Mapped[datetime | None]
    valid_to: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64), default="system")


class KbEntryVersionRow(Base):
    """A snapshot of every saved version, for history and rollback."""

    __tablename__ = "kb_entry_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    snapshot: Mapped[dict[str, Any]]
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64), default="system")


class KbRevisionRow(Base):
    """A single counter bumped on every change: workers compare it to reload within a second."""

    __tablename__ = "kb_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


class UncoveredQuestionRow(Base):
    __tablename__ = "uncovered_questions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # plain text, unlike messages: the gap report groups these by text in SQL. They hold a
    # customer's words, so erasure and retention delete them (kefu.store.privacy_repo)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[str | None] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    best_entry_id: Mapped[str | None] = mapped_column(String(64))
    best_score: Mapped[float | None]
    at: Mapped[datetime] = mapped_column(index=True)


class KbProposalRow(Base):
    """An agent's edited answer proposed to the knowledge base, waiting for review."""

    __tablename__ = "kb_proposals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("kb_entries.id"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    agent_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(32))
