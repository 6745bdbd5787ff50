"""Totals for ``/metrics`` read from the database, which every worker shares.

Counting in the database rather than in each process keeps the series right whatever the number
of workers and across restarts: a message or a handoff is counted once, when its row exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from kefu.store.db import Database
from kefu.store.tables.conversations import ConversationEventRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow
from kefu.store.tables.ops import ServiceAlertRow


@dataclass(frozen=True, slots=True)
class QueueGauge:
    skill: str
    waiting: int
    oldest_wait_s: float


class SqlServiceCounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def messages(self) -> dict[tuple[str, str], int]:
        """Messages ever stored per (channel, sender); a message without a channel is ``none``."""
        channel = func.coalesce(MessageRow.channel, "none")
        with self.db.session() as s:
            rows = s.execute(
                select(channel, MessageRow.sender, func.count()).group_by(
                    channel, MessageRow.sender
                )
            )
            return {(str(c), str(sender)): int(n) for c, sender, n in rows}

    def handoffs(self) -> dict[str, int]:
        """Handoffs to people ever made, per reason (from the conversation events)."""
        reason = ConversationEventRow.detail["reason"].as_string()
        with self.db.session() as s:
            rows = s.execute(
                select(reason, func.count())
                .where(ConversationEventRow.kind == "handoff")
                .group_by(reason)
            )
            return {str(r or "unknown"): int(n) for r, n in rows}

    def queue(self, now: datetime) -> list[QueueGauge]:
        """Conversations waiting for a person now, per skill group, with the longest wait."""
        with self.db.session() as s:
            rows = s.execute(
                select(DeskQueueRow.skill, func.count(), func.min(DeskQueueRow.waiting_since))
                .where(DeskQueueRow.state == "waiting")
                .group_by(DeskQueueRow.skill)
            )
            found = []
            for skill, n, oldest in rows:
                oldest_at = _aware(oldest)
                wait = max(0.0, (now - oldest_at).total_seconds()) if oldest_at else 0.0
                found.append(QueueGauge(str(skill), int(n), wait))
            return found

    def alerts(self) -> dict[str, int]:
        """Service alerts raised, per kind (wait-time breaches, staff short of the forecast)."""
        with self.db.session() as s:
            rows = s.execute(
                select(ServiceAlertRow.kind, func.count()).group_by(ServiceAlertRow.kind)
            )
            return {str(k): int(n) for k, n in rows}


def _aware(value: datetime | str | None) -> datetime | None:
    # MIN() over a SQLite column comes back as text, untouched by the column's type
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
