"""Service alerts for supervisors: stored once per key, listed for the console's feed.

Several workers run the same checks; the unique key makes the first one to find a breach the
only one to raise it (and to send its webhook).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kefu.store.db import Database
from kefu.store.tables.ops import ServiceAlertRow


@dataclass(frozen=True, slots=True)
class ServiceAlert:
    id: int
    kind: str
    key: str
    at: datetime
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "detail": self.detail,
        }


class SqlAlerts:
    def __init__(self, db: Database) -> None:
        self.db = db

    def raise_once(
        self, key: str, kind: str, at: datetime, detail: dict[str, Any]
    ) -> ServiceAlert | None:
        """Store the alert; None when one with this key exists already."""
        try:
            with self.db.session() as s:
                row = ServiceAlertRow(key=key, kind=kind, at=at, detail=detail)
                s.add(row)
                s.flush()
                return ServiceAlert(row.id, kind, key, at, detail)
        except IntegrityError:
            return None

    def recent(self, limit: int = 50, kind: str | None = None) -> list[ServiceAlert]:
        with self.db.session() as s:
            query = select(ServiceAlertRow).order_by(
                ServiceAlertRow.at.desc(), ServiceAlertRow.id.desc()
            )
            if kind is not None:
                query = query.where(ServiceAlertRow.kind == kind)
            rows = s.scalars(query.limit(limit))
            return [ServiceAlert(r.id, r.kind, r.key, r.at, dict(r.detail)) for r in rows]
