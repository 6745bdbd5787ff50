"""Wire models of the desk: the agent's session, queue, conversations and tickets, the
supervisor's views, notes and whispers, the customer's rating, and the admin of agents and
sensitive words (CONTRACT section 3, agent side, and section 5).

Response models forbid extra keys: a key a handler returns but its model forgets fails the tests
instead of being dropped from the wire. Times are the strings the desk already formats (ISO 8601),
money the decimal strings of the shop; a key that may be null is typed ``X | None`` and always
sent.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from kefu.api.schemas.messages import ErrorOut
from kefu.desk.notes import MAX_NOTE, MAX_TAGS
from kefu.domain.conversations import ConversationStatus, Sender
from kefu.domain.customers import Lang, VipLevel
from kefu.domain.desk import AgentRole, AgentStatus, Skill, TicketKind, TicketStatus

AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
LANGS = tuple(lang.value for lang in Lang)  # the shop's languages and the cross-border ones
MIN_PASSWORD = 8
MAX_WORD = 64

StepStatus = Literal["pending", "in_progress", "done"]
WordCategory = Literal["profanity", "absolute_claim", "custom"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: the error statuses it really answers, each the contract's
    ``{"error": {"code", "message"}}``."""
    return {status: {"model": ErrorOut} for status in statuses}


# ---- requests -----------------------------------------------------------------------------------


class LoginIn(BaseModel):
    agent_id: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    # the dashboard and admin pages sign in without taking chats
    keep_status: bool = False


class ConsoleClosedIn(BaseModel):
    token: str = Field(min_length=1, max_length=2000)


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class CloseIn(BaseModel):
    resolution: str = Field(default="", max_length=2000)


class TransferIn(BaseModel):
    to_agent: str | None = Field(default=None, max_length=32)
    to_skill: Skill | None = None
    note: str = Field(default="", max_length=500)


class StatusIn(BaseModel):
    status: AgentStatus


class ProposeIn(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(min_length=1, max_length=4000)
    entry_id: str | None = Field(default=None, max_length=64)


class TicketUpdateIn(BaseModel):
    status: TicketStatus | None = None
    assignee: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    # the ticket's own fields (order facts, what the bot asked): free-form by design
    fields: dict[str, Any] | None = None


class StepIn(BaseModel):
    department: str = Field(min_length=1, max_length=32)
    status: StepStatus = "pending"
    note: str = Field(default="", max_length=500)


class ReassignIn(BaseModel):
    agent_id: str = Field(min_length=1, max_length=32)


class RatingIn(BaseModel):
    customer_id: str = Field(min_length=1, max_length=32)
    score: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=2000)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_NOTE)


class TagsIn(BaseModel):
    tags: list[str] = Field(max_length=MAX_TAGS)


def _unique(values: list[str], field: str) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError(f"{field} lists a value twice")
    return values


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("skills", check_fields=False)
    @classmethod
    def _skills(cls, value: list[Skill] | None) -> list[Skill] | None:
        return None if value is None else [Skill(s) for s in _unique(list(value), "skills")]

    @field_validator("langs", check_fields=False)
    @classmethod
    def _langs(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [v for v in value if v not in LANGS]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; one of {', '.join(LANGS)}")
        return _unique(list(value), "langs")


class AgentCreateIn(_Profile):
    id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=MIN_PASSWORD, max_length=200)
    role: AgentRole = AgentRole.AGENT
    skills: list[Skill] = Field(min_length=1)
    langs: list[str] = Field(default_factory=lambda: ["zh-CN"], min_length=1)
    max_chats: int = Field(default=5, ge=1, le=50, strict=True)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not AGENT_ID.match(value):
            raise ValueError("id is letters, digits, '-' and '_' (at most 32)")
        return value


class AgentPatchIn(_Profile):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=200)
    role: AgentRole | None = None
    skills: list[Skill] | None = Field(default=None, min_length=1)
    langs: list[str] | None = Field(default=None, min_length=1)
    max_chats: int | None = Field(default=None, ge=1, le=50, strict=True)
    status: AgentStatus | None = None


class WordIn(BaseModel):
    """A shop's sensitive word. The route checks each field by hand (so every mistake gets one
    clear ``invalid_word`` message naming the field); the schema says what it accepts."""

    word: Annotated[Any, WithJsonSchema({"type": "string", "maxLength": MAX_WORD})] = None
    category: Annotated[Any, WithJsonSchema({"enum": list(get_args(WordCategory))})] = None
    replacement: Annotated[
        Any, WithJsonSchema({"type": ["string", "null"], "maxLength": MAX_WORD})
    ] = None


# ---- the agent and its colleagues ---------------------------------------------------------------


class LoginOut(_Out):
    token: str
    agent_id: str
    role: AgentRole
    expires_in: int


class _AgentProfile(_Out):
    agent_id: str
    name: str
    role: AgentRole
    status: AgentStatus
    skills: list[Skill]
    langs: list[Lang]
    max_chats: int


class MeOut(_AgentProfile):
    active: int
    offered: int


class ColleagueOut(_Out):
    agent_id: str
    name: str
    role: AgentRole
    status: AgentStatus
    skills: list[Skill]
    langs: list[Lang]
    load: int
    max_chats: int


class AgentLoadOut(MeOut):
    load: int


class StatusOut(_Out):
    status: AgentStatus


# ---- the queue and conversations ----------------------------------------------------------------


class QueueEntryOut(_Out):
    conversation_id: str
    customer_id: str
    priority: int
    reason: str
    summary: str
    waiting_seconds: int
    skill: str
    vip: str
    lang: str
    because: list[str]
    routed_to: str | None


class LiveChatOut(QueueEntryOut):
    agent_id: str
    agent_name: str
    agent_status: AgentStatus


class QueueGroupOut(_Out):
    waiting: int
    longest_wait_seconds: int


class QueueOverviewOut(_Out):
    groups: dict[str, QueueGroupOut]
    entries: list[QueueEntryOut]


class MessageImageOut(_Out):
    """A photo the customer sent: its id and type (the bytes come from the image routes)."""

    id: str
    content_type: str
    size: int


class DeskMessageOut(_Out):
    id: str
    seq: int
    sender: Sender
    text: str
    at: str
    kind: str | None  # the bot reply's kind (answer, notice, ...), "image" for a photo
    agent_id: str | None
    image: MessageImageOut | None


class OpenChatOut(_Out):
    conversation_id: str
    customer_id: str
    customer_name: str | None
    vip: str
    lang: str
    channel: str
    status: ConversationStatus
    skill: str
    unread: int
    last_message: DeskMessageOut | None


class TakenOut(_Out):
    conversation_id: str
    status: Literal["with_agent"]


class AcceptedOut(_Out):
    status: Literal["with_agent"]


class SeatOut(_Out):
    """The conversation as the desk holds it."""

    id: str
    customer_id: str
    channel: str
    lang: str
    status: ConversationStatus
    agent_id: str | None
    skill: str
    reason: str
    summary: str
    priority: int
    because: list[str]
    waiting_since: str


class CustomerProfileOut(_Out):
    id: str
    name: str
    vip: VipLevel
    phone: str  # masked
    lang: Lang
    new_customer: bool
    channels: dict[str, str]


class OrderItemOut(_Out):
    sku: str
    qty: int
    unit_price: str
    size: str | None
    name: str | None
    name_en: str | None


class OrderViewOut(_Out):
    id: str
    status: str
    created_at: str
    address: str  # masked
    total: str
    items: list[OrderItemOut]
    courier: str | None
    tracking_no: str | None
    latest_tracking: str | None
    latest_tracking_at: str | None


class TicketOut(_Out):
    id: str
    kind: TicketKind
    status: TicketStatus
    customer_id: str
    order_id: str | None
    conversation_id: str | None
    assignee: str | None
    department: str | None
    priority: int
    description: str
    fields: dict[str, Any]
    attachments: list[str]
    created_at: str
    updated_at: str
    sla_due_at: str
    escalated_at: str | None
    closed_at: str | None
    missing_fields: list[str]


class PastConversationOut(_Out):
    id: str
    channel: str
    status: ConversationStatus
    created_at: str
    summary: str | None


class NoteOut(_Out):
    id: str
    kind: Literal["note", "whisper"]
    author: str
    to_agent: str | None
    text: str
    at: str


class SuggestionOut(_Out):
    text: str
    source: Literal["kb", "order"]
    entry_id: str | None
    question: str | None
    score: float | None


class ConversationViewOut(_Out):
    conversation: SeatOut
    messages: list[DeskMessageOut]
    customer: CustomerProfileOut | None
    orders: list[OrderViewOut]
    tickets: list[TicketOut]
    past_conversations: list[PastConversationOut]
    notes: list[NoteOut]
    tags: list[str]
    suggestions: list[SuggestionOut]


class LlmAssistOut(_Out):
    available: bool
    summary: str | None
    drafts: list[str]


class CannedReplyOut(_Out):
    shortcut: str
    title: str
    text: str


class TransferredOut(_Out):
    status: Literal["waiting_agent"]
    skill: str
    routed_to: str | None


class ClosedOut(_Out):
    status: Literal["closed"]
    survey_id: str


class ProposedOut(_Out):
    status: Literal["proposed"]
    proposal_id: str | None


# ---- tickets ------------------------------------------------------------------------------------


class TicketStepOut(_Out):
    id: int
    department: str
    status: StepStatus
    note: str
    created_at: str
    done_at: str | None


class TicketEventOut(_Out):
    at: str
    kind: str
    actor: str
    detail: dict[str, Any]


class TicketDetailOut(TicketOut):
    steps: list[TicketStepOut]
    events: list[TicketEventOut]


class StepAddedOut(_Out):
    id: int
    ticket_id: str
    department: str
    status: StepStatus
    note: str
    created_at: str
    customer_message_id: str | None


# ---- supervisors --------------------------------------------------------------------------------


class ReassignedOut(_Out):
    conversation_id: str
    agent_id: str


class JobsRunOut(_Out):
    escalated: int
    reassigned: int


# ---- the customer's rating ----------------------------------------------------------------------


class RatedOut(_Out):
    survey_id: str
    score: int | None
    comment: str | None


# ---- notes, tags and whispers -------------------------------------------------------------------


class NotesOut(_Out):
    notes: list[NoteOut]
    tags: list[str]


class TagsOut(_Out):
    tags: list[str]


# ---- the admin of agents and sensitive words ----------------------------------------------------


class ManagedAgentOut(_Out):
    id: str
    name: str
    role: AgentRole
    skills: list[Skill]
    langs: list[Lang]
    max_chats: int
    status: AgentStatus
    active: int
    offered: int
    load: int


class AgentOptionsOut(_Out):
    """What the admin's forms may offer."""

    skills: list[Skill]
    langs: list[Lang]
    roles: list[AgentRole]
    statuses: list[AgentStatus]


class WordOut(_Out):
    word: str
    category: WordCategory
    replacement: str | None
    source: Literal["shipped", "shop"]
