"""The SQL order book behind the embedded commerce: rows in, domain values out."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from kefu.domain.aftersales import AfterSalesRequest, RequestKind, RequestStatus
from kefu.domain.catalog import Category, NoReasonReturnExclusion, Product
from kefu.domain.customers import Customer, Lang, VipLevel
from kefu.domain.orders import (
    Courier,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Shipment,
    TrackingEvent,
)
from kefu.store.db import Database
from kefu.store.tables.commerce import (
    AfterSalesRequestRow,
    ChannelIdentityRow,
    CustomerRow,
    OrderEventRow,
    OrderItemRow,
    OrderRow,
    ProductRow,
    ShipmentRow,
    TrackingEventRow,
)

_ORDERS = OrderRow.__table__
_ITEMS = OrderItemRow.__table__
_EVENTS = OrderEventRow.__table__
_SHIPMENTS = ShipmentRow.__table__
_TRACKING = TrackingEventRow.__table__
_CUSTOMERS = CustomerRow.__table__
_IDENTITIES = ChannelIdentityRow.__table__


class _OrderReads(NamedTuple):
    """The five statements that read some orders whole, for one way of choosing them. Each
    child table is read by the same choice (``IN`` a subquery on the orders), not by a list of
    ids: no statement needs rendering per call, so all of them run compiled once
    (``Database.rows``), and each stays an indexed look-up whatever the tables hold."""

    orders: Any
    items: Any
    events: Any
    shipments: Any
    tracking: Any


def _order_reads(chosen: Any) -> _OrderReads:
    ids = select(_ORDERS.c.id).where(chosen)
    return _OrderReads(
        orders=select(_ORDERS).where(chosen).order_by(_ORDERS.c.created_at.desc()),
        items=select(_ITEMS).where(_ITEMS.c.order_id.in_(ids)).order_by(_ITEMS.c.id),
        events=select(_EVENTS).where(_EVENTS.c.order_id.in_(ids)).order_by(_EVENTS.c.id),
        shipments=select(_SHIPMENTS).where(_SHIPMENTS.c.order_id.in_(ids)),
        tracking=select(_TRACKING).where(_TRACKING.c.order_id.in_(ids)).order_by(_TRACKING.c.at),
    )


# the statements of the turn's reads, built once: composing a select costs more than running it
_OF_CUSTOMER = _order_reads(_ORDERS.c.customer_id == bindparam("customer_id"))
_BY_ID = _order_reads(_ORDERS.c.id == bindparam("order_id"))
_BY_TRACKING = _order_reads(
    _ORDERS.c.id.in_(
        select(_SHIPMENTS.c.order_id).where(_SHIPMENTS.c.tracking_no == bindparam("tracking_no"))
    )
)

# a customer and every channel identity they have in one statement (one row per identity; a
# customer without any still comes back once): a turn reads its customer every time
_ALL_IDS = _IDENTITIES.alias("all_ids")
_KEY = _IDENTITIES.alias("key")
_WITH_IDENTITIES = select(
    _CUSTOMERS,
    _ALL_IDS.c.channel.label("identity_channel"),
    _ALL_IDS.c.channel_user_id.label("identity_user"),
).outerjoin(_ALL_IDS, _ALL_IDS.c.customer_id == _CUSTOMERS.c.id)
_CUSTOMER = _WITH_IDENTITIES.where(_CUSTOMERS.c.id == bindparam("customer_id"))
# the customer behind a channel identity: the identity's row joined to theirs, and all of theirs
_CUSTOMER_BY_IDENTITY = _WITH_IDENTITIES.join(_KEY, _KEY.c.customer_id == _CUSTOMERS.c.id).where(
    _KEY.c.channel == bindparam("channel"),
    _KEY.c.channel_user_id == bindparam("channel_user_id"),
)


def customer_by_identity(db: Database, channel: str, channel_user_id: str) -> Customer | None:
    rows = db.rows(_CUSTOMER_BY_IDENTITY, {"channel": channel, "channel_user_id": channel_user_id})
    return _customer_of_rows(rows)


def _customer_of_rows(rows: Sequence[Any]) -> Customer | None:
    if not rows:
        return None
    row = rows[0]
    return Customer(
        id=row.id,
        name=row.name,
        vip=VipLevel(row.vip),
        phone=row.phone,
        lang=Lang(row.lang),
        is_new_customer=row.is_new_customer,
        email=row.email,
        identities={r.identity_channel: r.identity_user for r in rows if r.identity_channel},
        timezone=row.timezone,
        currency=row.currency,
    )


def _load_orders(db: Database, reads: _OrderReads, params: dict[str, str]) -> list[Order]:
    """Orders with their items, shipment, tracking and history in five statements whatever the
    count: the ORM's relationship loads cost a turn several times that (one read per turn)."""
    rows = db.rows(reads.orders, params)
    if not rows:
        return []
    items: dict[str, list[OrderItem]] = defaultdict(list)
    for i in db.rows(reads.items, params):
        items[i.order_id].append(
            OrderItem(
                sku=i.sku,
                qty=i.qty,
                unit_price=i.unit_price,
                size=i.size,
                promotion_id=i.promotion_id,
                engraving=i.engraving,
            )
        )
    history: dict[str, list[OrderEvent]] = defaultdict(list)
    for e in db.rows(reads.events, params):
        history[e.order_id].append(OrderEvent(e.at, e.kind, e.detail, e.actor))
    shipped = {s.order_id: s for s in db.rows(reads.shipments, params)}
    tracking: dict[str, list[TrackingEvent]] = defaultdict(list)
    if shipped:
        for t in db.rows(reads.tracking, params):
            tracking[t.order_id].append(TrackingEvent(t.at, t.description))
    orders = []
    for row in rows:
        s = shipped.get(row.id)
        shipment = (
            Shipment(
                order_id=row.id,
                courier=Courier(s.courier),
                tracking_no=s.tracking_no,
                shipped_at=s.shipped_at,
                delivered_at=s.delivered_at,
                events=tuple(tracking.get(row.id, ())),
            )
            if s is not None
            else None
        )
        orders.append(
            Order(
                id=row.id,
                customer_id=row.customer_id,
                status=OrderStatus(row.status),
                items=tuple(items.get(row.id, ())),
                created_at=row.created_at,
                address=row.address,
                paid_at=row.paid_at,
                shipped_at=row.shipped_at,
                delivered_at=row.delivered_at,
                shipping_insurance=row.shipping_insurance,
                deposit_paid_at=row.deposit_paid_at,
                balance_due=row.balance_due,
                group_members=row.group_members,
                group_deadline=row.group_deadline,
                return_received_at=row.return_received_at,
                refund_amount=row.refund_amount,
                shipment=shipment,
                history=tuple(history.get(row.id, ())),
            )
        )
    return orders


def product_from_row(row: ProductRow) -> Product:
    return Product(
        sku=row.sku,
        name_zh=row.name_zh,
        name_en=row.name_en,
        category=Category(row.category),
        price=row.price,
        stock=row.stock,
        sizes=tuple(row.sizes or ()),
        notes_zh=row.notes_zh,
        notes_en=row.notes_en,
        aliases=tuple(row.aliases or ()),
        no_reason_exclusion=(
            NoReasonReturnExclusion(row.no_reason_exclusion) if row.no_reason_exclusion else None
        ),
        restock_days=row.restock_days,
        size_chart=dict(row.size_chart or {}),
    )


def request_from_row(row: AfterSalesRequestRow) -> AfterSalesRequest:
    return AfterSalesRequest(
        id=row.id,
        kind=RequestKind(row.kind),
        order_id=row.order_id,
        customer_id=row.customer_id,
        status=RequestStatus(row.status),
        created_at=row.created_at,
        amount=row.amount,
        details=dict(row.details or {}),
    )


class SqlOrderBook:
    """Implements ``kefu.commerce.embedded.OrderBook`` over the kefu database."""

    def __init__(self, db: Database, catalogue_ttl_s: float = 2.0) -> None:
        self.db = db
        # the catalogue is read on most turns and quotes but changes rarely: every worker re-reads
        # it at most every ``catalogue_ttl_s`` (stock shown may lag that long)
        self.catalogue_ttl_s = catalogue_ttl_s
        self._catalogue: tuple[float, tuple[Product, ...]] | None = None

    def customer(self, customer_id: str) -> Customer | None:
        return _customer_of_rows(self.db.rows(_CUSTOMER, {"customer_id": customer_id}))

    def customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None:
        return customer_by_identity(self.db, channel, channel_user_id)

    def products(self) -> list[Product]:
        cached, now = self._catalogue, time.monotonic()
        if cached is not None and now - cached[0] < self.catalogue_ttl_s:
            return list(cached[1])
        with self.db.session() as s:
            rows = s.scalars(select(ProductRow).order_by(ProductRow.sku))
            products = tuple(product_from_row(r) for r in rows)
        self._catalogue = (now, products)
        return list(products)

    def product(self, sku: str) -> Product | None:
        with self.db.session() as s:
            row = s.get(ProductRow, sku)
            return product_from_row(row) if row else None

    def orders_of(self, customer_id: str) -> list[Order]:
        return _load_orders(self.db, _OF_CUSTOMER, {"customer_id": customer_id})

    def order(self, order_id: str) -> Order | None:
        found = _load_orders(self.db, _BY_ID, {"order_id": order_id})
        return found[0] if found else None

    def order_by_tracking(self, tracking_no: str) -> Order | None:
        found = _load_orders(self.db, _BY_TRACKING, {"tracking_no": tracking_no})
        return found[0] if found else None

    def requests_of(self, customer_id: str, order_id: str | None) -> list[AfterSalesRequest]:
        with self.db.session() as s:
            q = select(AfterSalesRequestRow).where(AfterSalesRequestRow.customer_id == customer_id)
            if order_id:
                q = q.where(AfterSalesRequestRow.order_id == order_id)
            return [
                request_from_row(r) for r in s.scalars(q.order_by(AfterSalesRequestRow.created_at))
            ]

    def save_address(self, order_id: str, address: str, at: datetime, actor: str) -> None:
        with self.db.session() as s:
            row = s.get_one(OrderRow, order_id)
            old = row.address
            row.address = address
            s.add(
                OrderEventRow(
                    order_id=order_id,
                    at=at,
                    kind="address_changed",
                    detail=f"{old} -> {address}",
                    actor=actor,
                )
            )

    def save_status(self, order_id: str, status: OrderStatus, at: datetime, actor: str) -> None:
        with self.db.session() as s:
            row = s.get_one(OrderRow, order_id)
            old = row.status
            row.status = status.value
            s.add(
                OrderEventRow(
                    order_id=order_id,
                    at=at,
                    kind="status",
                    detail=f"{old} -> {status.value}",
                    actor=actor,
                )
            )

    def save_request(self, request: AfterSalesRequest, actor: str) -> None:
        amount: Decimal | None = request.amount
        with self.db.session() as s:
            s.add(
                AfterSalesRequestRow(
                    id=request.id,
                    kind=request.kind.value,
                    order_id=request.order_id,
                    customer_id=request.customer_id,
                    status=request.status.value,
                    created_at=request.created_at,
                    amount=amount,
                    details=request.details,
                )
            )
            s.add(
                OrderEventRow(
                    order_id=request.order_id,
                    at=request.created_at,
                    kind=f"{request.kind.value}_requested",
                    detail=request.id,
                    actor=actor,
                )
            )
