"""The HTTP commerce adapter against a real HTTP server implementing the shop interface over the
embedded demo shop: the same answers as the embedded port, retries for reads only, timeouts, a
circuit breaker, and a turn that degrades to "I'll check and come back"."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn

from kefu.api.shop_reference import shop_app
from kefu.commerce.http import HttpCommerce
from kefu.commerce.ports import CommerceUnavailable, OrderNotFound
from kefu.config import Settings
from kefu.dialogue import Turn
from kefu.wiring import Kefu


@dataclass
class Faults:
    """What the test shop does wrong: answer 503 to the next N calls, or answer slowly."""

    fail_next: int = 0
    delay_s: float = 0.0
    hits: list[str] = field(default_factory=list)

    def wrap(self, app: Any) -> Any:
        async def faulty(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            self.hits.append(f"{scope['method']} {scope['path']}")
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if self.fail_next > 0:
                self.fail_next -= 1
                await send({"type": "http.response.start", "status": 503, "headers": []})
                await send({"type": "http.response.body", "body": b"{}"})
                return None
            return await app(scope, receive, send)

        return faulty


@dataclass
class Shop:
    url: str
    faults: Faults
    kefu: Kefu


def _serve(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture
def shop(kefu: Kefu) -> Iterator[Shop]:
    faults = Faults()
    url, server, thread = _serve(faults.wrap(shop_app(kefu.commerce, api_key="k3y")))
    yield Shop(url, faults, kefu)
    server.should_exit = True
    thread.join(timeout=5)


def adapter(shop: Shop, **kwargs: Any) -> HttpCommerce:
    options: dict[str, Any] = {"retry_wait_s": 0.01, "timeout_s": 1.0} | kwargs
    return HttpCommerce(shop.url, "k3y", **options)


def test_reads_over_http_match_the_embedded_shop(shop: Shop) -> None:
    http, embedded = adapter(shop), shop.kefu.commerce
    assert http.get_customer("C1001") == embedded.get_customer("C1001")
    assert http.list_orders("C1001") == embedded.list_orders("C1001")
    assert http.get_order("C1003", "E2026110100004") == embedded.get_order(
        "C1003", "E2026110100004"
    )
    assert http.find_order_by_tracking("C1001", "ZT7788990011").id == "E2026111100001"
    assert http.list_products() == embedded.list_products()
    assert http.find_customer_by_identity("wechat", "oWx_c1001") is not None
    assert http.find_customer_by_identity("wechat", "nobody") is None
    with pytest.raises(OrderNotFound):  # another customer's order looks unknown
        http.get_order("C1002", "E2026111100001")


def test_actions_over_http_follow_the_shops_rules(shop: Shop) -> None:
    http = adapter(shop)
    now = datetime.now(UTC)
    refused = http.cancel_order("C1001", "E2026111100001", now)  # shipped already
    assert not refused.ok and refused.refusal == "already_shipped"
    done = http.cancel_order("C1004", "E2026111000006", now)
    assert done.ok and done.order is not None and done.order.status == "cancelled"
    assert shop.kefu.commerce.get_order("C1004", "E2026111000006").status == "cancelled"


def test_reads_are_retried_and_actions_are_not(shop: Shop) -> None:
    http = adapter(shop)
    shop.faults.fail_next = 2
    assert http.get_order("C1004", "E2026111000006").id == "E2026111000006"
    assert len(shop.faults.hits) == 3
    shop.faults.hits.clear()
    shop.faults.fail_next = 1
    with pytest.raises(CommerceUnavailable):
        http.cancel_order("C1004", "E2026111000006", datetime.now(UTC))
    assert len(shop.faults.hits) == 1  # never twice: the shop may have done it
    assert shop.kefu.commerce.get_order("C1004", "E2026111000006").status == "paid"


def test_a_slow_shop_times_out_and_a_failing_one_opens_the_circuit(shop: Shop) -> None:
    http = adapter(shop, timeout_s=0.2, read_attempts=1, breaker_fail_max=3)
    shop.faults.delay_s = 0.5
    started = time.perf_counter()
    with pytest.raises(CommerceUnavailable):
        http.list_orders("C1001")
    assert time.perf_counter() - started < 0.45
    shop.faults.delay_s = 0
    shop.faults.fail_next = 100
    for _ in range(3):
        with pytest.raises(CommerceUnavailable):
            http.list_orders("C1001")
    calls = len(shop.faults.hits)
    with pytest.raises(CommerceUnavailable):  # open: fails fast without calling the shop
        http.list_orders("C1001")
    assert len(shop.faults.hits) == calls


def test_known_customers_and_the_catalogue_survive_an_outage(shop: Shop) -> None:
    http = adapter(shop, read_attempts=1)
    customer = http.get_customer("C1001")
    shop.faults.fail_next = 100
    assert http.get_customer("C1001") == customer
    with pytest.raises(CommerceUnavailable):
        http.list_orders("C1001")  # order facts are never served stale


def test_a_turn_degrades_to_ill_check_and_come_back_when_the_shop_is_down(
    shop: Shop, tmp_path: Any
) -> None:
    settings = Settings(data_dir=tmp_path / "front", commerce_url=shop.url, commerce_api_key="k3y")
    front = Kefu.start(settings)
    try:
        ok = front.dialogue.handle(Turn("web", "我的订单E2026111100001到哪了", customer_id="C1001"))
        assert "ZT7788990011" in ok.replies[0].text  # answered from the shop over HTTP
        shop.faults.fail_next = 1000
        down = front.dialogue.handle(
            Turn("web", "我的订单E2026111100001到哪了", customer_id="C1001")
        )
        assert "核实" in down.replies[0].text and "稍后" in down.replies[0].text
    finally:
        front.close()
