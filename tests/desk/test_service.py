"""The desk end to end over a real database (SQLite and PostgreSQL): handoff, queue order,
accept, reply, transfer, close, survey, tickets, SLA escalation and reassignment."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from threading import Barrier, Thread

import pytest

from kefu.desk.errors import Invalid, NotAllowed, WrongState
from kefu.desk.service import Desk
from kefu.desk.tickets import field_completeness
from kefu.domain.conversations import ConversationStatus, Sender
from kefu.domain.desk import AgentStatus, TicketKind, TicketStatus
from kefu.domain.handoff import HandoffReason, TicketRequest
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation

T0 = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def desk(kefu: Kefu) -> Desk:
    return desk_of(kefu)


def _online(desk: Desk, *agent_ids: str) -> None:
    for agent_id in agent_ids:
        desk.set_status(desk.agent(agent_id), AgentStatus.ONLINE, T0)


def test_queue_serves_vip_and_angry_customers_first_then_by_wait(kefu: Kefu, desk: Desk) -> None:
    normal = new_conversation(kefu.db, "C1002", T0)
    gold = new_conversation(kefu.db, "C1001", T0)
    angry = new_conversation(kefu.db, "C1006", T0)
    desk.hand_off(handoff(normal, T0 - timedelta(minutes=3), intent="return_refund"))
    desk.hand_off(handoff(gold, T0, intent="return_refund", vip="gold"))
    desk.hand_off(handoff(angry, T0, intent="complaint", reason=HandoffReason.COMPLAINT, anger=0.9))
    queue = desk.queue_for(desk.agent("A02"), T0 + timedelta(seconds=5))
    order = [q["conversation_id"] for q in queue]
    assert order == [angry.id, gold.id, normal.id]
    priorities = [q["priority"] for q in queue]
    assert priorities == sorted(priorities, reverse=True)
    assert queue[2]["waiting_seconds"] >= 180 and queue[0]["skill"] == "after_sales"


def test_whole_flow_from_handoff_to_rated_survey(kefu: Kefu, desk: Desk) -> None:
    conversations = SqlConversations(kefu.db)
    seen: list[dict[str, object]] = []
    conv = new_conversation(kefu.db, "C1001", T0, text="衣服坏了我要退货，订单E2026111100001")
    kefu.state.subscribe(f"conv:{conv.id}", lambda m: seen.append(json.loads(m)))
    outcome = desk.hand_off(
        handoff(
            conv,
            T0,
            intent="return_refund",
            vip="gold",
            entities={"order_id": "E2026111100001"},
            summary="quality problem, wants a return",
        )
    )
    assert outcome.skill == "after_sales" and outcome.ticket_id and outcome.queue_position == 1
    assert conversations.get(conv.id).status is ConversationStatus.WAITING_AGENT  # type: ignore[union-attr]

    a02 = desk.agent("A02")
    desk.accept(a02, conv.id, T0 + timedelta(seconds=30))
    assert conversations.get(conv.id).status is ConversationStatus.WITH_AGENT  # type: ignore[union-attr]
    view = desk.view(a02, conv.id, T0 + timedelta(seconds=31))
    assert view["customer"]["phone"] != "13800001001" and view["customer"]["phone"].endswith("1001")
    assert {o["id"] for o in view["orders"]} >= {"E2026111100001", "E2026111100002"}
    assert view["tickets"][0]["id"] == outcome.ticket_id
    assert view["suggestions"][0]["source"] == "order"
    assert "E2026111100001" in view["suggestions"][0]["text"]

    desk.send(a02, conv.id, "您好，请拍照上传商品问题", T0 + timedelta(seconds=40))
    history = conversations.messages(conv.id)
    agent_lines = [m for m in history if m.sender is Sender.AGENT]
    assert agent_lines[-1].text == "您好，请拍照上传商品问题" and agent_lines[-1].agent_id == "A02"
    assert any(e.get("sender") == "agent" for e in seen)

    _online(desk, "S01")
    desk.transfer(a02, conv.id, T0 + timedelta(seconds=50), to_agent="S01", note="VIP")
    with pytest.raises(NotAllowed):
        desk.view(a02, conv.id, T0 + timedelta(seconds=51))
    s01 = desk.agent("S01")
    desk.accept(s01, conv.id, T0 + timedelta(seconds=60))
    assert desk.view(s01, conv.id, T0)["messages"][0]["text"].startswith("衣服坏了")

    survey = desk.close(s01, conv.id, "return approved", T0 + timedelta(minutes=5))
    closed = conversations.get(conv.id)
    assert closed is not None and closed.status is ConversationStatus.CLOSED
    assert conversations.messages(conv.id)[-1].meta["survey_id"] == survey.id
    rated = desk.rate(conv.id, "C1001", 5, "很快", T0 + timedelta(minutes=6))
    assert rated.score == 5
    with pytest.raises(WrongState):
        desk.rate(conv.id, "C1001", 4, None, T0 + timedelta(minutes=7))
    ticket = desk.tickets.get(outcome.ticket_id)
    assert ticket is not None and ticket.ticket.status is TicketStatus.RESOLVED
    assert ticket.ticket.order_id == "E2026111100001"
    assert ticket.ticket.fields["resolution"] == "return approved"


def test_rating_outside_one_to_five_is_refused(kefu: Kefu, desk: Desk) -> None:
    conv = new_conversation(kefu.db, "C1002", T0)
    desk.hand_off(handoff(conv, T0))
    a01 = desk.agent("A01")
    desk.accept(a01, conv.id, T0)
    desk.close(a01, conv.id, "done", T0)
    for bad in (0, 6):
        with pytest.raises(Invalid):
            desk.rate(conv.id, "C1002", bad, None, T0)


def test_the_survey_is_in_the_chat_before_the_chat_reads_closed(kefu: Kefu, desk: Desk) -> None:
    """A chat window reads new messages, then the status: were the status written first, a
    window reading in between would show the chat closed and never the survey."""
    conv = new_conversation(kefu.db, "C1002", T0)
    desk.hand_off(handoff(conv, T0))
    a01 = desk.agent("A01")
    desk.accept(a01, conv.id, T0)
    seen: list[tuple[str, ConversationStatus]] = []
    tell = desk.outbox.tell_customer

    def watching(conversation_id: str, *args: object, **kwargs: object) -> object:
        sent = tell(conversation_id, *args, **kwargs)  # type: ignore[arg-type]
        now = desk.conversations.get(conversation_id)
        assert now is not None
        seen.append((sent.kind, now.status))
        return sent

    desk.outbox.tell_customer = watching  # type: ignore[method-assign]
    desk.close(a01, conv.id, "done", T0)
    assert ("survey", ConversationStatus.WITH_AGENT) in seen
    closed = desk.conversations.get(conv.id)
    assert closed is not None and closed.status is ConversationStatus.CLOSED
    # a second close finds nothing open and sends no second survey
    with pytest.raises(WrongState):
        desk.close(a01, conv.id, "done", T0)
    assert [kind for kind, _ in seen] == ["survey"]


def test_two_agents_never_accept_the_same_conversation(kefu: Kefu, desk: Desk) -> None:
    conv = new_conversation(kefu.db, "C1003", T0)
    desk.hand_off(handoff(conv, T0, intent="product_info"))
    winners: list[str] = []
    barrier = Barrier(2)

    def grab(agent_id: str) -> None:
        barrier.wait()
        try:
            desk.accept(desk.agent(agent_id), conv.id, T0)
            winners.append(agent_id)
        except WrongState:
            pass

    threads = [Thread(target=grab, args=(a,)) for a in ("A01", "S01")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_online_agents_get_offers_by_skill_and_an_offline_agent_hands_them_back(
    kefu: Kefu, desk: Desk
) -> None:
    _online(desk, "A01", "A02")
    parcel = new_conversation(kefu.db, "C1003", T0)
    outcome = desk.hand_off(handoff(parcel, T0, intent="logistics"))
    assert outcome.queue_position == 0 and outcome.agents_online
    assert desk.queue.get(parcel.id).routed_to == "A02"  # type: ignore[union-attr]
    desk.accept(desk.agent("A02"), parcel.id, T0)
    desk.set_status(desk.agent("S01"), AgentStatus.ONLINE, T0)
    desk.set_status(desk.agent("A02"), AgentStatus.OFFLINE, T0 + timedelta(minutes=1))
    entry = desk.queue.get(parcel.id)
    assert entry is not None and entry.state == "waiting" and entry.routed_to == "S01"
    texts = [m.text for m in SqlConversations(kefu.db).messages(parcel.id)]
    assert any("客服" in t for t in texts)


def test_an_unanswered_customer_is_reassigned_after_the_response_timeout(
    kefu: Kefu, desk: Desk
) -> None:
    _online(desk, "A01", "S01")
    conv = new_conversation(kefu.db, "C1002", T0)
    desk.hand_off(handoff(conv, T0, intent="coupon"))
    holder = desk.queue.get(conv.id).routed_to  # type: ignore[union-attr]
    assert holder is not None
    desk.accept(desk.agent(holder), conv.id, T0)
    later = T0 + timedelta(seconds=10)
    SqlConversations(kefu.db).append_message(conv.id, Sender.CUSTOMER, "还在吗", later)
    timeout = desk.policy.routing.response_timeout_s
    assert desk.reassign_stale(later + timedelta(seconds=timeout - 5)) == 0
    assert desk.reassign_stale(later + timedelta(seconds=timeout + 5)) == 1
    entry = desk.queue.get(conv.id)
    assert entry is not None and entry.routed_to not in (None, holder)


def test_bot_tickets_carry_the_order_facts_and_escalate_on_sla_breach(
    kefu: Kefu, desk: Desk
) -> None:
    conv = new_conversation(kefu.db, "C1003", T0)
    ticket_id = desk.open_ticket(
        TicketRequest(
            kind=TicketKind.LOGISTICS,
            customer_id="C1003",
            description="parcel stalled for more than 72 hours",
            at=T0,
            order_id="E2026110100004",
            conversation_id=conv.id,
        )
    )
    record = desk.tickets.get(ticket_id)
    assert record is not None
    assert record.ticket.fields["tracking_no"] == "ZT5566778899"
    assert record.ticket.assignee in ("A02", "A03", "S01")
    assert field_completeness([record.ticket], desk.policy.sla) == 1.0
    assert desk.escalate_breaches(T0 + timedelta(hours=1)) == []
    escalated = desk.escalate_breaches(T0 + timedelta(days=2))
    assert escalated == [ticket_id]
    after = desk.tickets.get(ticket_id)
    assert after is not None and after.ticket.status is TicketStatus.ESCALATED
    assert after.ticket.assignee == "S01"
    assert desk.escalate_breaches(T0 + timedelta(days=3)) == []
    assert ticket_id in SqlConversations(kefu.db).messages(conv.id)[-1].text


def test_pick_next_takes_the_most_urgent_of_many(kefu: Kefu, desk: Desk) -> None:
    convs = [new_conversation(kefu.db, "C1002", T0) for _ in range(5)]
    for i, c in enumerate(convs):
        desk.hand_off(handoff(c, T0 - timedelta(minutes=i), intent="stock"))
    vip = new_conversation(kefu.db, "C1003", T0)
    desk.hand_off(handoff(vip, T0, intent="stock", vip="platinum", order_value=Decimal("2198")))
    a01 = desk.agent("A01")
    assert desk.pick_next(a01, T0) == vip.id
    assert desk.pick_next(a01, T0) == convs[4].id
