"""Order events from the shop: signed, once per event_id, never rolling an order back, and the
notice each calls for in the customer's history (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.channels.hub import channels_of
from kefu.channels.webhook import signed_headers
from kefu.store.conversation_repo import SqlConversations
from kefu.store.notice_repo import SqlNotices
from kefu.wiring import Kefu

ORDER = "E2026111000006"  # C1004 (English, web), paid, not shipped
SECRET = "kefu-webhook-demo-secret"


@pytest.fixture
def daytime(kefu: Kefu) -> Iterator[Kefu]:
    """Quiet hours off, so the result does not depend on when the suite runs."""
    policy = kefu.notices.policy
    kefu.notices.policy = dataclasses.replace(policy, quiet_end=policy.quiet_start)
    yield kefu
    kefu.notices.policy = policy


def event(
    event_id: str, kind: str, order_id: str = ORDER, customer_id: str = "C1004", **data: Any
) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": kind,
            "order_id": order_id,
            "customer_id": customer_id,
            "at": datetime.now(UTC).isoformat(),
            "data": data,
        },
        ensure_ascii=False,
    ).encode()


def post(client: TestClient, body: bytes, secret: str = SECRET) -> Any:
    return client.post(
        "/api/v1/events/orders", content=body, headers=signed_headers(secret, body, time.time())
    )


def history(client: TestClient, customer_id: str) -> list[dict[str, Any]]:
    conversations = SqlConversations(client.app.state.kefu.db).of_customer(customer_id)  # type: ignore[attr-defined]
    messages: list[dict[str, Any]] = []
    for conversation in conversations:
        r = client.get(
            f"/api/v1/conversations/{conversation.id}/messages", params={"customer_id": customer_id}
        )
        assert r.status_code == 200
        messages += r.json()
    return messages


def shipped(event_id: str = "evt-1") -> bytes:
    return event(event_id, "order.shipped", carrier="顺丰速运", tracking_no="SF1234567890")


def test_a_shipped_event_puts_one_notice_with_carrier_and_tracking_into_the_history(
    client: TestClient, daytime: Kefu
) -> None:
    for _ in range(3):  # the shop retries: one notice, one state change
        r = post(client, shipped())
        assert r.status_code == 202
    assert r.json()["duplicate"] is True
    notices = [m for m in history(client, "C1004") if m["sender"] == "system"]
    assert len(notices) == 1
    assert "SF1234567890" in notices[0]["text"] and "SF Express" in notices[0]["text"]
    assert daytime.commerce.get_order("C1004", ORDER).status == "shipped"
    assert daytime.commerce.get_order("C1004", ORDER).shipment.tracking_no == "SF1234567890"  # type: ignore[union-attr]
    # the same step re-sent under a new event id still tells the customer once
    assert post(client, shipped("evt-1-again")).status_code == 202
    assert len([m for m in history(client, "C1004") if m["sender"] == "system"]) == 1


def test_a_delivered_event_that_overtakes_shipped_is_not_rolled_back(
    client: TestClient, daytime: Kefu
) -> None:
    assert post(client, event("evt-d", "order.delivered")).status_code == 202
    late = post(client, shipped("evt-s"))
    assert late.status_code == 202 and late.json()["stale"] is True
    order = daytime.commerce.get_order("C1004", ORDER)
    assert order.status == "delivered"
    assert order.shipment is not None and order.shipment.tracking_no == "SF1234567890"
    texts = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    # told it arrived (with the satisfaction question), never told afterwards that it shipped
    assert len(texts) == 1 and "delivered" in texts[0] and "1 to 5" in texts[0]


def test_a_reply_to_a_notice_continues_with_its_order_in_context(
    client: TestClient, daytime: Kefu
) -> None:
    post(client, shipped())
    [conversation] = SqlConversations(daytime.db).of_customer("C1004")
    r = client.post(
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1004", "text": "where is my parcel now?"},
    )
    assert r.status_code == 200
    assert r.json()["conversation_id"] == conversation.id
    assert "SF1234567890" in r.json()["replies"][0]["text"]


def test_unsigned_or_malformed_events_are_refused_and_change_nothing(
    client: TestClient, daytime: Kefu
) -> None:
    assert post(client, shipped(), secret="wrong").status_code == 401
    bad = post(client, b'{"event_id": "x", "type": "order.teleported"}')
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_event"
    foreign = post(client, event("evt-f", "order.paid", customer_id="C1001"))
    assert foreign.status_code == 422  # the order is C1004's: never shown to C1001
    assert (
        post(
            client, event("evt-u", "order.paid", order_id="E2026000000000", customer_id="C9999")
        ).status_code
        == 422
    )
    assert daytime.commerce.get_order("C1004", ORDER).status == "paid"
    assert history(client, "C1004") == [] and history(client, "C1001") == []


def test_a_wechat_customer_outside_the_48_hour_window_gets_no_customer_service_message(
    client: TestClient, daytime: Kefu
) -> None:
    # C1001 follows the shop on WeChat but has not written: only a service template may go
    body = event(
        "evt-w",
        "order.shipped",
        order_id="E2026111100002",
        customer_id="C1001",
        carrier="顺丰速运",
        tracking_no="SF0000000001",
    )
    assert post(client, body).json()["notice"]["status"] == "sent"
    outbox = channels_of(daytime).store
    assert outbox.all("wechat") == []
    [template] = outbox.all("wechat_template")
    assert "SF0000000001" in str(template.payload["text"])
    # a notice that is not a service notice is not sent there at all
    from kefu.notify.policy import NoticeCategory
    from kefu.notify.service import NoticeRequest

    survey = daytime.notices.notify(
        NoticeRequest("C1001:survey:1", "C1001", NoticeCategory.SATISFACTION), datetime.now(UTC)
    )
    assert (survey.status, survey.reason) == ("suppressed", "wechat_window")
    assert outbox.all("wechat") == []


def test_inside_the_window_a_wechat_notice_is_a_customer_service_message(
    client: TestClient, daytime: Kefu
) -> None:
    from kefu.dialogue import Turn

    daytime.dialogue.handle(Turn("wechat", "在吗", channel_user_id="oWx_c1001"))
    body = event(
        "evt-w2",
        "order.shipped",
        order_id="E2026111100002",
        customer_id="C1001",
        carrier="中通快递",
        tracking_no="ZT0000000002",
    )
    assert post(client, body).status_code == 202
    deadline = time.time() + 5
    store = channels_of(daytime).store
    while time.time() < deadline and not store.all("wechat"):
        time.sleep(0.05)
    [message] = store.all("wechat")
    assert message.target == "oWx_c1001" and "ZT0000000002" in str(message.payload["text"])


def test_notices_held_in_quiet_hours_go_out_in_the_morning(client: TestClient, kefu: Kefu) -> None:
    from kefu.commerce.events import parse_shop_event
    from kefu.jobs.notices import dispatch_notices, receive_order_event

    night = datetime(2026, 11, 11, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    _, notice = receive_order_event(kefu, parse_shop_event(shipped()), night)
    assert notice is not None and notice.status == "held"
    assert history(client, "C1004") == []
    assert dispatch_notices(kefu, night + timedelta(hours=1)).get("sent", 0) == 0
    morning = datetime(2026, 11, 12, 0, 1, tzinfo=UTC)  # 08:01 in Shanghai
    assert dispatch_notices(kefu, morning)["sent"] >= 1
    texts = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    assert len(texts) == 1 and "SF1234567890" in texts[0]


def test_opt_out_and_the_frequency_cap_spare_service_notices(
    client: TestClient, daytime: Kefu
) -> None:
    from kefu.notify.policy import NoticeCategory
    from kefu.notify.service import NoticeRequest

    r = client.put(
        "/api/v1/notices/preferences",
        json={"customer_id": "C1004", "opted_out": ["balance_due"]},
    )
    assert r.status_code == 200
    assert (
        client.put(
            "/api/v1/notices/preferences", json={"customer_id": "C1004", "opted_out": ["spam"]}
        ).status_code
        == 400
    )
    now = datetime.now(UTC)
    notify = daytime.notices.notify
    assert (
        notify(NoticeRequest("b1", "C1004", NoticeCategory.BALANCE_DUE), now).reason == "opted_out"
    )
    sent = [
        notify(NoticeRequest(f"s{i}", "C1004", NoticeCategory.SATISFACTION), now) for i in range(3)
    ]
    assert [s.status for s in sent] == ["sent", "sent", "suppressed"]
    assert sent[2].reason == "frequency_cap"
    assert post(client, shipped()).json()["notice"]["status"] == "sent"  # service: exempt


def test_the_dashboard_counts_notices_by_outcome_and_rule(
    client: TestClient, daytime: Kefu
) -> None:
    post(client, shipped())
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    assert token.status_code == 200
    r = client.get(
        "/api/v1/analytics/notices", headers={"Authorization": f"Bearer {token.json()['token']}"}
    )
    assert r.status_code == 200
    assert r.json()["sent"] == 1
    assert r.json()["where_is_my_parcel"]["notified_customers"] == 1
    assert SqlNotices(daytime.db).all("C1004")[0].category == "shipped"


def test_tracking_updates_are_kept_and_out_for_delivery_is_told(
    client: TestClient, daytime: Kefu
) -> None:
    post(client, shipped())
    routine = post(client, event("evt-t1", "shipment.updated", description="到达 深圳转运中心"))
    assert routine.status_code == 202 and routine.json()["notice"] is None
    out = post(client, event("evt-t2", "shipment.updated", description="深圳南山 派送中"))
    assert out.json()["notice"]["status"] == "sent"
    order = daytime.commerce.get_order("C1004", ORDER)
    assert order.shipment is not None
    assert [e.description for e in order.shipment.events] == [
        "到达 深圳转运中心",
        "深圳南山 派送中",
    ]
    texts = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    assert len(texts) == 2 and "out for delivery" in texts[1]


def test_a_completed_refund_is_told_with_its_amount(client: TestClient, daytime: Kefu) -> None:
    r = post(client, event("evt-r", "refund.completed", amount="399.00"))
    assert r.status_code == 202 and r.json()["order_status"] == "refunded"
    [notice] = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    assert "399.00" in notice and ORDER in notice


def test_the_same_event_delivered_by_several_workers_at_once_notifies_once(
    daytime: Kefu,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from kefu.commerce.events import parse_shop_event
    from kefu.jobs.notices import receive_order_event

    event = parse_shop_event(shipped())
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: receive_order_event(daytime, event, datetime.now(UTC)), range(4))
        )
    assert sum(not applied.duplicate for applied, _ in results) == 1
    [conversation] = SqlConversations(daytime.db).of_customer("C1004")
    notices = [m for m in SqlConversations(daytime.db).messages(conversation.id)]
    assert len(notices) == 1 and "SF1234567890" in notices[0].text


def test_a_new_order_and_its_payment_each_tell_the_customer_once(
    client: TestClient, daytime: Kefu
) -> None:
    new = "E2026111200020"
    placed = event(
        "evt-c1",
        "order.created",
        order_id=new,
        items=[{"sku": "P4002", "qty": 1, "unit_price": "399.00"}],
        address="Flat 12A, 8 Queen's Road Central, Hong Kong",
    )
    r = post(client, placed)
    assert r.status_code == 202 and r.json()["notice"]["status"] == "sent"
    assert daytime.commerce.get_order("C1004", new).status == "unpaid"
    texts = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    assert len(texts) == 1
    assert new in texts[0] and "Air fryer 5L" in texts[0] and "has been placed" in texts[0]

    for event_id in ("evt-p1", "evt-p1-again"):  # re-sent under a new id: still one notice
        r = post(client, event(event_id, "order.paid", order_id=new))
        assert r.status_code == 202
    assert daytime.commerce.get_order("C1004", new).status == "paid"
    texts = [m["text"] for m in history(client, "C1004") if m["sender"] == "system"]
    assert len(texts) == 2
    assert new in texts[1] and "received payment" in texts[1] and "Air fryer 5L" in texts[1]
    kinds = [n.category for n in SqlNotices(daytime.db).all("C1004")]
    assert sorted(kinds) == ["order_paid", "order_placed"]


def test_the_dashboard_compares_who_asked_anyway_with_who_was_not_told(
    client: TestClient, daytime: Kefu
) -> None:
    """Shipped in the last 84 hours (seed): C1001, C1005, C7002, C7008, C7009. C1001 and C1004
    get a shipped notice; C1004 asks where the parcel is anyway, C1001 asked only before the
    notice; of the four never told, three ask."""

    def ask(customer_id: str, text: str) -> None:
        r = client.post(
            "/api/v1/messages", json={"channel": "web", "customer_id": customer_id, "text": text}
        )
        assert r.status_code == 200
        assert r.json()["intent"] in ("logistics", "order_status"), r.json()

    ask("C1001", "我的快递到哪了")  # before the notice: does not count against it
    told = event(
        "evt-n1",
        "order.shipped",
        order_id="E2026111100002",
        customer_id="C1001",
        carrier="顺丰速运",
        tracking_no="SF0000000003",
    )
    assert post(client, told).json()["notice"]["status"] == "sent"
    assert post(client, shipped()).json()["notice"]["status"] == "sent"
    ask("C1004", "where is my parcel now?")  # told, and asked anyway
    ask("C1005", "我的包裹到哪裡了")
    ask("C7002", "where is my parcel?")
    ask("C7008", "where is my parcel?")

    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    r = client.get(
        "/api/v1/analytics/notices",
        params={"hours": 84},
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )
    assert r.status_code == 200
    assert r.json()["where_is_my_parcel"] == {
        "notified_customers": 2,
        "notified_who_asked": 1,
        "notified_ask_rate": 0.5,
        "unnotified_customers": 4,
        "unnotified_who_asked": 3,
        "unnotified_ask_rate": 0.75,
    }
    # the told customers who would have asked at the untold rate (2 x 0.75) minus the one who did
    assert r.json()["repeat_questions_saved"] == 0.5
    assert r.json()["by_category"]["shipped"] == {"sent": 2}
