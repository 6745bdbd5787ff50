"""Changes made in kefu (the bot acting for a customer) join the order event stream in the shop's
event shape, beside the shop's own events."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from kefu.commerce.events import ORDER_EVENTS_CHANNEL, parse_shop_event
from kefu.config import Settings
from kefu.jobs.notices import receive_order_event
from kefu.wiring import Kefu


def test_a_cancellation_by_the_bot_is_an_order_event_and_its_refund_another(kefu: Kefu) -> None:
    heard: list[dict[str, object]] = []
    stop = kefu.state.subscribe(ORDER_EVENTS_CHANNEL, lambda m: heard.append(json.loads(m)))
    try:
        result = kefu.commerce.cancel_order("C1004", "E2026111000006", datetime.now(UTC))
        assert result.ok
        refused = kefu.commerce.cancel_order("C1001", "E2026111100001", datetime.now(UTC))
        assert not refused.ok  # shipped: nothing changed, nothing emitted
        log = kefu.order_events.log(order_id="E2026111000006")
        assert [e["type"] for e in log] == ["order.cancelled", "refund.completed"]
        assert all(e["source"] == "kefu" and e["customer_id"] == "C1004" for e in log)
        assert log[1]["data"] == {"amount": "399.00"}
        assert kefu.order_events.log(order_id="E2026111100001") == []
        # the shop's own events go to the same stream
        body = json.dumps(
            {
                "event_id": "shop-1",
                "type": "order.paid",
                "order_id": "E2026111100002",
                "customer_id": "C1001",
                "at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        receive_order_event(kefu, parse_shop_event(body), datetime.now(UTC))
        assert kefu.order_events.log(order_id="E2026111100002")[0]["source"] == "shop"
    finally:
        stop()
    # announced on the shared state (in-process here: delivered at once)
    assert [e["type"] for e in heard] == ["order.cancelled", "refund.completed", "order.paid"]


def test_order_events_reach_another_worker_through_redis(tmp_path: Path, redis_url: str) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=redis_url)
    acting, listening = Kefu.start(settings), Kefu.start(settings)
    heard: list[dict[str, object]] = []
    stop = listening.state.subscribe(ORDER_EVENTS_CHANNEL, lambda m: heard.append(json.loads(m)))
    try:
        time.sleep(0.3)  # the subscription is live before the event is published
        assert acting.commerce.cancel_order("C1004", "E2026111000006", datetime.now(UTC)).ok
        deadline = time.time() + 5
        while time.time() < deadline and len(heard) < 2:
            time.sleep(0.05)
        assert [e["type"] for e in heard] == ["order.cancelled", "refund.completed"]
        assert heard[0]["order_id"] == "E2026111000006"
    finally:
        stop()
        acting.close()
        listening.close()
