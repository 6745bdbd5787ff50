"""The desk's side of the waiting room and of idempotent tickets, on SQLite and PostgreSQL:
one open ticket per order and kind, the place and wait of a queued conversation, saturation,
and a left message that turns the wait into a ticket."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kefu.desk.priority import urgency
from kefu.desk.service import Desk
from kefu.domain.conversations import ConversationStatus
from kefu.domain.desk import AgentStatus, TicketKind, TicketStatus
from kefu.domain.handoff import LeaveKind, LeftMessage, TicketRequest
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation

T0 = datetime.now(UTC).replace(microsecond=0)
STROLLER = "E2026110100004"  # C1003's parcel on its way


@pytest.fixture
def desk(kefu: Kefu) -> Desk:
    return desk_of(kefu)


def _stalled(
    conversation_id: str, at: datetime, kind: TicketKind = TicketKind.LOGISTICS
) -> TicketRequest:
    return TicketRequest(
        kind=kind,
        customer_id="C1003",
        description="parcel stalled for more than 72 hours",
        at=at,
        order_id=STROLLER,
        conversation_id=conversation_id,
    )


def test_asking_twice_about_the_same_order_keeps_one_open_ticket(kefu: Kefu, desk: Desk) -> None:
    first_chat = new_conversation(kefu.db, "C1003", T0)
    second_chat = new_conversation(kefu.db, "C1003", T0 + timedelta(hours=1))
    first = desk.open_ticket(_stalled(first_chat.id, T0))
    again = desk.open_ticket(_stalled(second_chat.id, T0 + timedelta(hours=1)))
    assert again == first
    assert desk.find_open_ticket("C1003", STROLLER, TicketKind.LOGISTICS) == first
    stalled = [
        r for r in desk.tickets.find(customer_id="C1003") if r.ticket.kind is TicketKind.LOGISTICS
    ]
    assert len(stalled) == 1
    # another kind for the same order is other work; another customer never sees this one
    assert desk.open_ticket(_stalled(first_chat.id, T0, TicketKind.QUALITY)) != first
    assert desk.find_open_ticket("C1001", STROLLER, TicketKind.LOGISTICS) is None


def test_a_resolved_ticket_does_not_swallow_a_new_request(kefu: Kefu, desk: Desk) -> None:
    chat = new_conversation(kefu.db, "C1003", T0)
    first = desk.open_ticket(_stalled(chat.id, T0))
    record = desk.tickets.get(first)
    assert record is not None
    done = replace(record.ticket, status=TicketStatus.RESOLVED)
    desk.tickets.save(replace(record, ticket=done, closed_at=T0), "A02", "resolved", {})
    assert desk.find_open_ticket("C1003", STROLLER, TicketKind.LOGISTICS) is None
    assert desk.open_ticket(_stalled(chat.id, T0 + timedelta(days=1))) != first


def test_nobody_online_is_saturated_and_a_routed_customer_is_next(kefu: Kefu, desk: Desk) -> None:
    alone = new_conversation(kefu.db, "C1002", T0)
    outcome = desk.hand_off(handoff(alone, T0, intent="return_refund"))
    assert not outcome.agents_online and outcome.saturated
    wait = desk.waiting_status(alone.id, T0)
    assert wait.waiting and wait.saturated and wait.queue_position == 1
    desk.set_status(desk.agent("A02"), AgentStatus.ONLINE, T0)
    routed = desk.waiting_status(alone.id, T0 + timedelta(seconds=1))
    assert routed.waiting and routed.agents_online and not routed.saturated
    assert routed.queue_position == 0 and routed.expected_wait_s == 0


def test_a_long_queue_is_saturated_and_places_move_up(kefu: Kefu, desk: Desk) -> None:
    desk.set_status(desk.agent("A02"), AgentStatus.ONLINE, T0)
    chats = [new_conversation(kefu.db, "C1002", T0) for _ in range(9)]
    for n, chat in enumerate(chats):
        desk.hand_off(handoff(chat, T0 + timedelta(seconds=n), intent="return_refund"))
    last = desk.waiting_status(chats[-1].id, T0 + timedelta(seconds=10))
    # five are offered to A02 (its max_chats), not yet taken: all nine still wait
    assert last.waiting and last.queue_position == 9
    assert last.expected_wait_s == 9 * desk.policy.routing.average_handle_s
    assert last.saturated  # nobody with room, and 36 minutes is past the 10 the shop allows
    desk.accept(desk.agent("A02"), chats[0].id, T0 + timedelta(seconds=11))
    moved = desk.waiting_status(chats[-1].id, T0 + timedelta(seconds=12))
    assert moved.queue_position == 8 and moved.expected_wait_s < last.expected_wait_s


def test_a_left_message_turns_the_wait_into_an_assigned_ticket(kefu: Kefu, desk: Desk) -> None:
    chat = new_conversation(kefu.db, "C1001", T0, text="人工")
    outcome = desk.hand_off(handoff(chat, T0, intent="logistics", vip="gold"))
    assert outcome.ticket_id is not None
    at = T0 + timedelta(minutes=3)
    ticket_id = desk.leave_message(
        LeftMessage(chat.id, "C1001", LeaveKind.CALLBACK, "下午三点后打给我", at, "13800001001")
    )
    assert ticket_id == outcome.ticket_id  # the handoff's own ticket carries it
    record = desk.tickets.get(ticket_id)
    assert record is not None and record.ticket.status in (
        TicketStatus.OPEN,
        TicketStatus.IN_PROGRESS,
    )
    left = record.ticket.fields["left_message"]
    assert left["kind"] == "callback" and left["phone"] == "13800001001"
    assert left["text"] == "下午三点后打给我"
    assert record.ticket.assignee in ("A02", "A03", "S01")  # the logistics group, not nobody
    assert not desk.waiting_status(chat.id, at).waiting
    assert desk.queue_for(desk.agent("S01"), at) == []
    conversation = SqlConversations(kefu.db).get(chat.id)
    assert conversation is not None and conversation.status is ConversationStatus.CLOSED


def test_urgency_raises_the_priority_of_any_handoff(kefu: Kefu, desk: Desk) -> None:
    chat = new_conversation(kefu.db, "C1002", T0)
    calm = handoff(chat, T0, intent="logistics")
    pressing = replace(calm, urgent=True)
    routing = desk.policy.routing
    assert (
        urgency(pressing, routing).points == urgency(calm, routing).points + routing.urgent_points
    )
    assert "urgent" in urgency(pressing, routing).because
