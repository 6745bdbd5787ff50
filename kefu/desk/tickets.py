"""Tickets from the bot and from handoffs: fields from the order, SLA, owner, completeness."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from kefu.desk.policy import SlaPolicy
from kefu.desk.ports import TicketRecord
from kefu.domain.aftersales import AfterSalesRequest, RequestKind
from kefu.domain.desk import Ticket, TicketKind, TicketStatus
from kefu.domain.handoff import TicketRequest
from kefu.domain.orders import Order

OPEN_STATUSES = (
    TicketStatus.OPEN,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING_CUSTOMER,
    TicketStatus.ESCALATED,
)

# who may move a ticket where; closing is the end
ALLOWED_MOVES: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    TicketStatus.OPEN: (
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.ESCALATED,
    ),
    TicketStatus.IN_PROGRESS: (
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.ESCALATED,
    ),
    TicketStatus.WAITING_CUSTOMER: (
        TicketStatus.IN_PROGRESS,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.ESCALATED,
    ),
    TicketStatus.ESCALATED: (
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    ),
    TicketStatus.RESOLVED: (TicketStatus.CLOSED, TicketStatus.IN_PROGRESS),
    TicketStatus.CLOSED: (),
}


def new_ticket_id() -> str:
    return "T" + uuid.uuid4().hex[:12].upper()


def order_facts(order: Order) -> dict[str, Any]:
    """What a ticket about an order needs to know without another look-up."""
    facts: dict[str, Any] = {
        "order_status": order.status.value,
        "order_value": str(order.goods_total),
        "skus": list(order.skus),
    }
    if order.shipment is not None:
        facts["courier"] = order.shipment.courier.value
        facts["tracking_no"] = order.shipment.tracking_no
        latest = order.shipment.latest_event
        if latest is not None:
            facts["last_tracking_at"] = latest.at.isoformat()
            facts["last_tracking"] = latest.description
    return facts


def build_ticket(
    request: TicketRequest,
    sla: SlaPolicy,
    *,
    facts: Mapping[str, Any],
    vip: bool,
    assignee: str | None,
) -> TicketRecord:
    """A new ticket; ``facts`` (from the order system) fill what the request leaves out."""
    fields = merged(facts, request.fields)
    ticket = Ticket(
        id=new_ticket_id(),
        kind=request.kind,
        status=TicketStatus.OPEN,
        customer_id=request.customer_id,
        created_at=request.at,
        sla_due_at=sla.due_at(request.kind, request.at, vip),
        description=request.description,
        order_id=request.order_id,
        conversation_id=request.conversation_id,
        assignee=assignee,
        priority=request.priority,
        fields=fields,
        attachments=tuple(request.attachments),
    )
    return TicketRecord(
        ticket=ticket, department=sla.kinds[request.kind].department, updated_at=request.at
    )


def _present(ticket: Ticket, name: str) -> bool:
    if name == "attachments":
        return bool(ticket.attachments) or bool(ticket.fields.get("attachments"))
    value = getattr(ticket, name, None) if name in _TICKET_ATTRS else ticket.fields.get(name)
    return value not in (None, "", [], {}, ())


_TICKET_ATTRS = {"customer_id", "description", "order_id", "kind", "conversation_id"}


def missing_fields(ticket: Ticket, sla: SlaPolicy) -> list[str]:
    return [f for f in sla.kinds[ticket.kind].required if not _present(ticket, f)]


def field_completeness(tickets: Iterable[Ticket], sla: SlaPolicy) -> float:
    """Share of required fields present over the tickets (1.0 when there are none)."""
    required = present = 0
    for t in tickets:
        names = sla.kinds[t.kind].required
        required += len(names)
        present += sum(1 for n in names if _present(t, n))
    return 1.0 if required == 0 else present / required


def ticket_dict(record: TicketRecord, sla: SlaPolicy | None = None) -> dict[str, Any]:
    t = record.ticket
    out: dict[str, Any] = {
        "id": t.id,
        "kind": t.kind.value,
        "status": t.status.value,
        "customer_id": t.customer_id,
        "order_id": t.order_id,
        "conversation_id": t.conversation_id,
        "assignee": t.assignee,
        "department": record.department,
        "priority": t.priority,
        "description": t.description,
        "fields": dict(t.fields),
        "attachments": list(t.attachments),
        "created_at": t.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "sla_due_at": t.sla_due_at.isoformat(),
        "escalated_at": record.escalated_at.isoformat() if record.escalated_at else None,
        "closed_at": record.closed_at.isoformat() if record.closed_at else None,
    }
    if sla is not None:
        out["missing_fields"] = missing_fields(t, sla)
    return out


# the after-sales request of the order system behind each ticket kind
_REQUEST_KINDS: dict[TicketKind, tuple[RequestKind, ...]] = {
    TicketKind.RETURN: (RequestKind.RETURN,),
    TicketKind.EXCHANGE: (RequestKind.EXCHANGE,),
    TicketKind.QUALITY: (RequestKind.RETURN, RequestKind.EXCHANGE),
    TicketKind.INVOICE: (RequestKind.INVOICE,),
    TicketKind.PRICE_PROTECTION: (RequestKind.PRICE_PROTECTION,),
    TicketKind.ADDRESS_CHANGE: (RequestKind.ADDRESS_CHANGE,),
}


def request_facts(kind: TicketKind, requests: Iterable[AfterSalesRequest]) -> dict[str, Any]:
    """The details of the newest matching after-sales request (reason, skus, invoice title)."""
    wanted = _REQUEST_KINDS.get(kind, ())
    matching = [r for r in requests if r.kind in wanted]
    if not matching:
        return {}
    newest = max(matching, key=lambda r: r.created_at)
    facts: dict[str, Any] = {k: v for k, v in newest.details.items() if v not in (None, "")}
    if "sku" in facts and "skus" not in facts:
        facts["skus"] = [facts["sku"]]
    facts["request_id"] = newest.id
    if newest.amount is not None:
        facts["amount"] = str(newest.amount)
    return facts


def merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """Later parts win: what the bot asked beats what the order system recorded."""
    out: dict[str, Any] = {}
    for part in parts:
        out.update(part)
    return out
