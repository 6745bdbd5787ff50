"""The commerce port over HTTP, for shops whose order system stays the source of truth.

The REST interface a shop implements is in docs/commerce-http.md (``kefu.commerce.http_reference``
implements it over any ``CommercePort``). Every call has a timeout; reads are retried with backoff
(tenacity), actions never (an action whose answer was lost may have happened: the customer is told
to check back rather than having it done twice); a circuit breaker (pybreaker) stops calling a shop
that keeps failing, so a turn fails fast instead of waiting out every timeout. When the shop cannot
answer, reads of customers and the catalogue fall back to the last answer seen, everything else
raises ``CommerceUnavailable`` and the dialogue says it will check and come back.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import pybreaker
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from kefu.commerce.ports import (
    ActionResult,
    CommerceError,
    CommerceUnavailable,
    CustomerNotFound,
    OrderNotFound,
    ProductNotFound,
)
from kefu.commerce.wire import BadShopAnswer, from_wire, to_wire
from kefu.domain.aftersales import AfterSalesRequest
from kefu.domain.catalog import Product
from kefu.domain.customers import Customer
from kefu.domain.orders import Order

_ERRORS: dict[str, type[CommerceError]] = {
    "order_not_found": OrderNotFound,
    "customer_not_found": CustomerNotFound,
    "product_not_found": ProductNotFound,
}


class _Transient(Exception):
    """A failure worth retrying: timeout, connection refused, 5xx, 429."""


def _q(value: str) -> str:
    return quote(value, safe="")


def _order_ref(value: str) -> str:
    """An order or tracking number as one path segment. What a customer types may be blank,
    '..' or hold a '/': no shop's order has such a number, and as a path it would reach another
    route (``orders/..`` is the customer) or none, so it is not found without asking."""
    ref = value.strip().upper()
    if not ref or ref in (".", "..") or "/" in ref:
        raise OrderNotFound(value)
    return _q(ref)


class HttpCommerce:
    """Implements ``CommercePort`` over the shop's REST interface."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 2.0,
        read_attempts: int = 3,
        retry_wait_s: float = 0.1,
        breaker_fail_max: int = 5,
        breaker_reset_s: float = 30.0,
        stale_ttl_s: float = 600.0,
        client: httpx.Client | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = client or httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout_s, headers=headers
        )
        self.read_attempts = read_attempts
        self.retry_wait_s = retry_wait_s
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=breaker_fail_max, reset_timeout=breaker_reset_s
        )
        self.stale_ttl_s = stale_ttl_s
        self._last_good: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # ---- transport ---------------------------------------------------------------------------
    def _once(self, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
        headers = {"Idempotency-Key": uuid.uuid4().hex} if method != "GET" else None
        try:
            response = self.http.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"the shop answered {response.status_code}")
        return response

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        def guarded() -> httpx.Response:
            response: httpx.Response = self.breaker.call(self._once, method, path, body)
            return response

        try:
            if method == "GET":
                retrying = Retrying(
                    stop=stop_after_attempt(self.read_attempts),
                    wait=wait_exponential(multiplier=self.retry_wait_s, max=2.0),
                    retry=retry_if_exception_type(_Transient),
                    reraise=True,
                )
                response = retrying(guarded)
            else:
                response = guarded()
        except (_Transient, pybreaker.CircuitBreakerError) as exc:
            raise CommerceUnavailable(f"{method} {path}: {exc}") from None
        try:
            data = response.json()
        except ValueError:
            raise BadShopAnswer(f"{method} {path}: the answer is not JSON") from None
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            code = str(error.get("code", "")) if isinstance(error, dict) else ""
            raise _ERRORS.get(code, CommerceError)(
                f"{method} {path}: {code or response.status_code}"
            )
        return data

    def _read(self, path: str, tp: Any, *, stale_ok: bool = False) -> Any:
        try:
            value = from_wire(tp, self._call("GET", path), path)
        except CommerceUnavailable:
            if stale_ok:
                with self._lock:
                    cached = self._last_good.get(path)
                if cached is not None and time.monotonic() - cached[0] < self.stale_ttl_s:
                    return cached[1]
            raise
        if stale_ok:
            with self._lock:
                self._last_good[path] = (time.monotonic(), value)
        return value

    def _act(self, path: str, body: dict[str, Any]) -> ActionResult:
        result: ActionResult = from_wire(ActionResult, self._call("POST", path, body), path)
        return result

    # ---- reads -------------------------------------------------------------------------------
    def get_customer(self, customer_id: str) -> Customer:
        customer: Customer = self._read(f"/customers/{_q(customer_id)}", Customer, stale_ok=True)
        return customer

    def find_customer_by_identity(self, channel: str, channel_user_id: str) -> Customer | None:
        try:
            customer: Customer = self._read(
                f"/identities/{_q(channel)}/{_q(channel_user_id)}", Customer, stale_ok=True
            )
        except CustomerNotFound:
            return None
        return customer

    def list_products(self) -> list[Product]:
        products: list[Product] = self._read("/products", list[Product], stale_ok=True)
        return products

    def get_product(self, sku: str) -> Product:
        product: Product = self._read(f"/products/{_q(sku)}", Product, stale_ok=True)
        return product

    def list_orders(self, customer_id: str) -> list[Order]:
        orders: list[Order] = self._read(f"/customers/{_q(customer_id)}/orders", list[Order])
        return orders

    def get_order(self, customer_id: str, order_id: str) -> Order:
        path = f"/customers/{_q(customer_id)}/orders/{_order_ref(order_id)}"
        order: Order = self._read(path, Order)
        if order.customer_id != customer_id:  # a shop bug must not show another's order
            raise OrderNotFound(order_id)
        return order

    def find_order_by_tracking(self, customer_id: str, tracking_no: str) -> Order:
        path = f"/customers/{_q(customer_id)}/shipments/{_order_ref(tracking_no)}"
        order: Order = self._read(path, Order)
        if order.customer_id != customer_id:
            raise OrderNotFound(tracking_no)
        return order

    def list_requests(
        self, customer_id: str, order_id: str | None = None
    ) -> list[AfterSalesRequest]:
        path = f"/customers/{_q(customer_id)}/requests"
        if order_id:
            path += f"?order_id={_q(order_id)}"
        requests: list[AfterSalesRequest] = self._read(path, list[AfterSalesRequest])
        return requests

    # ---- actions -----------------------------------------------------------------------------
    def _order_path(self, customer_id: str, order_id: str, action: str) -> str:
        return f"/customers/{_q(customer_id)}/orders/{_order_ref(order_id)}/{action}"

    def change_address(
        self, customer_id: str, order_id: str, new_address: str, now: datetime
    ) -> ActionResult:
        return self._act(
            self._order_path(customer_id, order_id, "address"),
            {"address": new_address, "at": to_wire(now)},
        )

    def cancel_order(self, customer_id: str, order_id: str, now: datetime) -> ActionResult:
        return self._act(self._order_path(customer_id, order_id, "cancel"), {"at": to_wire(now)})

    def open_return(
        self,
        customer_id: str,
        order_id: str,
        skus: list[str],
        reason: str,
        quality_problem: bool,
        now: datetime,
    ) -> ActionResult:
        body = {"skus": skus, "reason": reason, "quality_problem": quality_problem}
        return self._act(
            self._order_path(customer_id, order_id, "returns"), {**body, "at": to_wire(now)}
        )

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
        body = {"sku": sku, "reason": reason, "quality_problem": quality_problem}
        return self._act(
            self._order_path(customer_id, order_id, "exchanges"),
            {**body, "new_size": new_size, "at": to_wire(now)},
        )

    def request_invoice(
        self,
        customer_id: str,
        order_id: str,
        title: str,
        tax_id: str | None,
        email: str | None,
        now: datetime,
    ) -> ActionResult:
        body = {"title": title, "tax_id": tax_id, "email": email, "at": to_wire(now)}
        return self._act(self._order_path(customer_id, order_id, "invoices"), body)

    def request_price_protection(
        self, customer_id: str, order_id: str, sku: str, now: datetime
    ) -> ActionResult:
        return self._act(
            self._order_path(customer_id, order_id, "price-protection"),
            {"sku": sku, "at": to_wire(now)},
        )

    def close(self) -> None:
        self.http.close()
