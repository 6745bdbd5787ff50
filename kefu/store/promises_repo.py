"""How well the wait-time promises were kept in a window, per tier, from the desk's rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from kefu.desk.promises import PromiseKept, Promises, by_tier, kept
from kefu.store.db import Database
from kefu.store.tables.desk import DeskQueueRow, TicketEventRow, TicketRow

# who acts on a ticket without being a person
_MACHINES = ("bot", "system")


class SqlPromises:
    def __init__(self, db: Database, promises: Promises) -> None:
        self.db = db
        self.promises = promises

    def first_response(self, start: datetime, end: datetime, now: datetime) -> list[PromiseKept]:
        """Per tier, conversations that entered the queue in ``[start, end)``: taken by an agent
        within the promise (met), taken late or still waiting past it (missed)."""
        q = DeskQueueRow
        waits: dict[str, list[tuple[float | None, float]]] = defaultdict(list)
        with self.db.session() as s:
            rows = s.execute(
                select(q.vip, q.waiting_since, q.accepted_at, q.state).where(
                    q.waiting_since >= start, q.waiting_since < end
                )
            )
            for vip, since, accepted, state in rows:
                taken = (
                    (accepted - since).total_seconds()
                    if accepted is not None and accepted >= since
                    else None
                )
                if taken is None and state != "waiting":
                    continue  # left the queue without an agent (closed by a supervisor)
                waits[self.promises.tier(vip)].append((taken, (now - since).total_seconds()))
        return by_tier(self.promises, waits)

    def urgent_tickets(self, start: datetime, end: datetime, now: datetime) -> PromiseKept:
        """Urgent tickets created in the window: a person acted on them within the promise."""
        t, e = TicketRow, TicketEventRow
        first_action = (
            select(e.ticket_id, func.min(e.at).label("first_at"))
            .where(e.actor.not_in(_MACHINES))
            .group_by(e.ticket_id)
            .subquery()
        )
        waits: list[tuple[float | None, float]] = []
        with self.db.session() as s:
            rows = s.execute(
                select(t.created_at, first_action.c.first_at)
                .outerjoin(first_action, first_action.c.ticket_id == t.id)
                .where(
                    and_(
                        t.priority >= self.promises.urgent_ticket_priority,
                        t.created_at >= start,
                        t.created_at < end,
                    )
                )
            )
            for created, first_at in rows:
                if isinstance(first_at, str):  # MIN() over SQLite comes back as text
                    first_at = datetime.fromisoformat(first_at)
                if first_at is not None and first_at.tzinfo is None:
                    first_at = first_at.replace(tzinfo=created.tzinfo)
                acted = (first_at - created).total_seconds() if first_at is not None else None
                waits.append((acted, (now - created).total_seconds()))
        return kept("urgent_ticket", self.promises.urgent_ticket_first_response_s, waits)

    def unanswered_urgent_tickets(
        self, now: datetime, limit: int = 500
    ) -> list[tuple[str, datetime]]:
        """Open urgent tickets no person has acted on, past their first-response promise."""
        t, e = TicketRow, TicketEventRow
        acted = select(e.ticket_id).where(e.actor.not_in(_MACHINES))
        cutoff = now - timedelta(seconds=self.promises.urgent_ticket_first_response_s)
        with self.db.session() as s:
            rows = s.execute(
                select(t.id, t.created_at)
                .where(
                    t.priority >= self.promises.urgent_ticket_priority,
                    t.created_at < cutoff,
                    t.closed_at.is_(None),
                    t.id.not_in(acted),
                )
                .order_by(t.created_at)
                .limit(limit)
            )
            return [(str(tid), created) for tid, created in rows]
