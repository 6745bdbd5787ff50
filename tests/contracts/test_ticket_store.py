"""TicketStore (kefu.desk.ports): tickets, their history and SLA breaches, on SQLite and
PostgreSQL. The database is shared by the run: lists are read for this test's own tickets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kefu.desk.ports import TicketRecord
from kefu.domain.desk import Ticket, TicketKind, TicketStatus
from kefu.store.db import Database
from kefu.store.desk_repo import SqlTickets
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def tickets(store_db: Database) -> SqlTickets:
    return SqlTickets(store_db)


def _record(
    customer_id: str,
    *,
    created: datetime = T0,
    due: timedelta = timedelta(hours=24),
    assignee: str | None = None,
    status: TicketStatus = TicketStatus.OPEN,
    conversation_id: str | None = None,
) -> TicketRecord:
    ticket = Ticket(
        id=unique("T"),
        kind=TicketKind.RETURN,
        status=status,
        customer_id=customer_id,
        created_at=created,
        sla_due_at=created + due,
        description="瓶子裂了，要退货",
        order_id="E2026110500003",
        conversation_id=conversation_id,
        assignee=assignee,
        priority=2,
        fields={"skus": ["P5001"], "amount": "329.00"},
        attachments=("img_1",),
    )
    return TicketRecord(ticket=ticket, department="after_sales", updated_at=created)


def test_a_ticket_reads_back_as_filed_with_its_creation_in_its_history(
    tickets: SqlTickets, new_customer: Callable[[], str]
) -> None:
    record = _record(new_customer())
    tickets.add(record, "bot")
    again = SqlTickets(tickets.db).get(record.ticket.id)
    assert again is not None and again.ticket == record.ticket
    assert again.department == "after_sales"
    assert [(e.kind, e.actor) for e in tickets.events(record.ticket.id)] == [("created", "bot")]
    assert tickets.get(unique("T")) is None


def test_a_saved_change_is_stored_with_its_event(
    tickets: SqlTickets, new_customer: Callable[[], str]
) -> None:
    record = _record(new_customer())
    tickets.add(record, "bot")
    resolved = replace(
        record,
        ticket=replace(record.ticket, status=TicketStatus.RESOLVED, assignee="A01"),
        updated_at=T0 + timedelta(hours=1),
        closed_at=T0 + timedelta(hours=1),
    )
    tickets.save(resolved, "A01", "resolved", {"note": "已退款"})
    again = tickets.get(record.ticket.id)
    assert again is not None
    assert (again.ticket.status, again.ticket.assignee, again.closed_at) == (
        TicketStatus.RESOLVED,
        "A01",
        T0 + timedelta(hours=1),
    )
    events = tickets.events(record.ticket.id)
    assert [(e.kind, e.actor, e.detail) for e in events][1:] == [
        ("resolved", "A01", {"note": "已退款"})
    ]


def ids(found: list[TicketRecord]) -> list[str]:
    return [r.ticket.id for r in found]


def test_find_filters_and_lists_newest_first(
    tickets: SqlTickets, new_customer: Callable[[], str], new_conversation: Callable[..., str]
) -> None:
    customer, assignee = new_customer(), unique("A")
    conversation = new_conversation(customer)
    old = _record(customer, created=T0, assignee=assignee)
    new = _record(customer, created=T0 + timedelta(hours=2), conversation_id=conversation)
    done = _record(customer, created=T0 + timedelta(hours=1), status=TicketStatus.CLOSED)
    for r in (old, new, done):
        tickets.add(r, "bot")
    assert ids(tickets.find(customer_id=customer)) == [new.ticket.id, done.ticket.id, old.ticket.id]
    assert ids(tickets.find(customer_id=customer, limit=1)) == [new.ticket.id]
    open_ones = tickets.find(customer_id=customer, status=[TicketStatus.OPEN])
    assert ids(open_ones) == [new.ticket.id, old.ticket.id]
    assert ids(tickets.find(assignee=assignee)) == [old.ticket.id]
    assert ids(tickets.find(conversation_id=conversation)) == [new.ticket.id]
    assert tickets.find(customer_id=new_customer()) == []


def test_open_tickets_count_per_assignee(
    tickets: SqlTickets, new_customer: Callable[[], str]
) -> None:
    busy, idle = unique("A"), unique("A")
    customer = new_customer()
    for status in (TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED):
        tickets.add(_record(customer, assignee=busy, status=status), "bot")
    counts = tickets.open_counts()
    assert counts[busy] == 2 and idle not in counts


def test_only_open_unescalated_tickets_past_their_sla_are_breached_earliest_first(
    tickets: SqlTickets, new_customer: Callable[[], str]
) -> None:
    customer = new_customer()
    now = T0 + timedelta(hours=10)
    late = _record(customer, due=timedelta(hours=8))
    later = _record(customer, due=timedelta(hours=4))
    in_time = _record(customer, due=timedelta(hours=12))
    resolved = _record(customer, due=timedelta(hours=1), status=TicketStatus.RESOLVED)
    escalated = _record(customer, due=timedelta(hours=1))
    for r in (late, later, in_time, resolved, escalated):
        tickets.add(r, "bot")
    tickets.save(replace(escalated, escalated_at=now), "sla", "escalated", {})
    mine = {r.ticket.id for r in (late, later, in_time, resolved, escalated)}
    breached = [r.ticket.id for r in tickets.breached(now) if r.ticket.id in mine]
    assert breached == [later.ticket.id, late.ticket.id]


def test_steps_read_back_in_order_and_a_done_step_is_dated(
    tickets: SqlTickets, new_customer: Callable[[], str]
) -> None:
    record = _record(new_customer())
    tickets.add(record, "bot")
    first = tickets.add_step(record.ticket.id, "warehouse", "pending", "等待验货", T0)
    second = tickets.add_step(record.ticket.id, "finance", "done", "已退款", T0 + timedelta(1))
    steps = tickets.steps(record.ticket.id)
    assert [(s.id, s.department, s.note) for s in steps] == [
        (first.id, "warehouse", "等待验货"),
        (second.id, "finance", "已退款"),
    ]
    assert steps[0].done_at is None and steps[1].done_at == T0 + timedelta(1)
    assert [e.kind for e in tickets.events(record.ticket.id)] == ["created", "step", "step"]
