"""A reference implementation of the shop REST interface kefu's HTTP commerce adapter calls
(docs/commerce-http.md), over any ``CommercePort``: the tests run the adapter against it over the
embedded demo shop, and a shop can run it to see the exact shapes kefu expects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kefu.commerce.ports import (
    ActionResult,
    CommerceError,
    CommercePort,
    CustomerNotFound,
    OrderNotFound,
    ProductNotFound,
)
from kefu.commerce.wire import to_wire

_STATUS = {OrderNotFound: 404, CustomerNotFound: 404, ProductNotFound: 404}


def _error(exc: CommerceError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": exc.code, "message": str(exc)}}, status_code=_STATUS.get(type(exc), 400)
    )


def shop_app(commerce: CommercePort, api_key: str | None = None) -> FastAPI:
    app = FastAPI(title="shop reference for kefu")

    @app.middleware("http")
    async def check_key(request: Request, call_next: Callable[[Request], Any]) -> Any:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            return JSONResponse({"error": {"code": "unauthorized", "message": "bad key"}}, 401)
        return await call_next(request)

    def answer(call: Callable[[], Any]) -> Any:
        try:
            return to_wire(call())
        except CommerceError as exc:
            return _error(exc)

    @app.get("/customers/{customer_id}")
    def customer(customer_id: str) -> Any:
        return answer(lambda: commerce.get_customer(customer_id))

    @app.get("/identities/{channel}/{user_id}")
    def identity(channel: str, user_id: str) -> Any:
        found = commerce.find_customer_by_identity(channel, user_id)
        if found is None:
            return _error(CustomerNotFound(f"{channel}:{user_id}"))
        return to_wire(found)

    @app.get("/products")
    def products() -> Any:
        return answer(commerce.list_products)

    @app.get("/products/{sku}")
    def product(sku: str) -> Any:
        return answer(lambda: commerce.get_product(sku))

    @app.get("/customers/{customer_id}/orders")
    def orders(customer_id: str) -> Any:
        return answer(lambda: commerce.list_orders(customer_id))

    @app.get("/customers/{customer_id}/orders/{order_id}")
    def order(customer_id: str, order_id: str) -> Any:
        return answer(lambda: commerce.get_order(customer_id, order_id))

    @app.get("/customers/{customer_id}/shipments/{tracking_no}")
    def by_tracking(customer_id: str, tracking_no: str) -> Any:
        return answer(lambda: commerce.find_order_by_tracking(customer_id, tracking_no))

    @app.get("/customers/{customer_id}/requests")
    def requests(customer_id: str, order_id: str | None = None) -> Any:
        return answer(lambda: commerce.list_requests(customer_id, order_id))

    def action(
        path: str, run: Callable[[str, str, dict[str, Any], datetime], ActionResult]
    ) -> None:
        async def endpoint(customer_id: str, order_id: str, request: Request) -> Any:
            body = await request.json()
            at = datetime.fromisoformat(body["at"])
            return answer(lambda: run(customer_id, order_id, body, at))

        app.add_api_route(f"/customers/{{customer_id}}/orders/{{order_id}}/{path}", endpoint,
                          methods=["POST"])  # fmt: skip

    action("address", lambda c, o, b, at: commerce.change_address(c, o, b["address"], at))
    action("cancel", lambda c, o, b, at: commerce.cancel_order(c, o, at))
    action(
        "returns",
        lambda c, o, b, at: commerce.open_return(
            c, o, list(b["skus"]), b["reason"], bool(b["quality_problem"]), at
        ),
    )
    action(
        "exchanges",
        lambda c, o, b, at: commerce.open_exchange(
            c, o, b["sku"], b["reason"], bool(b["quality_problem"]), at, b.get("new_size")
        ),
    )
    action(
        "invoices",
        lambda c, o, b, at: commerce.request_invoice(
            c, o, b["title"], b.get("tax_id"), b.get("email"), at
        ),
    )
    action(
        "price-protection",
        lambda c, o, b, at: commerce.request_price_protection(c, o, b["sku"], at),
    )
    return app
