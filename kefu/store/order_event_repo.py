"""Applies order events to the order book: once per ``event_id``, never rolling an order back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.commerce.events import (
    OrderEventType,
    ShopEvent,
    courier_code,
    is_stale,
    parse_time,
    status_after,
)
from kefu.domain.errors import ClientError, Problem
from kefu.domain.money import money
from kefu.domain.orders import Order, OrderStatus
from kefu.store.commerce_repo import SqlOrderBook
from kefu.store.db import Database
from kefu.store.tables.commerce import (
    CustomerRow,
    OrderEventRow,
    OrderItemRow,
    OrderRow,
    ProductRow,
    ShipmentRow,
    TrackingEventRow,
)
from kefu.store.tables.shop import OrderEventReceiptRow

log = logging.getLogger("kefu.store")


class EventRefused(ClientError):
    """The event names something kefu cannot attach it to; nothing was changed."""

    problem = Problem.UNPROCESSABLE
    code = "event_refused"


@dataclass(frozen=True, slots=True)
class AppliedEvent:
    event: ShopEvent
    order: Order
    duplicate: bool  # seen before: nothing changed this time
    stale: bool  # a step the order had already passed: facts kept, state not rolled back
    status_before: OrderStatus | None


class SqlOrderEvents:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.book = SqlOrderBook(db)

    def apply(self, event: ShopEvent, now: datetime, source: str = "shop") -> AppliedEvent:
        """Apply ``event`` once; a retry of the same ``event_id`` changes nothing."""
        for attempt in range(2):
            try:
                return self._apply(event, now, source)
            except IntegrityError:
                # another worker stored the same event id (or created the order) first
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _apply(self, event: ShopEvent, now: datetime, source: str) -> AppliedEvent:
        with self.db.session() as s:
            seen = s.get(OrderEventReceiptRow, event.event_id)
            if seen is not None:
                if seen.order_id != event.order_id:
                    raise EventRefused("this event_id was already used for another order")
                stale, before, duplicate = seen.outcome == "stale", None, True
            else:
                stale, before = self._write(s, event, now, source)
                duplicate = False
        # read back the way the commerce port reads orders (after the commit)
        order = self.book.order(event.order_id)
        assert order is not None  # written above, or by the first delivery of this event
        return AppliedEvent(event, order, duplicate, stale, before)

    def _write(
        self, s: Session, event: ShopEvent, now: datetime, source: str
    ) -> tuple[bool, OrderStatus | None]:
        """Change the order in the caller's transaction; (stale, status before)."""
        row = s.get(OrderRow, event.order_id, with_for_update=True)
        if row is None:
            row = self._new_order(s, event)
        elif row.customer_id != event.customer_id:
            # never attach one customer's order facts to another's history
            raise EventRefused("the order belongs to another customer")
        before = OrderStatus(row.status) if row.status else None
        stale = is_stale(before, event.type)
        self._add_facts(s, row, event)
        target = status_after(before, event.type)
        if target is not None:
            row.status = target.value
            s.add(
                OrderEventRow(
                    order_id=row.id,
                    at=event.at,
                    kind="status",
                    detail=f"{before.value if before else ''} -> {target.value}",
                    actor=source,
                )
            )
        s.add(
            OrderEventRow(
                order_id=row.id,
                at=event.at,
                kind=event.type.value,
                detail=event.event_id,
                actor=source,
            )
        )
        s.add(
            OrderEventReceiptRow(
                event_id=event.event_id,
                order_id=row.id,
                type=event.type.value,
                at=event.at,
                received_at=now,
                source=source,
                outcome="stale" if stale else "applied",
                payload=event.to_dict(),
            )
        )
        s.flush()
        return stale, before

    def record(self, event: dict[str, Any], now: datetime, source: str = "kefu") -> None:
        """Log an event kefu itself caused (the order book changed already) in the same log."""
        with self.db.session() as s:
            s.add(
                OrderEventReceiptRow(
                    event_id=str(event["event_id"]),
                    order_id=str(event["order_id"]),
                    type=str(event["type"]),
                    at=datetime.fromisoformat(str(event["at"])),
                    received_at=now,
                    source=source,
                    outcome="applied",
                    payload=event,
                )
            )

    def log(
        self, customer_id: str | None = None, order_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The events of an order (or all of a customer's), oldest first, with their source."""
        with self.db.session() as s:
            q = select(OrderEventReceiptRow).order_by(OrderEventReceiptRow.at)
            if order_id:
                q = q.where(OrderEventReceiptRow.order_id == order_id)
            rows = [r for r in s.scalars(q)]
        out = [{**r.payload, "source": r.source, "outcome": r.outcome} for r in rows]
        return [e for e in out if customer_id is None or e.get("customer_id") == customer_id]

    def _new_order(self, s: Session, event: ShopEvent) -> OrderRow:
        """An event for an order kefu has not seen (events may overtake the import)."""
        if s.get(CustomerRow, event.customer_id) is None:
            raise EventRefused(f"unknown customer {event.customer_id}: import customers first")
        created = event.data.get("created_at")
        row = OrderRow(
            id=event.order_id,
            customer_id=event.customer_id,
            status="",
            address=str(event.data.get("address") or ""),
            created_at=parse_time(created, "data.created_at") if created else event.at,
        )
        s.add(row)
        for item in event.data.get("items") or []:
            if s.get(ProductRow, item["sku"]) is None:
                raise EventRefused(f"unknown sku {item['sku']}: import products first")
            row.items.append(
                OrderItemRow(
                    sku=item["sku"],
                    qty=item["qty"],
                    unit_price=_amount(item.get("unit_price", "0")),
                    size=item.get("size"),
                )
            )
        s.flush()
        return row

    def _add_facts(self, s: Session, row: OrderRow, event: ShopEvent) -> None:
        """Facts an event brings are kept even when its status change is stale."""
        data, at = event.data, event.at
        if event.type == OrderEventType.PAID:
            row.paid_at = row.paid_at or at
        elif event.type == OrderEventType.SHIPPED:
            row.shipped_at = row.shipped_at or at
            self._shipment(s, row, data, at)
        elif event.type == OrderEventType.SHIPMENT_UPDATED:
            shipment = self._shipment(s, row, data, at) if data.get("tracking_no") else row.shipment
            if shipment is None:
                raise EventRefused("shipment.updated for an order with no shipment yet")
            shipment.events.append(TrackingEventRow(at=at, description=str(data["description"])))
        elif event.type == OrderEventType.DELIVERED:
            row.delivered_at = row.delivered_at or at
            if row.shipment is not None:
                row.shipment.delivered_at = row.shipment.delivered_at or at
        elif event.type == OrderEventType.REFUND_COMPLETED and "amount" in data:
            row.refund_amount = _amount(data["amount"])

    def _shipment(
        self, s: Session, row: OrderRow, data: dict[str, object], at: datetime
    ) -> ShipmentRow:
        tracking_no = str(data.get("tracking_no", "")).strip().upper()
        carrier = str(data.get("carrier") or "")
        if row.shipment is not None:
            if tracking_no and row.shipment.tracking_no != tracking_no:
                self._check_tracking_free(s, row.id, tracking_no)
                row.shipment.tracking_no = tracking_no
                row.shipment.courier = courier_code(carrier).value
            return row.shipment
        self._check_tracking_free(s, row.id, tracking_no)
        row.shipment = ShipmentRow(
            order_id=row.id,
            courier=courier_code(carrier).value,
            tracking_no=tracking_no,
            shipped_at=at,
        )
        return row.shipment

    def _check_tracking_free(self, s: Session, order_id: str, tracking_no: str) -> None:
        owner = s.scalar(select(ShipmentRow.order_id).where(ShipmentRow.tracking_no == tracking_no))
        if owner is not None and owner != order_id:
            raise EventRefused("this tracking number belongs to another order")


def _amount(value: object) -> Decimal:
    try:
        return money(str(value))
    except (InvalidOperation, ValueError):
        raise EventRefused(f"{value!r} is not an amount") from None
