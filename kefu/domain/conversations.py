"""Conversations and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ConversationStatus(StrEnum):
    BOT = "bot"
    WAITING_AGENT = "waiting_agent"
    WITH_AGENT = "with_agent"
    CLOSED = "closed"


class Sender(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


class ReplyKind(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    ACTION = "action"
    HANDOFF = "handoff"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    sender: Sender
    text: str
    at: datetime
    kind: str | None = None  # reply kind for bot messages
    channel: str | None = None
    agent_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # position in the conversation, 1-based; resume after it on reconnect


@dataclass(slots=True)
class Conversation:
    id: str
    customer_id: str
    channel: str
    status: ConversationStatus
    lang: str
    created_at: datetime
    updated_at: datetime
    state: dict[str, Any] = field(default_factory=dict)  # dialogue state, owned by kefu.dialogue
    agent_id: str | None = None
    priority: int = 0
    handoff_reason: str | None = None
    summary: str | None = None
    skill: str | None = None
    waiting_since: datetime | None = None
    closed_at: datetime | None = None
    version: int = 0  # optimistic lock; 0 = not stored yet


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message of this turn, not stored yet: the store gives it an id and its seq."""

    sender: Sender
    text: str
    at: datetime
    kind: str | None = None
    channel: str | None = None
    intent: str | None = None
    confidence: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class ConcurrentUpdate(Exception):
    """Another worker changed the conversation first; reload and retry."""
