"""Order events from the shop's order system (CONTRACT section 5) and how each moves an order.

Pure: parsing and the rule that keeps an order's state monotone when events arrive out of order
(an ``order.delivered`` that overtakes its ``order.shipped`` must not be rolled back by it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from kefu.domain.errors import ClientError, Problem
from kefu.domain.orders import Courier, OrderStatus
from kefu.resources import data_path

MAX_EVENT_BYTES = 64 * 1024
# the pub/sub channel of every order event, from the shop or made in kefu
ORDER_EVENTS_CHANNEL = "order-events"


class OrderEventType(StrEnum):
    CREATED = "order.created"
    PAID = "order.paid"
    SHIPPED = "order.shipped"
    SHIPMENT_UPDATED = "shipment.updated"
    DELIVERED = "order.delivered"
    REFUND_COMPLETED = "refund.completed"


class BadOrderEvent(ClientError):
    problem = Problem.INVALID
    code = "invalid_event"


@dataclass(frozen=True, slots=True)
class ShopEvent:
    event_id: str
    type: OrderEventType
    order_id: str
    customer_id: str
    at: datetime  # aware, UTC
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type.value,
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "at": self.at.isoformat(),
            "data": self.data,
        }


# how far along an order is; an event never moves an order to a lower rank
_RANK = {
    OrderStatus.UNPAID: 0,
    OrderStatus.GROUP_FORMING: 1,
    OrderStatus.AWAITING_BALANCE: 1,
    OrderStatus.PAID: 2,
    OrderStatus.SHIPPED: 3,
    OrderStatus.DELIVERED: 4,
    OrderStatus.COMPLETED: 5,
    OrderStatus.CANCELLED: 6,
    OrderStatus.REFUNDING: 6,
    OrderStatus.REFUNDED: 7,
}
_TARGET: dict[OrderEventType, OrderStatus | None] = {
    OrderEventType.CREATED: OrderStatus.UNPAID,
    OrderEventType.PAID: OrderStatus.PAID,
    OrderEventType.SHIPPED: OrderStatus.SHIPPED,
    OrderEventType.SHIPMENT_UPDATED: None,
    OrderEventType.DELIVERED: OrderStatus.DELIVERED,
    OrderEventType.REFUND_COMPLETED: OrderStatus.REFUNDED,
}


def status_after(current: OrderStatus | None, event: OrderEventType) -> OrderStatus | None:
    """The status ``event`` moves an order in ``current`` to; None when it must not change it
    (it only adds facts, or it arrived after a later step and would roll the order back)."""
    target = _TARGET[event]
    if target is None or target == current:
        return None
    if current is None:
        return target
    if current == OrderStatus.CANCELLED and target != OrderStatus.REFUNDED:
        return None
    return target if _RANK[target] > _RANK[current] else None


def is_stale(current: OrderStatus | None, event: OrderEventType) -> bool:
    """True when the event describes a step the order has already passed."""
    target = _TARGET[event]
    if target is None or current is None or target == current:
        return False
    return status_after(current, event) is None


@lru_cache(maxsize=1)
def _courier_names() -> dict[str, Courier]:
    with data_path("commerce", "couriers.json").open(encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    names: dict[str, Courier] = {}
    for code, aliases in raw.items():
        if code.startswith("_"):
            continue
        for alias in aliases:
            names[str(alias).strip().lower()] = Courier(code)
    return names


def courier_code(name: str) -> Courier:
    """The courier for a carrier name as shops write it (顺丰速运, SF, 中通); OTHER if unknown."""
    return _courier_names().get(name.strip().lower(), Courier.OTHER)


def parse_time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise BadOrderEvent(f"{name} must be an ISO 8601 time with a UTC offset")
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadOrderEvent(f"{name} must be an ISO 8601 time with a UTC offset") from None
    if at.tzinfo is None:
        raise BadOrderEvent(f"{name} needs a UTC offset, e.g. 2026-11-11T10:00:00+08:00")
    return at.astimezone(UTC)


def _text(data: dict[str, Any], name: str, max_len: int = 128) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise BadOrderEvent(f"{name} must be a non-empty string of at most {max_len} characters")
    return value.strip()


def _check_data(kind: OrderEventType, data: dict[str, Any]) -> None:
    if kind == OrderEventType.SHIPPED:
        _text(data, "carrier", 64)
        _text(data, "tracking_no", 64)
    elif kind == OrderEventType.SHIPMENT_UPDATED:
        _text(data, "description", 500)
    elif kind == OrderEventType.CREATED and "items" in data:
        items = data["items"]
        ok = isinstance(items, list) and all(
            isinstance(i, dict)
            and isinstance(i.get("sku"), str)
            and isinstance(i.get("qty"), int)
            and not isinstance(i.get("qty"), bool)
            and i["qty"] > 0
            for i in items
        )
        if not ok:
            raise BadOrderEvent('data.items must be [{"sku", "qty", "unit_price"}, ...]')
    if "amount" in data and not isinstance(data["amount"], str | int | float):
        raise BadOrderEvent("data.amount must be a decimal string")


def parse_shop_event(body: bytes) -> ShopEvent:
    """Validate a posted order event; a BadOrderEvent says what is wrong."""
    if len(body) > MAX_EVENT_BYTES:
        raise BadOrderEvent("the body is too large")
    try:
        raw = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadOrderEvent("the body must be JSON") from None
    if not isinstance(raw, dict):
        raise BadOrderEvent('the body must be {"event_id", "type", "order_id", ...}')
    event_id = _text(raw, "event_id")
    order_id = _text(raw, "order_id", 32).upper()
    customer_id = _text(raw, "customer_id", 32)
    try:
        kind = OrderEventType(str(raw.get("type")))
    except ValueError:
        known = ", ".join(t.value for t in OrderEventType)
        raise BadOrderEvent(f"type must be one of {known}") from None
    data = raw.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadOrderEvent("data must be an object")
    _check_data(kind, data)
    return ShopEvent(event_id, kind, order_id, customer_id, parse_time(raw.get("at"), "at"), data)
