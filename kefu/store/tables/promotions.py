"""Promotion rules and coupon definitions as versioned JSON data, and the coupons customers hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.tables.base import Base


class PromotionRuleRow(Base):
    """One version of a rule or coupon definition; the newest version of an id is the live one."""

    __tablename__ = "promotion_rules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64), default="system")


class CustomerCouponRow(Base):
    __tablename__ = "customer_coupons"
    __table_args__ = (UniqueConstraint("customer_id", "coupon_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    coupon_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="held")  # held | used | expired
    acquired_at: Mapped[datetime]
    used_order_id: Mapped[str | None] = mapped_column(String(32))
