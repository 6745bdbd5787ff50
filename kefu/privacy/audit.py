"""The audit log's vocabulary: who did what to whom, when and why.

Recorded: every full view of a customer's personal data by an agent (with the reason the agent
gave), every change an admin or supervisor makes in the back office (knowledge, promotions,
agents, words, rollout), exports, and a customer's data requests (export, erasure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class AuditAction(StrEnum):
    VIEW_PERSONAL_DATA = "view_personal_data"
    ADMIN_CHANGE = "admin_change"
    EXPORT = "export"
    CUSTOMER_EXPORT = "customer_export"
    CUSTOMER_ERASE = "customer_erase"
    RETENTION = "retention"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    actor: str  # an agent id, or "cli" / "system" for commands and jobs
    action: AuditAction
    target_kind: str  # customer | order | knowledge | promotion | agent | …
    target_id: str
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action.value,
            "target_kind": self.target_kind,
            "target_id": self.target_id,
            "reason": self.reason,
            "detail": self.detail,
        }


class AuditLog(Protocol):
    def record(self, event: AuditEvent) -> None: ...

    def recent(
        self,
        limit: int = 100,
        actor: str | None = None,
        target_kind: str | None = None,
        target_id: str | None = None,
    ) -> list[AuditEvent]:
        """Newest first, optionally only one actor's or one target's."""
        ...
