"""The embedded demo order system: the shop's after-sales rules over an order book.

Rules live here (pure); the order book (``kefu.store.commerce_repo.SqlOrderBook``) only persists.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from kefu.commerce.ports import (
    ActionResult,
    CustomerNotFound,
    OrderNotFound,
    ProductNotFound,
    Refusal,
)
from kefu.domain.aftersales import AfterSalesRequest, RequestKind, RequestStatus
from kefu.domain.catalog import Product
from kefu.domain.customers import Customer
from kefu.domain.money import ZERO, money
from kefu.domain.orders import Order, OrderStatus

NO_REASON_WINDOW = timedelta(days=7)
QUALITY_WINDOW = timedelta(days=15)
INVOICE_WINDOW = timedelta(days=180)
PRICE_PROTECTION_WINDOW = timedelta(days=15)
# item-level campaign prices that price protection does not cover
UNPROTECTED_PROMOTIONS = ("FLASH", "GROUP", "PRESALE")
_TAX_ID = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{18}$|^[0-9A-Z]{20}$")


class OrderBook(Protocol):
    """Persistence the embedded commerce needs; the SQL implementation lives in kefu.store."""

    def customer(self, customer_id: str) -> Customer | None: ...
    def customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None: ...
    def products(self) -> list[Product]: ...
    def product(self, sku: str) -> Product | None: ...
    def orders_of(self, customer_id: str) -> list[Order]: ...
    def order(self, order_id: str) -> Order | None: ...
    def order_by_tracking(self, tracking_no: str) -> Order | None: ...
    def requests_of(self, customer_id: str, order_id: str | None) -> list[AfterSalesRequest]: ...
    def save_address(self, order_id: str, address: str, at: datetime, actor: str) -> None: ...
    def save_status(self, order_id: str, status: OrderStatus, at: datetime, actor: str) -> None: ...
    def save_request(self, request: AfterSalesRequest, actor: str) -> None: ...


class EmbeddedCommerce:
    """Implements ``CommercePort`` for the demo shop."""

    def __init__(self, book: OrderBook) -> None:
        self.book = book

    # ---- reads -------------------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> Customer:
        customer = self.book.customer(customer_id)
        if customer is None:
            raise CustomerNotFound(customer_id)
        return customer

    def find_customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None:
        return self.book.customer_by_identity(channel, channel_user_id)

    def list_products(self) -> list[Product]:
        return self.book.products()

    def get_product(self, sku: str) -> Product:
        product = self.book.product(sku)
        if product is None:
            raise ProductNotFound(sku)
        return product

    def list_orders(self, customer_id: str) -> list[Order]:
        return sorted(self.book.orders_of(customer_id), key=lambda o: o.created_at, reverse=True)

    def get_order(self, customer_id: str, order_id: str) -> Order:
        order = self.book.order(order_id.strip().upper())
        # another customer's order is indistinguishable from an unknown one
        if order is None or order.customer_id != customer_id:
            raise OrderNotFound(order_id)
        return order

    def find_order_by_tracking(self, customer_id: str, tracking_no: str) -> Order:
        order = self.book.order_by_tracking(tracking_no.strip().upper())
        if order is None or order.customer_id != customer_id:
            raise OrderNotFound(tracking_no)
        return order

    def list_requests(
        self, customer_id: str, order_id: str | None = None
    ) -> list[AfterSalesRequest]:
        return self.book.requests_of(customer_id, order_id)

    # ---- actions -----------------------------------------------------------------------------
    def change_address(
        self, customer_id: str, order_id: str, new_address: str, now: datetime
    ) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        if order.status.is_shipped:
            return ActionResult(False, Refusal.ALREADY_SHIPPED, order=order)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDING, OrderStatus.REFUNDED):
            return ActionResult(False, Refusal.WRONG_STATE, order=order)
        address = new_address.strip()
        if not address:
            return ActionResult(False, Refusal.MISSING_FIELDS, order=order)
        self.book.save_address(order.id, address, now, customer_id)
        request = self._record(
            RequestKind.ADDRESS_CHANGE,
            order,
            now,
            RequestStatus.DONE,
            details={"old": order.address, "new": address},
        )
        return ActionResult(True, request=request, order=self.get_order(customer_id, order.id))

    def cancel_order(self, customer_id: str, order_id: str, now: datetime) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        if order.status == OrderStatus.CANCELLED:
            return ActionResult(False, Refusal.ALREADY_CANCELLED, order=order)
        if order.status.is_shipped:
            return ActionResult(False, Refusal.ALREADY_SHIPPED, order=order)
        if order.status in (OrderStatus.REFUNDING, OrderStatus.REFUNDED):
            return ActionResult(False, Refusal.WRONG_STATE, order=order)
        refund = ZERO
        detail: dict[str, object] = {}
        if order.status in (OrderStatus.PAID, OrderStatus.GROUP_FORMING):
            refund = order.goods_total  # paid, unshipped: refunded at once
        elif order.status == OrderStatus.AWAITING_BALANCE:
            detail["deposit_forfeited"] = True  # policy: deposit kept unless the shop cancels
        self.book.save_status(order.id, OrderStatus.CANCELLED, now, customer_id)
        request = self._record(
            RequestKind.CANCEL, order, now, RequestStatus.DONE, amount=refund, details=detail
        )
        detail["refund"] = str(refund)
        return ActionResult(
            True, request=request, order=self.get_order(customer_id, order.id), detail=detail
        )

    def open_return(
        self,
        customer_id: str,
        order_id: str,
        skus: list[str],
        reason: str,
        quality_problem: bool,
        now: datetime,
    ) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        items = [i for i in order.items if not skus or i.sku in skus]
        check = self._after_delivery_check(order, [i.sku for i in items], quality_problem, now)
        if check is not None:
            return check
        if self._open_request(customer_id, order.id, RequestKind.RETURN):
            return ActionResult(False, Refusal.ALREADY_REQUESTED, order=order)
        amount = money(sum((i.line_total for i in items), ZERO))
        shop_pays_shipping = quality_problem or order.shipping_insurance
        request = self._record(
            RequestKind.RETURN,
            order,
            now,
            RequestStatus.OPEN,
            amount=amount,
            details={
                "skus": [i.sku for i in items],
                "reason": reason,
                "quality_problem": quality_problem,
                "photo_required": quality_problem,
                "shop_pays_return_shipping": shop_pays_shipping,
            },
        )
        return ActionResult(True, request=request, order=order)

    def open_exchange(
        self,
        customer_id: str,
        order_id: str,
        sku: str,
        reason: str,
        quality_problem: bool,
        now: datetime,
        new_size: str | None = None,
    ) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        if sku not in order.skus:
            return ActionResult(False, Refusal.MISSING_FIELDS, order=order)
        check = self._after_delivery_check(order, [sku], quality_problem, now)
        if check is not None:
            return check
        if self._open_request(customer_id, order.id, RequestKind.EXCHANGE):
            return ActionResult(False, Refusal.ALREADY_REQUESTED, order=order)
        request = self._record(
            RequestKind.EXCHANGE,
            order,
            now,
            RequestStatus.OPEN,
            details={
                "sku": sku,
                "new_size": new_size,
                "reason": reason,
                "quality_problem": quality_problem,
                "photo_required": quality_problem,
                "shop_pays_shipping": quality_problem,
            },
        )
        return ActionResult(True, request=request, order=order)

    def request_invoice(
        self,
        customer_id: str,
        order_id: str,
        title: str,
        tax_id: str | None,
        email: str | None,
        now: datetime,
    ) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        if order.status is OrderStatus.UNPAID:
            return ActionResult(False, Refusal.NOT_PAID, order=order)
        if order.status is OrderStatus.CANCELLED:
            # nothing was sold: said as the order's state, never "pay first"
            return ActionResult(False, Refusal.WRONG_STATE, order=order)
        if order.delivered_at and now - order.delivered_at > INVOICE_WINDOW:
            return ActionResult(False, Refusal.WINDOW_EXPIRED, order=order)
        company = tax_id is not None
        if tax_id is not None and (not title.strip() or not _TAX_ID.match(tax_id.strip().upper())):
            return ActionResult(
                False, Refusal.MISSING_FIELDS, order=order, detail={"need": ["title", "tax_id"]}
            )
        if self._open_request(customer_id, order.id, RequestKind.INVOICE):
            return ActionResult(False, Refusal.ALREADY_REQUESTED, order=order)
        customer = self.get_customer(customer_id)
        request = self._record(
            RequestKind.INVOICE,
            order,
            now,
            RequestStatus.OPEN,
            amount=order.goods_total,
            details={
                "type": "company" if company else "personal",
                "title": title.strip() or customer.name,
                "tax_id": tax_id.strip().upper() if tax_id else None,
                "email": email or customer.email,
                "electronic": True,
            },
        )
        return ActionResult(True, request=request, order=order)

    def request_price_protection(
        self, customer_id: str, order_id: str, sku: str, now: datetime
    ) -> ActionResult:
        order = self.get_order(customer_id, order_id)
        item = next((i for i in order.items if i.sku == sku), None)
        if item is None:
            return ActionResult(False, Refusal.MISSING_FIELDS, order=order)
        paid_at = order.paid_at or order.deposit_paid_at
        if paid_at is None:
            return ActionResult(False, Refusal.NOT_PAID, order=order)
        if now - paid_at > PRICE_PROTECTION_WINDOW:
            return ActionResult(False, Refusal.WINDOW_EXPIRED, order=order)
        if item.promotion_id and item.promotion_id.upper().startswith(UNPROTECTED_PROMOTIONS):
            return ActionResult(
                False,
                Refusal.NOT_ELIGIBLE_PRICE,
                order=order,
                detail={"promotion": item.promotion_id},
            )
        current = self.get_product(sku).price
        if current >= item.unit_price:
            return ActionResult(
                False,
                Refusal.NO_PRICE_DROP,
                order=order,
                detail={"paid": str(item.unit_price), "current": str(current)},
            )
        difference = money((item.unit_price - current) * item.qty)
        request = self._record(
            RequestKind.PRICE_PROTECTION,
            order,
            now,
            RequestStatus.APPROVED,
            amount=difference,
            details={"sku": sku, "paid": str(item.unit_price), "current": str(current)},
        )
        return ActionResult(True, request=request, order=order)

    # ---- rules shared by returns and exchanges ----------------------------------------------
    def _after_delivery_check(
        self, order: Order, skus: list[str], quality_problem: bool, now: datetime
    ) -> ActionResult | None:
        if order.delivered_at is None:
            refusal = (
                Refusal.NOT_DELIVERED
                if order.status.is_shipped
                or order.status
                in (
                    OrderStatus.PAID,
                    OrderStatus.GROUP_FORMING,
                    OrderStatus.AWAITING_BALANCE,
                )
                else Refusal.WRONG_STATE
            )
            return ActionResult(False, refusal, order=order)
        since = now - order.delivered_at
        if quality_problem:
            if since > QUALITY_WINDOW:
                return ActionResult(False, Refusal.WINDOW_EXPIRED, order=order)
            return None
        if since > NO_REASON_WINDOW:
            return ActionResult(False, Refusal.WINDOW_EXPIRED, order=order)
        excluded = [s for s in skus if (p := self.book.product(s)) and p.no_reason_exclusion]
        if excluded:
            return ActionResult(
                False, Refusal.EXCLUDED_ITEM, order=order, detail={"skus": excluded}
            )
        return None

    def _open_request(self, customer_id: str, order_id: str, kind: RequestKind) -> bool:
        return any(
            r.kind == kind and r.status in (RequestStatus.OPEN, RequestStatus.APPROVED)
            for r in self.book.requests_of(customer_id, order_id)
        )

    def _record(
        self,
        kind: RequestKind,
        order: Order,
        now: datetime,
        status: RequestStatus,
        *,
        amount: Decimal | None = None,
        details: dict[str, object] | None = None,
    ) -> AfterSalesRequest:
        request = AfterSalesRequest(
            id=f"{kind.value[:2].upper()}{uuid.uuid4().hex[:10].upper()}",
            kind=kind,
            order_id=order.id,
            customer_id=order.customer_id,
            status=status,
            created_at=now,
            amount=amount,
            details=dict(details or {}),
        )
        self.book.save_request(request, order.customer_id)
        return request
