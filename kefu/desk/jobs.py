"""The desk's periodic job: SLA escalation and reassignment of stalled conversations.

The job engine runs it every minute (``desk.run_jobs`` in ``kefu/jobs/tasks.py``); ``kefu jobs``
or POST /api/v1/agent/supervisor/jobs/run run it at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kefu.desk.events import agent_channel, is_supervisor
from kefu.domain.conversations import ConversationStatus
from kefu.domain.desk import AgentStatus, TicketStatus

if TYPE_CHECKING:
    from kefu.desk.service import Desk


def reassign_stale(desk: Desk, now: datetime) -> int:
    """Offers not accepted in time and customers left unanswered go to another agent."""
    moved = 0
    accept_cutoff = now - timedelta(seconds=desk.policy.routing.accept_timeout_s)
    for entry in desk.queue.offered_before(accept_cutoff):
        if desk.queue.offer(entry.conversation_id, None, now, not_to=entry.routed_to):
            moved += 1
    reply_cutoff = now - timedelta(seconds=desk.policy.routing.response_timeout_s)
    for conversation_id, agent_id in desk.queue.unanswered_chats(reply_cutoff):
        held = desk.queue.get(conversation_id)
        if held is not None and desk.requeue(held, agent_id, now, "response_timeout"):
            moved += 1
    desk.dispatch(now)
    return moved


def escalate_breaches(desk: Desk, now: datetime) -> list[str]:
    """Tickets past their SLA: escalated, bumped, handed to a supervisor, customer told."""
    supervisors = [a for a in desk.agents.all() if is_supervisor(a)]
    online = [a for a in supervisors if a.status is AgentStatus.ONLINE] or supervisors
    counts = desk.tickets.open_counts()
    escalated: list[str] = []
    for record in desk.tickets.breached(now):
        t = record.ticket
        owner = min(online, key=lambda a: (counts.get(a.id, 0), a.id)) if online else None
        if owner is not None:
            counts[owner.id] = counts.get(owner.id, 0) + 1
        bumped = replace(
            t,
            status=TicketStatus.ESCALATED,
            priority=t.priority + desk.policy.sla.escalate_priority_points,
            assignee=owner.id if owner else t.assignee,
        )
        desk.tickets.save(
            replace(record, ticket=bumped, updated_at=now, escalated_at=now),
            "system",
            "escalated",
            {
                "due": t.sla_due_at.isoformat(),
                "from": t.assignee,
                "to": owner.id if owner else None,
            },
        )
        if t.conversation_id:
            conversation = desk.conversations.get(t.conversation_id)
            if conversation is not None and conversation.status is not ConversationStatus.CLOSED:
                desk.tell_customer(
                    t.conversation_id,
                    conversation.lang,
                    "ticket_escalated",
                    now,
                    ticket_id=t.id,
                )
        if owner is not None:
            desk.publish(agent_channel(owner.id), {"type": "escalated", "ticket_id": t.id})
        escalated.append(t.id)
    return escalated
