"""The knowledge base in SQL: entries with version snapshots, the revision counter, uncovered
questions and proposals; plus the demo seeder and the builder the wiring calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.demo.knowledge import load_demo_entries
from kefu.knowledge.entry import KbEntry, entry_from_snapshot
from kefu.knowledge.errors import KbConflict
from kefu.knowledge.ports import ChangeBus, KbVersion, Proposal, UncoveredQuestion
from kefu.knowledge.service import KnowledgeService
from kefu.knowledge.tokenize import Tokenizer, fallback_tokenize
from kefu.store.db import Database
from kefu.store.tables.knowledge import (
    KbEntryRow,
    KbEntryVersionRow,
    KbProposalRow,
    KbRevisionRow,
    UncoveredQuestionRow,
)

REVISION_ROW = 1


def _entry(row: KbEntryRow) -> KbEntry:
    return entry_from_snapshot(
        {
            "id": row.id,
            "question": row.question,
            "variants": row.variants,
            "answers": row.answers,
            "channel_answers": row.channel_answers,
            "tags": row.tags,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "version": row.version,
            "deleted": row.deleted,
            "updated_at": row.updated_at,
            "updated_by": row.updated_by,
        }
    )


def _fill(row: KbEntryRow, e: KbEntry) -> None:
    data = e.content()
    row.version = e.version
    row.question = e.question
    row.variants = data["variants"]
    row.answers = data["answers"]
    row.channel_answers = data["channel_answers"]
    row.tags = data["tags"]
    row.valid_from = e.valid_from
    row.valid_to = e.valid_to
    row.deleted = e.deleted
    assert e.updated_at is not None
    row.updated_at = e.updated_at
    row.updated_by = e.updated_by[:64]


def _bump_revision(s: Session, now: datetime) -> None:
    result: Any = s.execute(
        update(KbRevisionRow)
        .where(KbRevisionRow.id == REVISION_ROW)
        .values(revision=KbRevisionRow.revision + 1, updated_at=now)
    )
    if result.rowcount == 0:
        s.add(KbRevisionRow(id=REVISION_ROW, revision=1, updated_at=now))


def write_entries(
    s: Session,
    entries: Sequence[KbEntry],
    actor: str,
    now: datetime,
    expected_versions: dict[str, int] | None = None,
) -> list[KbEntry]:
    """Each entry as its next version plus a snapshot row, and one revision bump."""
    saved = []
    for e in entries:
        # FOR UPDATE serializes two admins saving one entry on PostgreSQL (SQLite locks the file)
        row = s.get(KbEntryRow, e.id, with_for_update=True)
        current = row.version if row is not None else 0
        if expected_versions and e.id in expected_versions and current != expected_versions[e.id]:
            raise KbConflict(
                f"entry {e.id!r} is at version {current}, not {expected_versions[e.id]}"
            )
        stamped = e.stamped(current + 1, now, actor, deleted=e.deleted)
        if row is None:
            row = KbEntryRow(id=e.id)
            s.add(row)
        _fill(row, stamped)
        s.add(
            KbEntryVersionRow(
                entry_id=e.id,
                version=stamped.version,
                snapshot=stamped.to_dict(),
                at=now,
                actor=actor[:64],
            )
        )
        saved.append(stamped)
    _bump_revision(s, now)
    return saved


class SqlKnowledgeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def revision(self) -> int:
        with self.db.reading() as conn:
            value = conn.execute(
                select(KbRevisionRow.revision).where(KbRevisionRow.id == REVISION_ROW)
            ).scalar()
        return int(value or 0)

    def list_entries(self, include_deleted: bool = False) -> list[KbEntry]:
        with self.db.session() as s:
            query = select(KbEntryRow).order_by(KbEntryRow.id)
            if not include_deleted:
                query = query.where(KbEntryRow.deleted.is_(False))
            return [_entry(r) for r in s.scalars(query)]

    def get(self, entry_id: str) -> KbEntry | None:
        with self.db.session() as s:
            row = s.get(KbEntryRow, entry_id)
            return None if row is None else _entry(row)

    def save_many(
        self,
        entries: Sequence[KbEntry],
        actor: str,
        now: datetime,
        expected_versions: dict[str, int] | None = None,
    ) -> list[KbEntry]:
        with self.db.session() as s:
            return write_entries(s, entries, actor, now, expected_versions)

    def versions(self, entry_id: str) -> list[KbVersion]:
        with self.db.session() as s:
            rows = s.scalars(
                select(KbEntryVersionRow)
                .where(KbEntryVersionRow.entry_id == entry_id)
                .order_by(KbEntryVersionRow.version)
            )
            return [KbVersion(r.entry_id, r.version, r.at, r.actor, r.snapshot) for r in rows]

    def add_uncovered(self, question: UncoveredQuestion) -> None:
        with self.db.session() as s:
            s.add(
                UncoveredQuestionRow(
                    text=question.text,
                    normalized=question.normalized,
                    lang=question.lang[:8],
                    customer_id=(question.customer_id or None) and question.customer_id[:32],
                    conversation_id=(question.conversation_id or None)
                    and question.conversation_id[:40],
                    best_entry_id=question.best_entry_id,
                    best_score=question.best_score,
                    at=question.at,
                )
            )

    def uncovered(
        self, since: datetime | None = None, limit: int = 5000
    ) -> list[UncoveredQuestion]:
        with self.db.session() as s:
            query = select(UncoveredQuestionRow).order_by(UncoveredQuestionRow.at.desc())
            if since is not None:
                query = query.where(UncoveredQuestionRow.at >= since)
            rows = list(s.scalars(query.limit(limit)))
        return [
            UncoveredQuestion(
                text=r.text,
                normalized=r.normalized,
                lang=r.lang,
                at=r.at,
                customer_id=r.customer_id,
                conversation_id=r.conversation_id,
                best_entry_id=r.best_entry_id,
                best_score=r.best_score,
            )
            for r in reversed(rows)
        ]

    def add_proposal(self, proposal: Proposal) -> None:
        with self.db.session() as s:
            s.add(
                KbProposalRow(
                    id=proposal.id,
                    entry_id=proposal.entry_id,
                    question=proposal.question,
                    answer=proposal.answer,
                    lang=proposal.lang,
                    agent_id=proposal.agent_id[:32],
                    status=proposal.status,
                    created_at=proposal.created_at,
                )
            )

    @staticmethod
    def _proposal(r: KbProposalRow) -> Proposal:
        return Proposal(
            id=r.id,
            question=r.question,
            answer=r.answer,
            lang=r.lang,
            agent_id=r.agent_id,
            created_at=r.created_at,
            entry_id=r.entry_id,
            status=r.status,
            reviewed_at=r.reviewed_at,
            reviewed_by=r.reviewed_by,
        )

    def get_proposal(self, proposal_id: str) -> Proposal | None:
        with self.db.session() as s:
            row = s.get(KbProposalRow, proposal_id)
            return None if row is None else self._proposal(row)

    def list_proposals(self, status: str | None = None) -> list[Proposal]:
        with self.db.session() as s:
            query = select(KbProposalRow).order_by(KbProposalRow.created_at)
            if status is not None:
                query = query.where(KbProposalRow.status == status)
            return [self._proposal(r) for r in s.scalars(query)]

    def review_proposal(self, proposal_id: str, status: str, reviewer: str, at: datetime) -> None:
        with self.db.session() as s:
            row = s.get(KbProposalRow, proposal_id, with_for_update=True)
            if row is None or row.status != "pending":
                raise KbConflict(f"proposal {proposal_id!r} is no longer pending")
            row.status = status
            row.reviewed_by = reviewer[:32]
            row.reviewed_at = at


def seed_knowledge_base(session: Session, now: datetime) -> None:
    """Seeder hook (``kefu.store.seed.EXTRA_SEEDERS``): the demo knowledge base, version 1."""
    write_entries(session, load_demo_entries(now), "seed", now)


def build_knowledge_service(
    db: Database,
    bus: ChangeBus | None,
    cache_dir: Path | None,
    tokenize: Tokenizer = fallback_tokenize,
    overloaded: Callable[[], bool] = lambda: False,
) -> KnowledgeService:
    """The service every worker runs: SQL store, shared change bus, on-disk embedding cache."""
    return KnowledgeService(
        SqlKnowledgeRepository(db),
        bus=bus,
        tokenize=tokenize,
        cache_dir=cache_dir,
        overloaded=overloaded,
    )
