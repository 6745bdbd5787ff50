"""The SQL order book behind the embedded commerce: rows in, domain values out."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

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
    OrderRow,
    ProductRow,
    ShipmentRow,
)


def customer_from_row(row: CustomerRow) -> Customer:
    return Customer(
        id=row.id,
        name=row.name,
        vip=VipLevel(row.vip),
        phone=row.phone,
        lang=Lang(row.lang),
        is_new_customer=row.is_new_customer,
        email=row.email,
        identities={i.channel: i.channel_user_id for i in row.identities},
    )


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


def order_from_row(row: OrderRow) -> Order:
    shipment = None
    if row.shipment is not None:
        s = row.shipment
        shipment = Shipment(
            order_id=row.id,
            courier=Courier(s.courier),
            tracking_no=s.tracking_no,
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            events=tuple(TrackingEvent(e.at, e.description) for e in s.events),
        )
    return Order(
        id=row.id,
        customer_id=row.customer_id,
        status=OrderStatus(row.status),
        items=tuple(
            OrderItem(
                sku=i.sku,
                qty=i.qty,
                unit_price=i.unit_price,
                size=i.size,
                promotion_id=i.promotion_id,
                engraving=i.engraving,
            )
            for i in row.items
        ),
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
        history=tuple(OrderEvent(e.at, e.kind, e.detail, e.actor) for e in row.events),
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
        with self.db.session() as s:
            row = s.get(CustomerRow, customer_id)
            return customer_from_row(row) if row else None

    def customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None:
        with self.db.session() as s:
            ident = s.scalar(
                select(ChannelIdentityRow).where(
                    ChannelIdentityRow.channel == channel,
                    ChannelIdentityRow.channel_user_id == channel_user_id,
                )
            )
            return customer_from_row(ident.customer) if ident else None

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
        with self.db.session() as s:
            rows = s.scalars(
                select(OrderRow)
                .where(OrderRow.customer_id == customer_id)
                .order_by(OrderRow.created_at.desc())
            )
            return [order_from_row(r) for r in rows]

    def order(self, order_id: str) -> Order | None:
        with self.db.session() as s:
            row = s.get(OrderRow, order_id)
            return order_from_row(row) if row else None

    def order_by_tracking(self, tracking_no: str) -> Order | None:
        with self.db.session() as s:
            ship = s.scalar(select(ShipmentRow).where(ShipmentRow.tracking_no == tracking_no))
            if ship is None:
                return None
            row = s.get(OrderRow, ship.order_id)
            return order_from_row(row) if row else None

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
