"""CommercePort (kefu.commerce): the same order facts and the same shop rules through the
embedded order book (on SQLite and on PostgreSQL) and through the HTTP adapter talking to the
reference shop server (kefu.api.shop_reference, as tests/commerce/test_http_adapter.py runs it).

Errors are compared by their stable ``code``, what a caller keys on. Each implementation gets a
demo shop of its own: the actions change its orders. The rules in depth (windows, invoices,
price protection) are tests/commerce/test_embedded.py's."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn

from kefu.api.shop_reference import shop_app
from kefu.commerce.embedded import EmbeddedCommerce
from kefu.commerce.http import HttpCommerce
from kefu.store.commerce_repo import SqlOrderBook
from tests.contracts.conftest import open_database

IMPLEMENTATIONS = [
    "embedded-sqlite",
    pytest.param("embedded-postgres", marks=pytest.mark.postgres),
    "http",
]


def _serve(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


@pytest.fixture(scope="module", params=IMPLEMENTATIONS)
def commerce(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    kind = request.param
    backend = "postgres" if kind == "embedded-postgres" else "sqlite"
    with open_database(backend, tmp_path_factory.mktemp(kind)) as db:
        embedded = EmbeddedCommerce(SqlOrderBook(db))
        if kind != "http":
            yield embedded
            return
        url, server, thread = _serve(shop_app(embedded, api_key="k3y"))
        try:
            yield HttpCommerce(url, "k3y", timeout_s=5.0, retry_wait_s=0.01)
        finally:
            server.should_exit = True
            thread.join(timeout=5)


def _code(call: Callable[[], object]) -> str:
    with pytest.raises(Exception) as raised:
        call()
    return str(getattr(raised.value, "code", type(raised.value).__name__))


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


def test_a_customer_is_found_by_id_and_by_channel_identity(commerce: Any) -> None:
    customer = commerce.get_customer("C1001")
    assert (customer.id, customer.name) == ("C1001", "张伟")
    by_identity = commerce.find_customer_by_identity("wechat", "oWx_c1001")
    assert by_identity is not None and by_identity.id == "C1001"
    assert commerce.find_customer_by_identity("wechat", "nobody") is None
    assert _code(lambda: commerce.get_customer("C9999")) == "customer_not_found"


def test_products_are_listed_and_found_by_sku(commerce: Any) -> None:
    products = commerce.list_products()
    assert len(products) > 5
    first = products[0]
    assert commerce.get_product(first.sku) == first
    assert _code(lambda: commerce.get_product("P0000")) == "product_not_found"


def test_orders_are_listed_newest_first_for_their_owner_only(commerce: Any) -> None:
    assert [o.id for o in commerce.list_orders("C1001")] == ["E2026111100002", "E2026111100001"]
    assert all(o.customer_id == "C1003" for o in commerce.list_orders("C1003"))
    order = commerce.get_order("C1001", "e2026111100001 ")  # as a customer types it
    assert order.id == "E2026111100001" and order.customer_id == "C1001"
    assert commerce.find_order_by_tracking("C1001", "ZT7788990011").id == "E2026111100001"


def test_another_customers_order_looks_exactly_like_an_unknown_one(commerce: Any) -> None:
    assert _code(lambda: commerce.get_order("C1002", "E2026111100001")) == "order_not_found"
    assert _code(lambda: commerce.get_order("C1002", "E2099999999999")) == "order_not_found"
    assert (
        _code(lambda: commerce.find_order_by_tracking("C1002", "ZT7788990011")) == "order_not_found"
    )
    assert _code(lambda: commerce.cancel_order("C1002", "E2026111100001", datetime.now(UTC))) == (
        "order_not_found"
    )
    assert commerce.get_order("C1001", "E2026111100001").status != "cancelled"


def test_a_paid_order_cancels_once_and_a_shipped_one_not_at_all(
    commerce: Any, now: datetime
) -> None:
    done = commerce.cancel_order("C1004", "E2026111000006", now)
    assert done.ok and done.order is not None and done.order.status == "cancelled"
    assert done.detail["refund"] == "399.00"
    assert commerce.get_order("C1004", "E2026111000006").status == "cancelled"
    again = commerce.cancel_order("C1004", "E2026111000006", now)
    assert not again.ok and again.refusal == "already_cancelled"
    shipped = commerce.cancel_order("C1003", "E2026110100004", now)
    assert not shipped.ok and shipped.refusal == "already_shipped"
    assert commerce.get_order("C1003", "E2026110100004").status != "cancelled"


def test_an_address_changes_before_shipping_only(commerce: Any, now: datetime) -> None:
    changed = commerce.change_address("C1001", "E2026111100002", "北京市海淀区中关村1号", now)
    assert changed.ok and changed.order is not None
    assert commerce.get_order("C1001", "E2026111100002").address == "北京市海淀区中关村1号"
    refused = commerce.change_address("C1001", "E2026111100001", "somewhere", now)
    assert not refused.ok and refused.refusal == "already_shipped"
    assert commerce.get_order("C1001", "E2026111100001").address != "somewhere"


def test_a_return_is_opened_once_and_listed_for_its_customer(commerce: Any, now: datetime) -> None:
    opened = commerce.open_return("C1002", "E2026110500003", [], "不喜欢", False, now)
    assert opened.ok and opened.request is not None
    assert opened.request.kind == "return" and str(opened.request.amount) == "329.00"
    requests = commerce.list_requests("C1002", "E2026110500003")
    assert [r.id for r in requests if r.kind == "return"] == [opened.request.id]
    assert opened.request.id not in [r.id for r in commerce.list_requests("C1001")]
    again = commerce.open_return("C1002", "E2026110500003", [], "不喜欢", False, now)
    assert not again.ok and again.refusal == "already_requested"


@pytest.mark.parametrize("typed", ["E2026 1111", "#1", "订单123", "", "  ", "..", "E1/cancel"])
def test_whatever_a_customer_types_as_an_order_number_an_unknown_order_is_not_found(
    commerce: Any, typed: str
) -> None:
    assert _code(lambda: commerce.get_order("C1001", typed)) == "order_not_found"
    assert _code(lambda: commerce.find_order_by_tracking("C1001", typed)) == "order_not_found"
    assert _code(lambda: commerce.cancel_order("C1001", typed, datetime.now(UTC))) == (
        "order_not_found"
    )
