"""Agent assist: suggested replies, and the customer's profile and orders, ready for an agent."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kefu.desk.texts import render
from kefu.domain.customers import Customer, mask_phone
from kefu.domain.orders import Order
from kefu.knowledge.ports import KnowledgeBase
from kefu.privacy.masking import mask_address

ORDER_ID = re.compile(r"E\d{13}")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    source: str  # "kb" or "order"
    entry_id: str | None = None
    question: str | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source": self.source,
            "entry_id": self.entry_id,
            "question": self.question,
            "score": None if self.score is None else round(self.score, 4),
        }


def profile(customer: Customer) -> dict[str, Any]:
    """The customer as an agent sees them: the phone masked, every channel identity listed."""
    return {
        "id": customer.id,
        "name": customer.name,
        "vip": customer.vip.value,
        "phone": mask_phone(customer.phone),
        "lang": customer.lang.value,
        "new_customer": customer.is_new_customer,
        "channels": dict(customer.identities),
    }


def order_view(order: Order) -> dict[str, Any]:
    shipment = order.shipment
    latest = shipment.latest_event if shipment else None
    return {
        "id": order.id,
        "status": order.status.value,
        "created_at": order.created_at.isoformat(),
        # masked: the full address is shown on request, with a reason, and audited
        "address": mask_address(order.address),
        "total": str(order.goods_total),
        "items": [
            {"sku": i.sku, "qty": i.qty, "unit_price": str(i.unit_price), "size": i.size}
            for i in order.items
        ],
        "courier": shipment.courier.value if shipment else None,
        "tracking_no": shipment.tracking_no if shipment else None,
        "latest_tracking": latest.description if latest else None,
        "latest_tracking_at": latest.at.isoformat() if latest else None,
    }


def relevant_order(text: str, orders: Sequence[Order]) -> Order | None:
    """The order the customer names, else their most recent one."""
    by_id = {o.id: o for o in orders}
    for found in ORDER_ID.findall(text):
        if found in by_id:
            return by_id[found]
    return max(orders, key=lambda o: o.created_at) if orders else None


def fill_values(order: Order | None, customer: Customer | None) -> dict[str, str]:
    values: dict[str, str] = {}
    if customer is not None:
        values["name"] = customer.name
    if order is not None:
        values["order_id"] = order.id
        values["order_status"] = order.status.value
        values["total"] = str(order.goods_total)
        if order.shipment is not None:
            values["courier"] = order.shipment.courier.value
            values["tracking_no"] = order.shipment.tracking_no
    return values


def fill(text: str, values: Mapping[str, str]) -> str:
    """Fill the known placeholders only; anything else in braces stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def order_line(order: Order, lang: str, messages: Mapping[str, Any]) -> str:
    status = render(messages, f"order_status.{order.status.value}", lang)
    shipment = ""
    if order.shipment is not None:
        latest = order.shipment.latest_event
        shipment = render(
            messages,
            "shipment_facts",
            lang,
            courier=order.shipment.courier.value,
            tracking_no=order.shipment.tracking_no,
            latest=latest.description if latest else "-",
        )
    return render(
        messages, "order_facts", lang, order_id=order.id, status=status, shipment=shipment
    )


def _hits(result: Any) -> list[Any]:
    hits = getattr(result, "hits", result)
    return list(hits or [])


def suggestions(
    text: str,
    lang: str,
    channel: str | None,
    now: datetime,
    *,
    knowledge: KnowledgeBase | None,
    orders: Sequence[Order],
    customer: Customer | None,
    messages: Mapping[str, Any],
    k: int = 3,
) -> list[Suggestion]:
    """The order's facts first (when the customer has orders), then the best KB answers."""
    order = relevant_order(text, orders)
    out: list[Suggestion] = []
    if order is not None:
        out.append(Suggestion(text=order_line(order, lang, messages), source="order"))
    if knowledge is not None and text.strip():
        values = fill_values(order, customer)
        for hit in _hits(knowledge.search(text, lang, channel, now, k, record=False))[:k]:
            answer = getattr(hit, "answer", None)
            if not answer:
                continue
            out.append(
                Suggestion(
                    text=fill(str(answer), values),
                    source="kb",
                    entry_id=getattr(hit, "entry_id", None),
                    question=getattr(hit, "question", None),
                    score=getattr(hit, "score", None),
                )
            )
    return out
