"""The scheduled stalled-parcel search: a ticket and a notice before the customer asks, once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from kefu.jobs.notices import dispatch_notices, find_stalled_parcels
from kefu.store.conversation_repo import SqlConversations
from kefu.store.notice_repo import SqlNotices
from kefu.wiring import Kefu


def _daytime(kefu: Kefu) -> None:
    policy = kefu.notices.policy
    kefu.notices.policy = dataclasses.replace(policy, quiet_end=policy.quiet_start)


def test_a_stalled_parcel_is_found_ticketed_and_the_customer_told_once(kefu: Kefu) -> None:
    _daytime(kefu)
    now = datetime.now(UTC)
    # the demo's E2026110100004 (C1003) last moved 5 days 20 hours ago; E2026111100001 6 hours ago
    found = find_stalled_parcels(kefu, now)
    assert [n.order_id for n in found] == ["E2026110100004"]
    assert found[0].status == "sent"
    [conversation] = SqlConversations(kefu.db).of_customer("C1003")
    [notice] = SqlConversations(kefu.db).messages(conversation.id)
    assert notice.sender == "system" and notice.kind == "notice"
    assert "ZT5566778899" in notice.text and "72" in notice.text
    ticket_id = found[0].facts["ticket_id"]
    assert ticket_id and ticket_id in notice.text
    [ticket] = kefu.desk.tickets.find(customer_id="C1003")
    assert ticket.ticket.id == ticket_id and ticket.ticket.kind == "logistics"
    assert ticket.ticket.order_id == "E2026110100004"
    # the next runs find the same stall handled
    assert find_stalled_parcels(kefu, now + timedelta(minutes=30)) == []
    assert len(SqlConversations(kefu.db).messages(conversation.id)) == 1


def test_a_parcel_that_moved_recently_is_not_stalled(kefu: Kefu) -> None:
    _daytime(kefu)
    found = find_stalled_parcels(kefu, datetime.now(UTC))
    assert "E2026111100001" not in [n.order_id for n in found]


def test_presale_balances_and_failed_group_buys_are_told_once(kefu: Kefu) -> None:
    _daytime(kefu)
    later = datetime.now(UTC) + timedelta(days=2)  # past the group buy's deadline (+21h)
    dispatch_notices(kefu, later)
    dispatch_notices(kefu, later + timedelta(minutes=1))
    [conversation] = SqlConversations(kefu.db).of_customer("C1006")
    texts = [m.text for m in SqlConversations(kefu.db).messages(conversation.id)]
    # C1006 is on WeChat and has not written: the failed group buy (a service notice) goes as a
    # template message; the balance reminder is not a service notice and may not go at all
    assert len(texts) == 1 and "E2026111100009" in texts[0] and "成团" in texts[0]
    by_category = {n.category: n for n in SqlNotices(kefu.db).all("C1006")}
    assert by_category["group_buy_failed"].delivery == "wechat_template"
    assert by_category["balance_due"].reason == "wechat_window"


def test_a_presale_balance_reminder_reaches_a_customer_inside_the_wechat_window(kefu: Kefu) -> None:
    from kefu.dialogue import Turn

    _daytime(kefu)
    kefu.dialogue.handle(Turn("wechat", "你好", channel_user_id="oWx_c1006"))
    dispatch_notices(kefu, datetime.now(UTC))
    [notice] = [n for n in SqlNotices(kefu.db).all("C1006") if n.category == "balance_due"]
    assert (notice.status, notice.delivery) == ("sent", "wechat")
    [conversation] = SqlConversations(kefu.db).of_customer("C1006")
    assert any("1799.00" in m.text for m in SqlConversations(kefu.db).messages(conversation.id))


def test_a_notice_left_pending_by_a_crashed_worker_is_sent_by_the_next_dispatch(
    kefu: Kefu,
) -> None:
    from kefu.notify.policy import NoticeCategory
    from kefu.notify.service import NoticeRecord, new_notice_id

    _daytime(kefu)
    now = datetime.now(UTC)
    crashed = NoticeRecord(
        id=new_notice_id(),
        key="E2026111000006:order_paid",
        customer_id="C1004",
        category=NoticeCategory.ORDER_PAID,
        status="pending",
        order_id="E2026111000006",
        facts={"order_id": "E2026111000006"},
    )
    assert SqlNotices(kefu.db).claim(crashed, now - timedelta(minutes=10))
    assert dispatch_notices(kefu, now - timedelta(minutes=8)).get("sent", 0) == 0  # grace
    assert dispatch_notices(kefu, now)["sent"] == 1
    [conversation] = SqlConversations(kefu.db).of_customer("C1004")
    [message] = SqlConversations(kefu.db).messages(conversation.id)
    assert "E2026111000006" in message.text and message.kind == "notice"
