"""What agents do with tickets: list, read, move through statuses, and run department steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kefu.desk.errors import Invalid, NotAllowed, Unknown, WrongState
from kefu.desk.events import is_supervisor
from kefu.desk.outbox import Outbox
from kefu.desk.policy import DeskPolicy
from kefu.desk.ports import AgentStore, QueueStore, SeatState, TicketRecord, TicketStore
from kefu.desk.texts import render
from kefu.desk.tickets import ALLOWED_MOVES, ticket_dict
from kefu.domain.desk import Agent, TicketStatus
from kefu.domain.ports import ConversationStore

if TYPE_CHECKING:
    from kefu.desk.service import Desk

STEP_STATUSES = ("pending", "in_progress", "done")


class TicketWork:
    def __init__(
        self,
        *,
        tickets: TicketStore,
        queue: QueueStore,
        agents: AgentStore,
        conversations: ConversationStore,
        policy: DeskPolicy,
        outbox: Outbox,
    ) -> None:
        self.tickets = tickets
        self.queue = queue
        self.agents = agents
        self.conversations = conversations
        self.policy = policy
        self.outbox = outbox

    def departments(self) -> tuple[str, ...]:
        return tuple(self.policy.messages["step"].keys())

    def _may_see(self, agent: Agent, record: TicketRecord) -> bool:
        t = record.ticket
        if is_supervisor(agent) or t.assignee == agent.id:
            return True
        if t.conversation_id:
            entry = self.queue.get(t.conversation_id)
            if (
                entry is not None
                and entry.state != SeatState.WAITING
                and entry.agent_id == agent.id
            ):
                return True
        return False

    def get(self, agent: Agent, ticket_id: str) -> TicketRecord:
        record = self.tickets.get(ticket_id)
        if record is None:
            raise Unknown(f"no ticket {ticket_id}")
        if not self._may_see(agent, record):
            raise NotAllowed("this ticket is not yours")
        return record

    def visible_to(
        self, agent: Agent, status: TicketStatus | None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Supervisors see every ticket; an agent the tickets assigned to it."""
        statuses = [status] if status is not None else None
        assignee = None if is_supervisor(agent) else agent.id
        records = self.tickets.find(status=statuses, assignee=assignee, limit=limit)
        return [ticket_dict(r, self.policy.sla) for r in records]

    def detail(self, agent: Agent, ticket_id: str) -> dict[str, Any]:
        record = self.get(agent, ticket_id)
        out = ticket_dict(record, self.policy.sla)
        out["steps"] = [
            {
                "id": s.id,
                "department": s.department,
                "status": s.status,
                "note": s.note,
                "created_at": s.created_at.isoformat(),
                "done_at": s.done_at.isoformat() if s.done_at else None,
            }
            for s in self.tickets.steps(ticket_id)
        ]
        out["events"] = [
            {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "detail": e.detail}
            for e in self.tickets.events(ticket_id)
        ]
        return out

    def update(
        self,
        agent: Agent,
        ticket_id: str,
        at: datetime,
        *,
        status: str | None = None,
        assignee: str | None = None,
        note: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        record = self.get(agent, ticket_id)
        t = record.ticket
        changes: dict[str, Any] = {}
        new_status = t.status
        if status is not None:
            try:
                new_status = TicketStatus(status)
            except ValueError:
                raise Invalid(f"unknown ticket status {status}") from None
            if new_status != t.status:
                if new_status not in ALLOWED_MOVES[t.status]:
                    raise WrongState(f"a {t.status.value} ticket cannot become {new_status.value}")
                changes["status"] = new_status.value
        new_assignee = t.assignee
        if assignee is not None:
            if self.agents.get(assignee) is None:
                raise Unknown(f"no agent {assignee}")
            new_assignee = assignee
            changes["assignee"] = assignee
        new_fields = dict(t.fields)
        if fields:
            new_fields.update(fields)
            changes["fields"] = sorted(fields)
        if note:
            changes["note"] = note
        if not changes:
            return ticket_dict(record, self.policy.sla)
        closing = new_status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        updated = replace(
            record,
            ticket=replace(t, status=new_status, assignee=new_assignee, fields=new_fields),
            updated_at=at,
            closed_at=(record.closed_at or at) if closing else None,
        )
        self.tickets.save(updated, agent.id, "updated", changes)
        return ticket_dict(updated, self.policy.sla)

    def add_step(
        self,
        agent: Agent,
        ticket_id: str,
        department: str,
        status: str,
        note: str,
        at: datetime,
    ) -> dict[str, Any]:
        """A cross-department step, and a progress message to the customer about it."""
        record = self.get(agent, ticket_id)
        departments = self.departments()
        if department not in departments:
            raise Invalid(f"department must be one of {', '.join(departments)}")
        if status not in STEP_STATUSES:
            raise Invalid(f"status must be one of {', '.join(STEP_STATUSES)}")
        if len(note) > 500:
            raise Invalid("note must be at most 500 characters")
        if record.ticket.status is TicketStatus.CLOSED:
            raise WrongState("the ticket is closed")
        step = self.tickets.add_step(ticket_id, department, status, note.strip(), at)
        t = record.ticket
        conversation = (
            self.conversations.get(t.conversation_id) if t.conversation_id else None
        ) or self.conversations.latest_open(t.customer_id)
        message_id = None
        if conversation is not None:
            text = render(
                self.policy.messages,
                f"step.{department}.{status}",
                conversation.lang,
                ticket_id=t.id,
                order_id=t.order_id or "",
                note=note.strip(),
            )
            message_id = self.outbox.tell_customer_text(conversation.id, text, at).id
        if t.status is TicketStatus.OPEN:
            moved = replace(
                record, ticket=replace(t, status=TicketStatus.IN_PROGRESS), updated_at=at
            )
            self.tickets.save(moved, agent.id, "updated", {"status": "in_progress"})
        return {
            "id": step.id,
            "ticket_id": ticket_id,
            "department": department,
            "status": status,
            "note": step.note,
            "created_at": step.created_at.isoformat(),
            "customer_message_id": message_id,
        }


# for callers that hold only the desk (scripts, tests): the desk's own ticket work does it


def departments(desk: Desk) -> tuple[str, ...]:
    return desk.ticket_work.departments()


def update_ticket(
    desk: Desk,
    agent: Agent,
    ticket_id: str,
    at: datetime,
    *,
    status: str | None = None,
    assignee: str | None = None,
    note: str | None = None,
    fields: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return desk.ticket_work.update(
        agent, ticket_id, at, status=status, assignee=assignee, note=note, fields=fields
    )
