"""What an agent sees of one conversation: history, profile, orders, tickets, past conversations
on every channel, and suggested replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kefu.commerce.ports import CommerceError
from kefu.desk import assist
from kefu.desk.errors import Unknown
from kefu.desk.events import message_dict
from kefu.desk.ports import SeatState
from kefu.desk.priority import effective_priority
from kefu.domain.conversations import Conversation, Message, Sender
from kefu.domain.customers import Customer
from kefu.domain.desk import Agent
from kefu.domain.orders import Order

if TYPE_CHECKING:
    from kefu.desk.service import Desk


def view(desk: Desk, agent: Agent, conversation_id: str, now: datetime) -> dict[str, Any]:
    """Everything an agent needs in hand: history, profile, orders, tickets, suggestions."""
    conversation, entry = desk.check_access(agent, conversation_id)
    messages = desk.conversations.messages(conversation_id, limit=1000)
    customer = desk.customer(conversation.customer_id)
    orders = desk.orders(conversation.customer_id)
    last_customer = next((m for m in reversed(messages) if m.sender is Sender.CUSTOMER), None)
    names = _product_names(desk)
    past = [
        {
            "id": c.id,
            "channel": c.channel,
            "status": c.status.value,
            "created_at": c.created_at.isoformat(),
            "summary": c.summary,
        }
        for c in desk.conversations.of_customer(conversation.customer_id, limit=20)
        if c.id != conversation_id
    ]
    return {
        "conversation": {
            "id": conversation.id,
            "customer_id": conversation.customer_id,
            "channel": conversation.channel,
            "lang": conversation.lang,
            "status": conversation.status.value,
            "agent_id": entry.agent_id if entry.state != SeatState.WAITING else None,
            "skill": entry.skill,
            "reason": entry.reason,
            "summary": entry.summary,
            "priority": effective_priority(entry.virtual_arrival, now, desk.policy.routing),
            "because": list(entry.because),
            "waiting_since": entry.waiting_since.isoformat(),
        },
        "messages": [message_dict(m) for m in messages],
        "customer": assist.profile(customer) if customer else None,
        "orders": [_named(assist.order_view(o), names) for o in orders],
        "tickets": [
            desk.ticket_summary(r)
            for r in desk.tickets.find(customer_id=conversation.customer_id, limit=20)
        ],
        "past_conversations": past,
        # the desk's own words about the chat (never part of what the customer is shown)
        "notes": desk.notes.of(conversation_id),
        "tags": desk.notes.tags(conversation_id),
        "suggestions": [
            s.to_dict() for s in _suggest(desk, conversation, last_customer, customer, orders, now)
        ],
    }


def _product_names(desk: Desk) -> dict[str, dict[str, str]]:
    """Product names by SKU, so the agent reads "羽绒服 ×1" rather than "P3001×1"."""
    try:
        products = desk.commerce.list_products()
    except CommerceError:
        return {}
    return {p.sku: {"zh": p.name_zh, "en": p.name_en} for p in products}


def _named(order: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    items = [
        {
            **i,
            "name": names.get(i["sku"], {}).get("zh"),
            "name_en": names.get(i["sku"], {}).get("en"),
        }
        for i in order["items"]
    ]
    return {**order, "items": items}


def suggestions_for(
    desk: Desk, agent: Agent, conversation_id: str, message_id: str | None, now: datetime
) -> list[dict[str, Any]]:
    conversation, _ = desk.check_access(agent, conversation_id)
    messages = desk.conversations.messages(conversation_id, limit=1000)
    customer_messages = [m for m in messages if m.sender is Sender.CUSTOMER]
    if message_id is not None:
        chosen = next((m for m in customer_messages if m.id == message_id), None)
        if chosen is None:
            raise Unknown(f"no customer message {message_id} in this conversation")
    else:
        chosen = customer_messages[-1] if customer_messages else None
    customer = desk.customer(conversation.customer_id)
    orders = desk.orders(conversation.customer_id)
    return [s.to_dict() for s in _suggest(desk, conversation, chosen, customer, orders, now)]


def _suggest(
    desk: Desk,
    conversation: Conversation,
    message: Message | None,
    customer: Customer | None,
    orders: Sequence[Order],
    now: datetime,
) -> list[assist.Suggestion]:
    if message is None:
        return []
    # the NLU's order id (stored with the message) names the order the customer means
    entities = message.meta.get("entities") or {}
    named = entities.get("order_id") if isinstance(entities, dict) else None
    return assist.suggestions(
        f"{named} {message.text}" if named else message.text,
        conversation.lang,
        conversation.channel,
        now,
        knowledge=desk.knowledge,
        orders=orders,
        customer=customer,
        messages=desk.policy.messages,
    )
