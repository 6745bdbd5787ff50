"""What the desk needs from persistence and the outside; kefu.store.desk_repo implements these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kefu.domain.desk import Agent, AgentStatus, Ticket, TicketStatus
from kefu.domain.images import ImageFile


class SeatState:
    """Where a handed-off conversation stands at the desk."""

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A conversation handed to the desk: waiting (``routed_to`` = the agent it is offered to),
    active with ``agent_id``, or closed (``agent_id`` = who handled it last)."""

    conversation_id: str
    customer_id: str
    skill: str
    lang: str
    vip: str
    reason: str
    summary: str
    points: int
    virtual_arrival: float
    waiting_since: datetime
    routed_to: str | None = None
    routed_at: datetime | None = None
    not_to: str | None = None  # the agent it just left (timeout, offline): route elsewhere
    because: tuple[str, ...] = ()
    state: str = SeatState.WAITING
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class AgentLoad:
    agent: Agent
    active: int  # conversations with the agent now
    offered: int  # conversations routed to the agent, not yet accepted

    @property
    def load(self) -> int:
        return self.active + self.offered

    @property
    def has_room(self) -> bool:
        return self.load < self.agent.max_chats


@dataclass(frozen=True, slots=True)
class TicketRecord:
    ticket: Ticket
    department: str | None
    updated_at: datetime
    escalated_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketStep:
    id: int
    ticket_id: str
    department: str
    status: str
    note: str
    created_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketEvent:
    ticket_id: str
    at: datetime
    kind: str
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    customer_id: str
    sent_at: datetime
    conversation_id: str | None = None
    ticket_id: str | None = None
    agent_id: str | None = None
    score: int | None = None
    comment: str | None = None
    answered_at: datetime | None = None


class AgentStore(Protocol):
    def get(self, agent_id: str) -> Agent | None: ...
    def password_hash(self, agent_id: str) -> str | None: ...
    def all(self) -> list[Agent]: ...
    def set_status(self, agent_id: str, status: AgentStatus, at: datetime) -> None: ...
    def loads(self) -> list[AgentLoad]:
        """Every agent with the conversations it holds and has been offered."""
        ...


class QueueStore(Protocol):
    def enqueue(self, entry: QueueEntry, at: datetime, from_agent: str | None = None) -> bool:
        """Put a conversation in the queue and mark it waiting for an agent. With
        ``from_agent``, only if that agent holds it now (transfer, requeue); False otherwise."""
        ...

    def get(self, conversation_id: str) -> QueueEntry | None: ...
    def visible_to(self, agent_id: str, skills: Sequence[str], limit: int) -> list[QueueEntry]:
        """Routed to the agent, or unrouted in one of its skill groups; most urgent first."""
        ...

    def head(self, agent_id: str, skills: Sequence[str]) -> QueueEntry | None:
        """The most urgent entry ``visible_to`` the agent (index seeks, not a scan)."""
        ...

    def all(self, limit: int) -> list[QueueEntry]: ...
    def unrouted(self, skills: Sequence[str] | None, limit: int) -> list[QueueEntry]: ...
    def offered_to(self, agent_id: str) -> list[QueueEntry]: ...
    def offered_before(self, cutoff: datetime) -> list[QueueEntry]: ...
    def position(self, entry: QueueEntry) -> int:
        """1-based place among the entries of the same skill group."""
        ...

    def counts(self) -> dict[str, tuple[int, datetime | None]]:
        """Per skill: how many wait and since when the longest has waited."""
        ...

    def offer(
        self, conversation_id: str, agent_id: str | None, at: datetime, not_to: str | None = None
    ) -> bool:
        """Route an entry to an agent (None: back to its group); False if it is gone."""
        ...

    def claim(self, conversation_id: str, agent_id: str, at: datetime) -> bool:
        """Atomically take the conversation out of the queue for the agent; False if lost."""
        ...

    def hand_to(self, conversation_id: str, from_agent: str, to_agent: str, at: datetime) -> bool:
        """Move an active conversation straight to another agent (supervisor reassign)."""
        ...

    def close(self, conversation_id: str, agent_id: str | None, at: datetime) -> bool:
        """Close it (only if ``agent_id`` holds it, when given); False when it was not open."""
        ...

    def active_of(self, agent_id: str) -> list[QueueEntry]: ...

    def unanswered_chats(self, before: datetime) -> list[tuple[str, str]]:
        """(conversation, agent) with a customer message unanswered since before ``before``."""
        ...


class TicketStore(Protocol):
    def add(self, record: TicketRecord, actor: str) -> None: ...
    def get(self, ticket_id: str) -> TicketRecord | None: ...
    def save(
        self, record: TicketRecord, actor: str, event: str, detail: dict[str, Any]
    ) -> None: ...

    def find(
        self,
        *,
        status: Sequence[TicketStatus] | None = None,
        assignee: str | None = None,
        customer_id: str | None = None,
        conversation_id: str | None = None,
        limit: int = 100,
    ) -> list[TicketRecord]: ...
    def breached(self, now: datetime, limit: int = 500) -> list[TicketRecord]:
        """Open tickets past their SLA that have not been escalated yet."""
        ...

    def open_counts(self) -> dict[str, int]:
        """Open tickets per assignee (assignment by least load)."""
        ...

    def add_step(
        self, ticket_id: str, department: str, status: str, note: str, at: datetime
    ) -> TicketStep: ...
    def steps(self, ticket_id: str) -> list[TicketStep]: ...
    def events(self, ticket_id: str) -> list[TicketEvent]: ...


class SurveyStore(Protocol):
    def add(self, survey: Survey) -> None: ...
    def latest_for_conversation(self, conversation_id: str) -> Survey | None: ...
    def answer(self, survey_id: str, score: int, comment: str | None, at: datetime) -> bool:
        """Store the answer once; False when it was already answered."""
        ...


class Publisher(Protocol):
    def publish(self, channel: str, message: str) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredImage:
    id: str
    conversation_id: str
    customer_id: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ConversationNote:
    """An agent's internal note, or a supervisor's whisper to the agent serving the chat."""

    id: str
    conversation_id: str
    kind: str  # note | whisper
    author: str
    to_agent: str | None
    text: str
    at: datetime


class Notes(Protocol):
    """Notes, whispers and tags (kefu.store.note_repo implements it); never shown to customers."""

    def add(
        self,
        conversation_id: str,
        kind: str,
        author: str,
        text: str,
        at: datetime,
        to_agent: str | None = None,
    ) -> ConversationNote: ...
    def of(self, conversation_id: str, limit: int = 200) -> list[ConversationNote]: ...
    def tags(self, conversation_id: str) -> list[str]: ...
    def set_tags(self, conversation_id: str, tags: list[str], by: str, at: datetime) -> None: ...


class Uploads(Protocol):
    """Photos customers send (kefu.store.upload_repo implements it)."""

    def add(
        self, conversation_id: str, customer_id: str, image: ImageFile, at: datetime
    ) -> str: ...
    def get(self, upload_id: str) -> StoredImage | None: ...


class Marks(Protocol):
    """Small expiring values shared by every worker (SharedState): how far each agent has read."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl_s: float | None = None) -> None: ...
