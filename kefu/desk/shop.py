"""What the desk reads from the shop: the customer, their orders and after-sales requests. The
shop being down never stops the desk: a lookup that fails reads as nothing found."""

from __future__ import annotations

from kefu.commerce.ports import CommerceError, CommercePort
from kefu.domain.aftersales import AfterSalesRequest
from kefu.domain.customers import Customer
from kefu.domain.orders import Order


class Shop:
    def __init__(self, commerce: CommercePort) -> None:
        self.commerce = commerce

    def customer(self, customer_id: str) -> Customer | None:
        try:
            return self.commerce.get_customer(customer_id)
        except CommerceError:
            return None

    def orders(self, customer_id: str) -> list[Order]:
        try:
            return self.commerce.list_orders(customer_id)
        except CommerceError:
            return []

    def order(self, customer_id: str, order_id: str | None) -> Order | None:
        """The customer's order ``order_id`` (None when it is not theirs or not there)."""
        if not order_id:
            return None
        try:
            return self.commerce.get_order(customer_id, order_id)
        except CommerceError:
            return None

    def requests(self, customer_id: str, order_id: str) -> list[AfterSalesRequest]:
        try:
            return self.commerce.list_requests(customer_id, order_id)
        except CommerceError:
            return []
