"""The audit log in the database: appended to, never changed."""

from __future__ import annotations

from sqlalchemy import select

from kefu.privacy.audit import AuditAction, AuditEvent
from kefu.store.db import Database
from kefu.store.tables.audit import AuditEventRow


class SqlAuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, event: AuditEvent) -> None:
        with self.db.session() as s:
            s.add(
                AuditEventRow(
                    at=event.at,
                    actor=event.actor[:64],
                    action=event.action.value,
                    target_kind=event.target_kind[:32],
                    target_id=event.target_id[:64],
                    reason=event.reason,
                    detail=event.detail,
                )
            )

    def recent(
        self,
        limit: int = 100,
        actor: str | None = None,
        target_kind: str | None = None,
        target_id: str | None = None,
    ) -> list[AuditEvent]:
        query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
        if actor:
            query = query.where(AuditEventRow.actor == actor)
        if target_kind:
            query = query.where(AuditEventRow.target_kind == target_kind)
        if target_id:
            query = query.where(AuditEventRow.target_id == target_id)
        with self.db.session() as s:
            return [
                AuditEvent(
                    at=r.at,
                    actor=r.actor,
                    action=AuditAction(r.action),
                    target_kind=r.target_kind,
                    target_id=r.target_id,
                    reason=r.reason,
                    detail=dict(r.detail or {}),
                )
                for r in s.scalars(query)
            ]
