"""The plain records the metrics are computed from (one per table row the store fetched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    channel: str
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MessageRecord:
    conversation_id: str
    seq: int
    sender: str  # customer | bot | agent | system
    at: datetime
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    conversation_id: str
    kind: str  # created | handoff | accepted | transferred | closed | requeued | reassigned
    at: datetime


@dataclass(frozen=True, slots=True)
class QueueRecord:
    conversation_id: str
    state: str  # waiting | active | closed
    skill: str
    waiting_since: datetime
    accepted_at: datetime | None


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    score: int | None
    sent_at: datetime
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class UncoveredRecord:
    text: str
    normalized: str
    at: datetime
