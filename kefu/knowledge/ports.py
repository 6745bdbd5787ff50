"""The knowledge base's ports: what it offers its neighbours (``KnowledgeBase``: the conversation
and the desk both use this one), and what it needs from outside (storage and a change bus, which
the edges implement)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from kefu.knowledge.entry import KbEntry

if TYPE_CHECKING:  # the service's own result types; the protocol is read before them
    from kefu.knowledge.retriever import RetrievalResult


@dataclass(frozen=True)
class KbVersion:
    entry_id: str
    version: int
    at: datetime
    actor: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class UncoveredQuestion:
    text: str
    normalized: str
    lang: str
    at: datetime
    customer_id: str | None = None
    conversation_id: str | None = None
    best_entry_id: str | None = None
    best_score: float | None = None


@dataclass(frozen=True)
class Proposal:
    id: str
    question: str
    answer: str
    lang: str
    agent_id: str
    created_at: datetime
    entry_id: str | None = None
    status: str = "pending"  # pending | approved | rejected
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "question": self.question,
            "answer": self.answer,
            "lang": self.lang,
            "agent_id": self.agent_id,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "reviewed_by": self.reviewed_by,
        }


class KnowledgeRepository(Protocol):
    def revision(self) -> int:
        """A counter bumped by every change, read often by every worker: must be cheap."""
        ...

    def list_entries(self, include_deleted: bool = False) -> list[KbEntry]: ...
    def get(self, entry_id: str) -> KbEntry | None: ...
    def save_many(
        self,
        entries: Sequence[KbEntry],
        actor: str,
        now: datetime,
        expected_versions: dict[str, int] | None = None,
    ) -> list[KbEntry]:
        """Write each entry as its next version (a deleted flag deletes) in one transaction."""
        ...

    def versions(self, entry_id: str) -> list[KbVersion]: ...
    def add_uncovered(self, question: UncoveredQuestion) -> None: ...
    def uncovered(
        self, since: datetime | None = None, limit: int = 5000
    ) -> list[UncoveredQuestion]: ...
    def add_proposal(self, proposal: Proposal) -> None: ...
    def get_proposal(self, proposal_id: str) -> Proposal | None: ...
    def list_proposals(self, status: str | None = None) -> list[Proposal]: ...
    def review_proposal(
        self, proposal_id: str, status: str, reviewer: str, at: datetime
    ) -> None: ...


class ChangeBus(Protocol):
    """Publish/subscribe across workers (``kefu.runtime.shared.SharedState`` fits)."""

    def publish(self, channel: str, message: str) -> None: ...
    def subscribe(self, channel: str, handler: Callable[[str], None]) -> Callable[[], None]: ...


class KnowledgeBase(Protocol):
    """What the conversation (answers) and the desk (agent assist, the learning loop) ask of the
    knowledge base; ``kefu.knowledge.service.KnowledgeService`` is the implementation."""

    def has_curated_answers(self) -> bool: ...
    def search(
        self,
        text: str,
        lang: str = "zh-CN",
        channel: str | None = None,
        now: datetime | None = None,
        k: int = 3,
        *,
        customer_id: str | None = None,
        conversation_id: str | None = None,
        record: bool = True,
    ) -> RetrievalResult: ...
    def propose(
        self,
        question: str,
        answer: str,
        lang: str,
        agent_id: str,
        entry_id: str | None = None,
        now: datetime | None = None,
    ) -> Proposal: ...
