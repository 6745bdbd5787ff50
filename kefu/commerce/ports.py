"""The commerce port: what the bot may read from and do in the shop's order system.

Every call names the acting customer; an order of another customer is reported exactly like an
unknown order (``OrderNotFound``) so that nothing leaks. The embedded implementation works over the
kefu database; an HTTP adapter for a real order system implements the same protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from kefu.domain.aftersales import AfterSalesRequest
from kefu.domain.catalog import Product
from kefu.domain.customers import Customer
from kefu.domain.orders import Order


class CommerceError(Exception):
    """Base of the port's errors; ``code`` is stable and machine-readable."""

    code = "commerce_error"


class OrderNotFound(CommerceError):
    code = "order_not_found"


class CustomerNotFound(CommerceError):
    code = "customer_not_found"


class ProductNotFound(CommerceError):
    code = "product_not_found"


class CommerceUnavailable(CommerceError):
    """The shop's order system did not answer in time (or its circuit is open): the turn goes on
    with "I'll check and come back" instead of failing."""

    code = "commerce_unavailable"


class Refusal(StrEnum):
    """Why the shop's rules refuse an action; dialogue turns each into a templated explanation."""

    ALREADY_SHIPPED = "already_shipped"
    NOT_PAID = "not_paid"
    NOT_DELIVERED = "not_delivered"
    WINDOW_EXPIRED = "window_expired"
    EXCLUDED_ITEM = "excluded_item"
    ALREADY_CANCELLED = "already_cancelled"
    ALREADY_REQUESTED = "already_requested"
    NOT_ELIGIBLE_PRICE = "not_eligible_price"
    NO_PRICE_DROP = "no_price_drop"
    MISSING_FIELDS = "missing_fields"
    WRONG_STATE = "wrong_state"


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The outcome of an action: done (with the request it created) or refused with a reason."""

    ok: bool
    refusal: Refusal | None = None
    request: AfterSalesRequest | None = None
    order: Order | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class CommercePort(Protocol):
    # reads
    def get_customer(self, customer_id: str) -> Customer: ...
    def find_customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None: ...
    def list_products(self) -> list[Product]: ...
    def get_product(self, sku: str) -> Product: ...
    def list_orders(self, customer_id: str) -> list[Order]: ...
    def get_order(self, customer_id: str, order_id: str) -> Order: ...
    def find_order_by_tracking(self, customer_id: str, tracking_no: str) -> Order: ...
    def list_requests(
        self, customer_id: str, order_id: str | None = None
    ) -> list[AfterSalesRequest]: ...

    # actions: each enforces the shop's rules and records an order event
    def change_address(
        self, customer_id: str, order_id: str, new_address: str, now: datetime
    ) -> ActionResult: ...
    def cancel_order(self, customer_id: str, order_id: str, now: datetime) -> ActionResult: ...
    def open_return(
        self,
        customer_id: str,
        order_id: str,
        skus: list[str],
        reason: str,
        quality_problem: bool,
        now: datetime,
    ) -> ActionResult: ...
    def open_exchange(
        self,
        customer_id: str,
        order_id: str,
        sku: str,
        reason: str,
        quality_problem: bool,
        now: datetime,
        new_size: str | None = None,
    ) -> ActionResult: ...
    def request_invoice(
        self,
        customer_id: str,
        order_id: str,
        title: str,
        tax_id: str | None,
        email: str | None,
        now: datetime,
    ) -> ActionResult: ...
    def request_price_protection(
        self, customer_id: str, order_id: str, sku: str, now: datetime
    ) -> ActionResult: ...


@dataclass(frozen=True, slots=True)
class PriceDrop:
    sku: str
    paid: Decimal
    current: Decimal

    @property
    def difference(self) -> Decimal:
        return self.paid - self.current
