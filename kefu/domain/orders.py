"""Orders, their items and shipments, and the rules that follow from the order's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from kefu.domain.money import ZERO

STALLED_AFTER = timedelta(hours=72)


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"  # paid, not shipped yet
    AWAITING_BALANCE = "awaiting_balance"  # presale: deposit paid, balance due
    GROUP_FORMING = "group_forming"  # group buy waiting for members
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDING = "refunding"
    REFUNDED = "refunded"

    @property
    def is_shipped(self) -> bool:
        return self in {
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
            OrderStatus.COMPLETED,
        }


class Courier(StrEnum):
    SF = "SF"
    ZTO = "ZTO"
    YTO = "YTO"
    STO = "STO"
    YUNDA = "YUNDA"
    JD = "JD"
    EMS = "EMS"
    DEPPON = "DEPPON"
    OTHER = "OTHER"  # a carrier kefu has no name for: notices quote the shop's own name for it


@dataclass(frozen=True, slots=True)
class OrderItem:
    sku: str
    qty: int
    unit_price: Decimal
    size: str | None = None
    promotion_id: str | None = None
    engraving: str | None = None

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.qty


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    at: datetime
    description: str


@dataclass(frozen=True, slots=True)
class Shipment:
    order_id: str
    courier: Courier
    tracking_no: str
    shipped_at: datetime
    delivered_at: datetime | None = None
    events: tuple[TrackingEvent, ...] = ()

    @property
    def latest_event(self) -> TrackingEvent | None:
        return max(self.events, key=lambda e: e.at) if self.events else None

    def is_stalled(self, now: datetime) -> bool:
        """In transit with no tracking update for more than 72 hours."""
        if self.delivered_at is not None:
            return False
        last = self.latest_event.at if self.latest_event else self.shipped_at
        return now - last > STALLED_AFTER


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    customer_id: str
    status: OrderStatus
    items: tuple[OrderItem, ...]
    created_at: datetime
    address: str = ""
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    shipping_insurance: bool = False
    deposit_paid_at: datetime | None = None
    balance_due: Decimal | None = None
    group_members: int | None = None
    group_deadline: datetime | None = None
    return_received_at: datetime | None = None
    refund_amount: Decimal | None = None
    shipment: Shipment | None = None
    history: tuple[OrderEvent, ...] = field(default=())

    @property
    def goods_total(self) -> Decimal:
        return sum((i.line_total for i in self.items), ZERO)

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(i.sku for i in self.items)


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One change of an order, kept forever so history can be replayed."""

    at: datetime
    kind: str  # e.g. status, address_changed, return_opened
    detail: str
    actor: str  # customer id, agent id, 'bot' or 'system'
