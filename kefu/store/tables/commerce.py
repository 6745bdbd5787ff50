"""Customers, channel identities, products, orders, shipments and after-sales requests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kefu.privacy.keyring import normalize_phone
from kefu.store.encrypted import EncryptedJSON, EncryptedText, keyring
from kefu.store.tables.base import Base


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    vip: Mapped[str] = mapped_column(String(16), default="normal")
    # personal data is encrypted at rest (kefu.store.encrypted); phone_hash is the keyed hash
    # that finds a customer by phone without the database holding the phone
    phone: Mapped[str] = mapped_column(EncryptedText("customers.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8), default="zh-CN")
    is_new_customer: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    created_at: Mapped[datetime]

    identities: Mapped[list[ChannelIdentityRow]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", lazy="selectin"
    )


class ChannelIdentityRow(Base):
    """One customer, many channels: maps a channel's user id (OpenID, app user) to the customer."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(128))

    customer: Mapped[CustomerRow] = relationship(back_populates="identities")


class ProductRow(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    price: Mapped[Decimal]
    stock: Mapped[int] = mapped_column(default=0)
    sizes: Mapped[list[str]] = mapped_column(default=list)
    notes_zh: Mapped[str] = mapped_column(Text, default="")
    notes_en: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)
    no_reason_exclusion: Mapped[str | None] = mapped_column(String(32))
    restock_days: Mapped[int | None]
    size_chart: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_created", "customer_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(24))
    address: Mapped[str] = mapped_column(EncryptedText("orders.address"), default="")
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    shipping_insurance: Mapped[bool] = mapped_column(default=False)
    deposit_paid_at: Mapped[datetime | None]
    balance_due: Mapped[Decimal | None]
    group_members: Mapped[int | None]
    group_deadline: Mapped[datetime | None]
    return_received_at: Mapped[datetime | None]
    refund_amount: Mapped[Decimal | None]

    items: Mapped[list[OrderItemRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrderItemRow.id"
    )
    shipment: Mapped[ShipmentRow | None] = relationship(
        cascade="all, delete-orphan", lazy="selectin", uselist=False
    )
    events: Mapped[list[OrderEventRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrderEventRow.id"
    )


class OrderItemRow(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    qty: Mapped[int]
    unit_price: Mapped[Decimal]
    size: Mapped[str | None] = mapped_column(String(16))
    promotion_id: Mapped[str | None] = mapped_column(String(64))
    engraving: Mapped[str | None] = mapped_column(String(100))


class OrderEventRow(Base):
    """Every change of an order is a row: status changes, address changes, requests opened."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    # an address change records the old and new address
    detail: Mapped[str] = mapped_column(EncryptedText("order_events.detail"), default="")
    actor: Mapped[str] = mapped_column(String(64))


class ShipmentRow(Base):
    __tablename__ = "shipments"

    order_id: Mapped[str] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    courier: Mapped[str] = mapped_column(String(16))
    tracking_no: Mapped[str] = mapped_column(String(64), unique=True)
    shipped_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]

    events: Mapped[list[TrackingEventRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TrackingEventRow.at"
    )


class TrackingEventRow(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("shipments.order_id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text)


class AfterSalesRequestRow(Base):
    __tablename__ = "aftersales_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    amount: Mapped[Decimal | None]
    # invoice requests hold the company's name and tax id
    details: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("aftersales_requests.details"), default=dict
    )


@event.listens_for(CustomerRow, "before_insert")
@event.listens_for(CustomerRow, "before_update")
def _hash_phone(_mapper: Any, _connection: Any, row: CustomerRow) -> None:
    # kept in step with the phone on every write, whoever writes it
    phone = normalize_phone(row.phone or "")
    row.phone_hash = keyring().lookup_hash(phone) if phone else None
