"""Agents and tickets of the service desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AgentRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class AgentStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class Skill(StrEnum):
    PRE_SALES = "pre_sales"
    AFTER_SALES = "after_sales"
    LOGISTICS = "logistics"
    ENGLISH = "english"
    VIP = "vip"


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    name: str
    role: AgentRole
    skills: tuple[Skill, ...]
    max_chats: int
    status: AgentStatus
    langs: tuple[str, ...] = ("zh-CN",)


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketKind(StrEnum):
    HANDOFF = "handoff"
    RETURN = "return"
    EXCHANGE = "exchange"
    INVOICE = "invoice"
    LOGISTICS = "logistics"
    QUALITY = "quality"
    PRICE_PROTECTION = "price_protection"
    COMPLAINT = "complaint"
    ADDRESS_CHANGE = "address_change"


@dataclass(frozen=True, slots=True)
class Ticket:
    id: str
    kind: TicketKind
    status: TicketStatus
    customer_id: str
    created_at: datetime
    sla_due_at: datetime
    description: str
    order_id: str | None = None
    conversation_id: str | None = None
    assignee: str | None = None
    priority: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[str, ...] = ()
