"""Notices to overseas customers: quiet hours in the zone of their profile, text they can read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from kefu.commerce.events import parse_shop_event
from kefu.jobs.notices import receive_order_event
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu


def delivered(customer_id: str, order_id: str, event_id: str) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": "order.delivered",
            "order_id": order_id,
            "customer_id": customer_id,
            "at": datetime.now(UTC).isoformat(),
            "data": {},
        }
    ).encode()


def test_quiet_hours_follow_the_customers_zone_and_the_notice_is_english(kefu: Kefu) -> None:
    # 15:30 UTC is 23:30 in Shanghai (quiet) but 16:30 in Madrid (daytime)
    evening_in_china = datetime(2026, 11, 11, 15, 30, tzinfo=UTC)
    body = delivered("C7003", "E2026112000301", "evt-xb-1")
    _, notice = receive_order_event(kefu, parse_shop_event(body), evening_in_china)
    assert notice is not None and notice.status == "sent", notice
    # the same moment is night for a customer in Tokyo (00:30): held till their morning
    body = delivered("C7001", "E2026112000101", "evt-xb-2")
    _, held = receive_order_event(kefu, parse_shop_event(body), evening_in_china)
    assert held is not None and held.status == "held" and held.due_at is not None
    assert held.due_at.astimezone(UTC).hour == 23  # 08:00 in Tokyo
    texts = [
        m.text
        for c in SqlConversations(kefu.db).of_customer("C7003")
        for m in SqlConversations(kefu.db).messages(c.id)
    ]
    assert texts and all(not any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), texts
