"""Tasks that ran out of retries: kept so a person can see what was given up and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.tables.base import Base


class JobDeadLetterRow(Base):
    __tablename__ = "job_dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(100), index=True)
    args: Mapped[list[Any]]
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    failed_at: Mapped[datetime] = mapped_column(index=True)
