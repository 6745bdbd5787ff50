"""The desk's tickets: opened for the bot's work and for handoffs (one per order and kind),
assigned by type, carried along as a chat is accepted, transferred and closed, and escalated
past their SLA."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from kefu.desk import routing
from kefu.desk.events import agent_channel, is_supervisor
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import AgentStore, TicketRecord, TicketStore
from kefu.desk.shop import Shop
from kefu.desk.tickets import (
    OPEN_STATUSES,
    build_ticket,
    field_completeness,
    order_facts,
    request_facts,
    ticket_dict,
)
from kefu.domain.conversations import ConversationStatus
from kefu.domain.desk import AgentStatus, Skill, Ticket, TicketKind, TicketStatus
from kefu.domain.handoff import HandoffReason, HandoffRequest, LeftMessage, TicketRequest
from kefu.domain.ports import ConversationStore

# the kinds a person takes over with the chat; the others are the bot's work
CHAT_KINDS = (TicketKind.HANDOFF, TicketKind.COMPLAINT)


class TicketDesk:
    def __init__(
        self,
        *,
        agents: AgentStore,
        tickets: TicketStore,
        conversations: ConversationStore,
        policy: DeskPolicy,
        shop: Shop,
        outbox: Outbox,
    ) -> None:
        self.agents = agents
        self.tickets = tickets
        self.conversations = conversations
        self.policy = policy
        self.shop = shop
        self.outbox = outbox

    # ---- opening ------------------------------------------------------------------------------

    def find_open_ticket(
        self, customer_id: str, order_id: str | None, kind: TicketKind
    ) -> str | None:
        """The open ticket of this kind for the order: one per order and kind."""
        if not order_id:
            return None
        for record in self.tickets.find(customer_id=customer_id, status=OPEN_STATUSES, limit=200):
            if record.ticket.kind is kind and record.ticket.order_id == order_id:
                return record.ticket.id
        return None

    def open_ticket(self, request: TicketRequest) -> str:
        """A ticket for work the bot started, with the order system's facts filled in. An open
        ticket of the same kind for the same order is that ticket: asking twice opens one."""
        if request.kind not in CHAT_KINDS:
            existing = self.find_open_ticket(request.customer_id, request.order_id, request.kind)
            if existing is not None:
                return existing
        customer = self.shop.customer(request.customer_id)
        order = self.shop.order(request.customer_id, request.order_id)
        if request.order_id and order is None:
            # not this customer's order (or none at all): a ticket never links another
            # customer's order, whatever id the customer typed
            request = _without_order(request, request.order_id)
        facts: dict[str, Any] = order_facts(order) if order is not None else {}
        if request.order_id:
            requests = self.shop.requests(request.customer_id, request.order_id)
            facts.update(request_facts(request.kind, requests))
        vip = customer is not None and customer.vip.jumps_queue
        skill = self.policy.sla.kinds[request.kind].skill
        lang = customer.lang.value if customer is not None else "zh-CN"
        record = build_ticket(
            request,
            self.policy.sla,
            facts=facts,
            vip=vip,
            assignee=self.assignee_for(skill, lang),
        )
        self.tickets.add(record, actor="bot")
        if record.ticket.assignee:
            self.outbox.publish(
                agent_channel(record.ticket.assignee),
                {"type": "ticket", "ticket_id": record.ticket.id},
            )
        return record.ticket.id

    def for_handoff(self, request: HandoffRequest, points: int) -> str:
        """The conversation's open handoff ticket, or a new one (a complaint's when it is one)."""
        existing = self.of_conversation(request.conversation_id)
        if existing is not None:
            return existing
        complaint = request.reason is HandoffReason.COMPLAINT or request.intent == "complaint"
        order_id = request.entities.get("order_id") or (
            request.order_ids[0] if request.order_ids else None
        )
        fields: dict[str, Any] = {
            "reason": request.reason.value,
            "channel": request.channel,
            "intent": request.intent,
            "entities": dict(request.entities),
            "sentiment": request.sentiment,
            "lang": request.lang,
            "vip": request.vip,
        }
        if request.order_value is not None:
            fields["order_value"] = str(request.order_value)
        return self.open_ticket(
            TicketRequest(
                kind=TicketKind.COMPLAINT if complaint else TicketKind.HANDOFF,
                customer_id=request.customer_id,
                description=request.summary,
                at=request.at,
                order_id=str(order_id) if order_id else None,
                conversation_id=request.conversation_id,
                fields=fields,
                priority=points,
            )
        )

    def of_conversation(self, conversation_id: str) -> str | None:
        """The conversation's open handoff (or complaint) ticket."""
        open_ = self.tickets.find(conversation_id=conversation_id, status=OPEN_STATUSES, limit=20)
        handoff = [r for r in open_ if r.ticket.kind in CHAT_KINDS]
        return handoff[0].ticket.id if handoff else None

    def left_message(
        self,
        message: LeftMessage,
        left: dict[str, str],
        skill: Skill,
        lang: str,
        description: str,
    ) -> Ticket:
        """The conversation's ticket (opened now if it has none) carries what the customer left,
        assigned to the group the customer waited for when nobody has it yet."""
        cid = message.conversation_id
        ticket_id = self.of_conversation(cid)
        record = self.tickets.get(ticket_id) if ticket_id else None
        if record is None:
            ticket_id = self.open_ticket(
                TicketRequest(
                    kind=TicketKind.HANDOFF,
                    customer_id=message.customer_id,
                    description=description,
                    at=message.at,
                    conversation_id=cid,
                    fields={"reason": "left_message", "channel": "-"},
                )
            )
            record = self.tickets.get(ticket_id)
        assert record is not None
        ticket = replace(
            record.ticket,
            fields={**record.ticket.fields, "left_message": left},
            assignee=record.ticket.assignee or self.assignee_for(skill, lang),
        )
        self.tickets.save(
            replace(record, ticket=ticket, updated_at=message.at),
            "customer",
            "left_message",
            left,
        )
        return ticket

    def assignee_for(self, skill: Skill | None, lang: str) -> str | None:
        """Assignment by type: the agent of the kind's group with the fewest open tickets,
        online agents first. Handoff tickets wait for whoever accepts the conversation."""
        if skill is None:
            return None
        agents = [
            a for a in self.agents.all() if skill in a.skills and routing.speaks(a.langs, lang)
        ] or [a for a in self.agents.all() if skill in a.skills]
        if not agents:
            return None
        counts = self.tickets.open_counts()
        best = min(
            agents,
            key=lambda a: (a.status is not AgentStatus.ONLINE, counts.get(a.id, 0), a.id),
        )
        return best.id

    # ---- following the chat ---------------------------------------------------------------------

    def taken_by(self, conversation_id: str, agent_id: str, at: datetime) -> None:
        """The agent who accepted the chat works its open tickets."""
        for record in self.tickets.find(conversation_id=conversation_id, status=OPEN_STATUSES):
            t = replace(record.ticket, assignee=agent_id, status=TicketStatus.IN_PROGRESS)
            self.tickets.save(
                replace(record, ticket=t, updated_at=at), agent_id, "assigned", {"to": agent_id}
            )

    def transferred(
        self,
        conversation_id: str,
        to_agent: str | None,
        actor: str,
        detail: dict[str, Any],
        at: datetime,
    ) -> None:
        """The chat's open tickets go with it (to nobody yet when it went to a group)."""
        for record in self.tickets.find(conversation_id=conversation_id, status=OPEN_STATUSES):
            t = replace(record.ticket, assignee=to_agent)
            self.tickets.save(
                replace(record, ticket=t, updated_at=at), actor, "transferred", detail
            )

    def resolved(self, conversation_id: str, resolution: str, actor: str, at: datetime) -> None:
        """Closing the chat resolves its open tickets with the agent's resolution."""
        for record in self.tickets.find(conversation_id=conversation_id, status=OPEN_STATUSES):
            fields = {**record.ticket.fields, "resolution": resolution}
            t = replace(record.ticket, status=TicketStatus.RESOLVED, fields=fields)
            self.tickets.save(
                replace(record, ticket=t, updated_at=at, closed_at=at),
                actor,
                "resolved",
                {"resolution": resolution},
            )

    # ---- SLA and reports ------------------------------------------------------------------------

    def escalate_breaches(self, now: datetime) -> list[str]:
        """Tickets past their SLA: escalated, bumped, handed to a supervisor, customer told."""
        supervisors = [a for a in self.agents.all() if is_supervisor(a)]
        online = [a for a in supervisors if a.status is AgentStatus.ONLINE] or supervisors
        counts = self.tickets.open_counts()
        escalated: list[str] = []
        for record in self.tickets.breached(now):
            t = record.ticket
            owner = min(online, key=lambda a: (counts.get(a.id, 0), a.id)) if online else None
            if owner is not None:
                counts[owner.id] = counts.get(owner.id, 0) + 1
            bumped = replace(
                t,
                status=TicketStatus.ESCALATED,
                priority=t.priority + self.policy.sla.escalate_priority_points,
                assignee=owner.id if owner else t.assignee,
            )
            self.tickets.save(
                replace(record, ticket=bumped, updated_at=now, escalated_at=now),
                "system",
                "escalated",
                {
                    "due": t.sla_due_at.isoformat(),
                    "from": t.assignee,
                    "to": owner.id if owner else None,
                },
            )
            if t.conversation_id:
                conversation = self.conversations.get(t.conversation_id)
                if (
                    conversation is not None
                    and conversation.status is not ConversationStatus.CLOSED
                ):
                    self.outbox.tell_customer(
                        t.conversation_id,
                        conversation.lang,
                        "ticket_escalated",
                        now,
                        ticket_id=t.id,
                    )
            if owner is not None:
                self.outbox.publish(
                    agent_channel(owner.id), {"type": "escalated", "ticket_id": t.id}
                )
            escalated.append(t.id)
        return escalated

    def summary(self, record: TicketRecord) -> dict[str, Any]:
        return ticket_dict(record, self.policy.sla)

    def bot_ticket_completeness(self, limit: int = 10_000) -> tuple[float, int]:
        """Share of required fields present over the tickets the bot opened (not handoffs),
        and how many tickets that covers."""
        bot = [r.ticket for r in self.tickets.find(limit=limit) if r.ticket.kind not in CHAT_KINDS]
        return field_completeness(bot, self.policy.sla), len(bot)


def _without_order(request: TicketRequest, order_id: str) -> TicketRequest:
    """``request`` with no trace of ``order_id``: neither the link nor the parsed entities."""
    fields = dict(request.fields)
    entities = fields.get("entities")
    if isinstance(entities, dict) and entities.get("order_id") == order_id:
        fields["entities"] = {k: v for k, v in entities.items() if k != "order_id"}
    return replace(request, order_id=None, fields=fields)
