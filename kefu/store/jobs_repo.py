"""Dead letters: tasks that exhausted their retries, with the last error, for a person to see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from kefu.store.db import Database
from kefu.store.tables.jobs import JobDeadLetterRow


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    task: str
    args: list[Any]
    error: str
    attempts: int
    failed_at: datetime


class SqlDeadLetters:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, task: str, args: list[Any], error: str, attempts: int, at: datetime) -> None:
        with self.db.session() as s:
            s.add(
                JobDeadLetterRow(
                    task=task[:100], args=args, error=error[:4000], attempts=attempts, failed_at=at
                )
            )

    def latest(self, limit: int = 50, task: str | None = None) -> list[DeadLetter]:
        """The most recent dead letters first."""
        with self.db.session() as s:
            query = select(JobDeadLetterRow).order_by(JobDeadLetterRow.id.desc()).limit(limit)
            if task is not None:
                query = query.where(JobDeadLetterRow.task == task)
            return [
                DeadLetter(r.id, r.task, list(r.args), r.error, r.attempts, r.failed_at)
                for r in s.scalars(query)
            ]
