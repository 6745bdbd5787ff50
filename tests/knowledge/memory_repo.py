"""An in-memory knowledge repository for core tests (the SQL one is tested in tests/store)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from kefu.knowledge.entry import KbEntry
from kefu.knowledge.errors import KbConflict
from kefu.knowledge.ports import KbVersion, Proposal, UncoveredQuestion


class MemoryRepository:
    def __init__(self, entries: Sequence[KbEntry] = (), now: datetime | None = None) -> None:
        self._entries: dict[str, KbEntry] = {}
        self._versions: list[KbVersion] = []
        self._revision = 0
        self.uncovered_log: list[UncoveredQuestion] = []
        self._proposals: dict[str, Proposal] = {}
        if entries:
            assert now is not None
            self.save_many(entries, "seed", now)

    def revision(self) -> int:
        return self._revision

    def list_entries(self, include_deleted: bool = False) -> list[KbEntry]:
        return [e for e in self._entries.values() if include_deleted or not e.deleted]

    def get(self, entry_id: str) -> KbEntry | None:
        return self._entries.get(entry_id)

    def save_many(
        self,
        entries: Sequence[KbEntry],
        actor: str,
        now: datetime,
        expected_versions: dict[str, int] | None = None,
    ) -> list[KbEntry]:
        saved = []
        for e in entries:
            current = self._entries[e.id].version if e.id in self._entries else 0
            if expected_versions and current != expected_versions.get(e.id, current):
                raise KbConflict("stale")
            stamped = e.stamped(current + 1, now, actor, deleted=e.deleted)
            self._entries[e.id] = stamped
            self._versions.append(KbVersion(e.id, stamped.version, now, actor, stamped.to_dict()))
            saved.append(stamped)
        self._revision += 1
        return saved

    def versions(self, entry_id: str) -> list[KbVersion]:
        return [v for v in self._versions if v.entry_id == entry_id]

    def add_uncovered(self, question: UncoveredQuestion) -> None:
        self.uncovered_log.append(question)

    def uncovered(
        self, since: datetime | None = None, limit: int = 5000
    ) -> list[UncoveredQuestion]:
        return [q for q in self.uncovered_log if since is None or q.at >= since][-limit:]

    def add_proposal(self, proposal: Proposal) -> None:
        self._proposals[proposal.id] = proposal

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        return self._proposals.get(proposal_id)

    def list_proposals(self, status: str | None = None) -> list[Proposal]:
        return [p for p in self._proposals.values() if status is None or p.status == status]

    def review_proposal(self, proposal_id: str, status: str, reviewer: str, at: datetime) -> None:
        self._proposals[proposal_id] = replace(
            self._proposals[proposal_id], status=status, reviewed_by=reviewer, reviewed_at=at
        )
