"""The values a price quote is made of: cart items in, lines, discounts and totals out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kefu.domain.money import ZERO


@dataclass(frozen=True, slots=True)
class CartItem:
    sku: str
    qty: int


@dataclass(slots=True)
class QuoteLine:
    """One SKU of the cart: list price, the item-level rule, what each order-level step took."""

    sku: str
    qty: int
    unit_price: Decimal
    subtotal: Decimal
    item_rule_id: str | None = None
    item_discount: Decimal = ZERO
    amount_after_item: Decimal = ZERO
    order_discounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Discount:
    """One applied discount; ``facts`` are the numbers its explanation is rendered from."""

    id: str
    kind: str
    amount: Decimal
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CouponRejection:
    """Why a coupon the customer asked for (or holds) was not used on this cart."""

    coupon_id: str
    reason: str  # threshold_not_reached | no_eligible_items | first_order_only | not_active
    facts: dict[str, Any]


@dataclass(slots=True)
class Quote:
    subtotal: Decimal
    lines: list[QuoteLine]
    discounts: list[Discount]
    coupons_used: tuple[str, ...]
    coupons_rejected: list[CouponRejection]
    cross_store_base: Decimal  # the eligible amount the cross-store discount was computed on
    goods_total: Decimal
    shipping: Decimal
    total: Decimal
    deposit_paid: Decimal = ZERO  # presale deposits paid earlier, not part of ``total``
    free_shipping_threshold: Decimal | None = None

    def discount(self, rule_id: str) -> Decimal:
        """The amount a rule took off this quote (0.00 when it did not apply)."""
        return sum((d.amount for d in self.discounts if d.id == rule_id), ZERO)

    def discount_of_kind(self, kind: str) -> Decimal:
        return sum((d.amount for d in self.discounts if d.kind == kind), ZERO)
