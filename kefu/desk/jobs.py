"""The desk's periodic job: SLA escalation and reassignment of stalled conversations.

The job engine runs it every minute (``desk.run_jobs`` in ``kefu/jobs/tasks.py``); ``kefu jobs``
or POST /api/v1/agent/supervisor/jobs/run run it at once.
"""

from __future__ import annotations

from datetime import datetime

from kefu.desk.queue_desk import QueueDesk
from kefu.desk.ticket_desk import TicketDesk


class DeskJobs:
    def __init__(self, *, queue: QueueDesk, tickets: TicketDesk) -> None:
        self.queue = queue
        self.tickets = tickets

    def reassign_stale(self, now: datetime) -> int:
        """Offers not accepted in time and customers left unanswered go to another agent."""
        return self.queue.reassign_stale(now)

    def escalate_breaches(self, now: datetime) -> list[str]:
        """Tickets past their SLA: escalated, bumped, handed to a supervisor, customer told."""
        return self.tickets.escalate_breaches(now)

    def run_jobs(self, now: datetime) -> dict[str, int]:
        """The periodic desk job (CLI or supervisor route): SLA escalation and reassignment."""
        return {
            "escalated": len(self.escalate_breaches(now)),
            "reassigned": self.reassign_stale(now),
        }
