"""Wire models of the customer's messages and conversations (CONTRACT sections 3 and 5)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class MessageIn(BaseModel):
    """``POST /api/v1/messages``: who writes on which channel, and what."""

    model_config = ConfigDict(extra="ignore", strict=True)

    channel: str = Field(max_length=16)
    text: str
    customer_id: str | None = Field(default=None, max_length=64)
    channel_user_id: str | None = Field(default=None, max_length=128)
    conversation_id: str | None = Field(default=None, max_length=64)
    token: str | None = Field(default=None, max_length=1024)


class ReplyOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    kind: Literal["answer", "clarify", "action", "handoff", "notice"]


class MessageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: str
    message_id: str
    replies: list[ReplyOut]
    intent: str
    confidence: float
    entities: dict[str, Any]
    sentiment: Literal["negative", "neutral", "positive"]
    handoff: bool
    status: Literal["bot", "waiting_agent", "with_agent", "closed"]


class HistoryMessageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    sender: Literal["customer", "bot", "agent", "system"]
    text: str
    at: str
    image: dict[str, Any] | None = None  # a photo the customer sent (left out when none)


class ConversationOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    channel: str
    status: Literal["bot", "waiting_agent", "with_agent", "closed"]
    updated_at: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    request_id: str | None = None


class ErrorOut(BaseModel):
    error: ErrorDetail
