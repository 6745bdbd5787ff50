"""What the bot hands to the service desk: handoffs to people and tickets from bot actions.

The dialogue depends on ``DeskPort``; kefu.desk implements it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kefu.domain.desk import TicketKind


class HandoffReason(StrEnum):
    ASKED_FOR_HUMAN = "asked_for_human"
    COMPLAINT = "complaint"
    ANGER = "anger"
    UNRESOLVED = "unresolved"  # three consecutive unresolved turns
    HIGH_VALUE_DISPUTE = "high_value_dispute"  # dispute on an order of 1,000 yuan or more
    LOW_CONFIDENCE = "low_confidence"  # repeated low-confidence understanding
    NEEDS_PERSON = "needs_person"  # an action only a person can do (e.g. address after shipping)
    ROLLOUT = "rollout"  # the customer is on the people side of the AI rollout
    AI_SWITCHED_OFF = "ai_switched_off"  # the AI is switched off for this channel or intent
    URGENT = "urgent"  # the customer says it is urgent and the bot cannot act on it


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    conversation_id: str
    customer_id: str
    channel: str
    reason: HandoffReason
    lang: str
    at: datetime
    summary: str
    intent: str | None = None
    entities: dict[str, Any] = field(default_factory=dict)
    vip: str = "normal"
    order_ids: tuple[str, ...] = ()
    order_value: Decimal | None = None  # the disputed order's value, if any
    sentiment: str = "neutral"
    anger: float = 0.0
    urgent: bool = False  # "紧急", "急用", "urgent": raises the priority


@dataclass(frozen=True, slots=True)
class HandoffOutcome:
    priority: int
    skill: str
    queue_position: int
    expected_wait_s: int
    ticket_id: str | None = None
    agents_online: bool = True
    saturated: bool = False  # the wait is long enough that leaving a message is offered


@dataclass(frozen=True, slots=True)
class WaitStatus:
    """Where a conversation waiting for a person stands now."""

    waiting: bool  # still in the queue (False once accepted, withdrawn or closed)
    queue_position: int = 0
    expected_wait_s: int = 0
    agents_online: bool = True
    saturated: bool = False
    bot_may_answer: bool = True  # the shop lets the bot answer routine questions meanwhile


class LeaveKind(StrEnum):
    MESSAGE = "message"  # 留言: a person answers later, in writing
    CALLBACK = "callback"  # 回电: a person calls the customer back


@dataclass(frozen=True, slots=True)
class LeftMessage:
    """A waiting customer's message (or call-back request) that becomes a ticket."""

    conversation_id: str
    customer_id: str
    kind: LeaveKind
    text: str
    at: datetime
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class TicketRequest:
    kind: TicketKind
    customer_id: str
    description: str
    at: datetime
    order_id: str | None = None
    conversation_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
    priority: int = 0
