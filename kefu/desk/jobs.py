"""The desk's periodic job: reassignment of stalled conversations (SLA escalation is the
ticket desk's).

The job engine runs it every minute (``desk.run_jobs`` in ``kefu/jobs/tasks.py``); ``kefu jobs``
or POST /api/v1/agent/supervisor/jobs/run run it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

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
