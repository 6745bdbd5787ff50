"""Order events for changes made in kefu (by the bot for a customer, or by an agent through it),
in the same shape as the shop's own events (CONTRACT section 5), so that one stream tells every
listener what happened to an order, whoever changed it.

``EmittingCommerce`` wraps the embedded commerce: each action that changed an order emits an
event to a sink (kefu.store.order_event_repo logs it and publishes it on the ``order-events``
channel of the shared state, for the job engine or an outbound webhook to the shop).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kefu.commerce.ports import ActionResult, CommercePort
from kefu.domain.aftersales import AfterSalesRequest
from kefu.domain.catalog import Product
from kefu.domain.customers import Customer
from kefu.domain.orders import Order

EventSink = Callable[[dict[str, Any]], None]


def kefu_event(
    kind: str, order_id: str, customer_id: str, at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "event_id": f"kefu-{uuid.uuid4().hex[:20]}",
        "type": kind,
        "order_id": order_id,
        "customer_id": customer_id,
        "at": at.isoformat(),
        "data": data,
    }


class EmittingCommerce:
    """Implements ``CommercePort`` by delegation, emitting an event per successful action."""

    def __init__(self, inner: CommercePort, sink: EventSink) -> None:
        self.inner = inner
        self.sink = sink

    # ---- reads: unchanged --------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> Customer:
        return self.inner.get_customer(customer_id)

    def find_customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None:
        return self.inner.find_customer_by_identity(channel, channel_user_id)

    def list_products(self) -> list[Product]:
        return self.inner.list_products()

    def get_product(self, sku: str) -> Product:
        return self.inner.get_product(sku)

    def list_orders(self, customer_id: str) -> list[Order]:
        return self.inner.list_orders(customer_id)

    def get_order(self, customer_id: str, order_id: str) -> Order:
        return self.inner.get_order(customer_id, order_id)

    def find_order_by_tracking(self, customer_id: str, tracking_no: str) -> Order:
        return self.inner.find_order_by_tracking(customer_id, tracking_no)

    def list_requests(
        self, customer_id: str, order_id: str | None = None
    ) -> list[AfterSalesRequest]:
        return self.inner.list_requests(customer_id, order_id)

    # ---- actions: the same, and an event when something changed -------------------------------
    def _emitted(
        self, result: ActionResult, kind: str, customer_id: str, order_id: str, now: datetime
    ) -> ActionResult:
        if not result.ok:
            return result
        order_id = result.order.id if result.order else order_id.strip().upper()
        data: dict[str, Any] = {}
        if result.request is not None:
            data = {
                "request_id": result.request.id,
                "request_kind": result.request.kind.value,
                "amount": str(result.request.amount) if result.request.amount is not None else None,
            }
        self.sink(kefu_event(kind, order_id, customer_id, now, data))
        refund = result.detail.get("refund")
        if kind == "order.cancelled" and refund not in (None, "0", "0.00"):
            # unshipped paid orders are refunded at once: the refund is an event of its own
            self.sink(
                kefu_event("refund.completed", order_id, customer_id, now, {"amount": refund})
            )
        return result

    def change_address(
        self, customer_id: str, order_id: str, new_address: str, now: datetime
    ) -> ActionResult:
        result = self.inner.change_address(customer_id, order_id, new_address, now)
        return self._emitted(result, "order.address_changed", customer_id, order_id, now)

    def cancel_order(self, customer_id: str, order_id: str, now: datetime) -> ActionResult:
        result = self.inner.cancel_order(customer_id, order_id, now)
        return self._emitted(result, "order.cancelled", customer_id, order_id, now)

    def open_return(
        self,
        customer_id: str,
        order_id: str,
        skus: list[str],
        reason: str,
        quality_problem: bool,
        now: datetime,
    ) -> ActionResult:
        result = self.inner.open_return(customer_id, order_id, skus, reason, quality_problem, now)
        return self._emitted(result, "return.requested", customer_id, order_id, now)

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
        result = self.inner.open_exchange(
            customer_id, order_id, sku, reason, quality_problem, now, new_size
        )
        return self._emitted(result, "exchange.requested", customer_id, order_id, now)

    def request_invoice(
        self,
        customer_id: str,
        order_id: str,
        title: str,
        tax_id: str | None,
        email: str | None,
        now: datetime,
    ) -> ActionResult:
        result = self.inner.request_invoice(customer_id, order_id, title, tax_id, email, now)
        return self._emitted(result, "invoice.requested", customer_id, order_id, now)

    def request_price_protection(
        self, customer_id: str, order_id: str, sku: str, now: datetime
    ) -> ActionResult:
        result = self.inner.request_price_protection(customer_id, order_id, sku, now)
        return self._emitted(result, "price_protection.approved", customer_id, order_id, now)
