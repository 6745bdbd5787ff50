"""The knowledge base's public face: search, entries and versions, import/export, gaps, proposals.

Other areas call ``KnowledgeService`` only; storage and the change bus come in as ports.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kefu.knowledge import transfer
from kefu.knowledge.embedder import Embedder, EmbeddingCache, shared_embedder
from kefu.knowledge.entry import LANGS, KbEntry, entry_from_dict, entry_from_snapshot
from kefu.knowledge.errors import KbConflict, KbInvalid, KbNotFound
from kefu.knowledge.gaps import GapCluster, cluster_gaps
from kefu.knowledge.live_index import CHANGES_CHANNEL, LiveIndex
from kefu.knowledge.ports import (
    ChangeBus,
    KbVersion,
    KnowledgeRepository,
    Proposal,
    UncoveredQuestion,
)
from kefu.knowledge.retriever import (
    Decision,
    HybridIndex,
    QueryVectors,
    RetrievalResult,
    Thresholds,
)
from kefu.knowledge.tokenize import Tokenizer, fallback_tokenize, normalize_text
from kefu.log_masking import mask

log = logging.getLogger("kefu.knowledge")


def _utcnow() -> datetime:
    return datetime.now(UTC)


class KnowledgeService:
    def __init__(
        self,
        repo: KnowledgeRepository,
        *,
        embedder: Embedder | None = None,
        tokenize: Tokenizer = fallback_tokenize,
        prepare: Callable[[str], str] = normalize_text,
        bus: ChangeBus | None = None,
        cache_dir: Path | None = None,
        thresholds: Thresholds | None = None,
        dense_weight: float = 0.6,
        check_interval_s: float = 0.5,
        overloaded: Callable[[], bool] = lambda: False,
    ) -> None:
        self.repo = repo
        # asked per search: under overload new questions skip the sentence encoder (optional work
        # goes first, answers stay)
        self.overloaded = overloaded
        self.thresholds = thresholds or Thresholds()
        self._embedder = embedder
        self._tokenize = tokenize
        self._prepare = prepare
        self._bus = bus
        self._cache_dir = cache_dir
        self._dense_weight = dense_weight
        self._cache: EmbeddingCache | None = None
        self._queries: QueryVectors | None = None
        self._live = LiveIndex(repo, self._build, bus=bus, check_interval_s=check_interval_s)

    # ---- retrieval -------------------------------------------------------------------------

    def _embedding_cache(self) -> EmbeddingCache:
        if self._cache is None:
            # the model loads on first use, so services that never search never pay for it
            embedder = self._embedder or shared_embedder()
            path = None
            if self._cache_dir is not None:
                path = self._cache_dir / f"kb-embeddings-{embedder.name}.npz"
            self._cache = EmbeddingCache(embedder, path)
            self._queries = QueryVectors(self._cache)
        return self._cache

    def _build(self, entries: Sequence[KbEntry]) -> HybridIndex:
        cache = self._embedding_cache()
        assert self._queries is not None
        index = HybridIndex(
            entries,
            tokenize=self._tokenize,
            prepare=self._prepare,
            cache=cache,
            queries=self._queries,
            dense_weight=self._dense_weight,
        )
        try:
            cache.save()
        except OSError as exc:  # a read-only shared model dir is fine: memory still has them
            log.warning("could not save embedding cache: %s", exc)
        return index

    def warm(self) -> int:
        """Build the index and load the sentence encoder now (at start-up) instead of on the
        first questions, which would otherwise take a second or two each; the index's size."""
        size = len(self._live.current())
        if self._dense_weight > 0 and self._queries is not None:
            self._queries.get("你好")  # the encoder's weights load on its first sentence
        return size

    def has_curated_answers(self) -> bool:
        """Whether any live entry was saved by people rather than shipped (cheap: per index)."""
        return self._live.current().has_curated

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
    ) -> RetrievalResult:
        """Ranked hits with answers in ``lang`` for ``channel``, valid at ``now``, and a decision.

        A question that is not answered confidently is logged as uncovered unless ``record``
        is False (benchmarks, admin previews).
        """
        now = now or _utcnow()
        if lang not in LANGS:
            lang = "zh-CN"
        if not text.strip():
            return RetrievalResult(text, lang, channel, Decision.FALLBACK, ())
        result = self._live.current().result(
            text, lang, channel, now, k, self.thresholds, dense_new=not self.overloaded()
        )
        if record and result.decision is not Decision.ANSWER:
            top = result.top
            self.log_uncovered(
                text,
                lang,
                now=now,
                customer_id=customer_id,
                conversation_id=conversation_id,
                best_entry_id=top.entry_id if top else None,
                best_score=top.score if top else None,
            )
        return result

    def log_uncovered(
        self,
        text: str,
        lang: str,
        *,
        now: datetime | None = None,
        customer_id: str | None = None,
        conversation_id: str | None = None,
        best_entry_id: str | None = None,
        best_score: float | None = None,
    ) -> None:
        # kept in plain text for the gap report's grouping, so never with the customer's phone,
        # address or id number in it: "能寄到[地址]吗" groups as well and gives nothing away
        text = mask(text.strip())
        self.repo.add_uncovered(
            UncoveredQuestion(
                text=text[:2000],
                normalized=self._prepare(text)[:2000],
                lang=lang,
                at=now or _utcnow(),
                customer_id=customer_id,
                conversation_id=conversation_id,
                best_entry_id=best_entry_id,
                best_score=None if best_score is None else round(best_score, 4),
            )
        )

    def gaps(self, since: datetime | None = None, limit: int = 20) -> list[GapCluster]:
        """高频未覆盖问题: uncovered questions clustered by meaning, most frequent first."""
        questions = self.repo.uncovered(since=since)
        if not questions:
            return []
        vectors = self._embedding_cache().vectors([q.normalized for q in questions])
        return cluster_gaps(questions, np.asarray(vectors), limit=limit)

    # ---- entries ---------------------------------------------------------------------------

    def _save(
        self, entries: Sequence[KbEntry], actor: str, now: datetime | None, expected: int | None
    ) -> list[KbEntry]:
        expected_versions = {entries[0].id: expected} if expected is not None and entries else None
        saved = self.repo.save_many(entries, actor, now or _utcnow(), expected_versions)
        self._live.invalidate()
        if self._bus is not None:
            self._bus.publish(CHANGES_CHANNEL, str(self.repo.revision()))
        return saved

    def list_entries(self, include_deleted: bool = False, tag: str | None = None) -> list[KbEntry]:
        entries = self.repo.list_entries(include_deleted=include_deleted)
        return [e for e in entries if tag is None or tag in e.tags]

    def get_entry(self, entry_id: str) -> KbEntry:
        entry = self.repo.get(entry_id)
        if entry is None or entry.deleted:
            raise KbNotFound(f"no knowledge-base entry {entry_id!r}")
        return entry

    def create_entry(self, data: Any, actor: str = "admin", now: datetime | None = None) -> KbEntry:
        entry = entry_from_dict(data)
        existing = self.repo.get(entry.id)
        if existing is not None and not existing.deleted:
            raise KbConflict(f"entry {entry.id!r} already exists; update it instead")
        return self._save([entry], actor, now, None)[0]

    def update_entry(
        self,
        entry_id: str,
        data: Any,
        actor: str = "admin",
        now: datetime | None = None,
        expected_version: int | None = None,
    ) -> KbEntry:
        """Change the fields given (the others stay) and save a new version."""
        existing = self.get_entry(entry_id)
        if not isinstance(data, dict):
            raise KbInvalid("an entry must be a JSON object")
        if "id" in data and data["id"] != entry_id:
            raise KbInvalid("id cannot be changed; create a new entry instead")
        entry = entry_from_dict({**existing.content(), **data}, entry_id=entry_id)
        return self._save([entry], actor, now, expected_version)[0]

    def delete_entry(
        self, entry_id: str, actor: str = "admin", now: datetime | None = None
    ) -> None:
        existing = self.get_entry(entry_id)
        self._save([replace(existing, deleted=True)], actor, now, None)

    def versions(self, entry_id: str) -> list[KbVersion]:
        found = self.repo.versions(entry_id)
        if not found:
            raise KbNotFound(f"no knowledge-base entry {entry_id!r}")
        return found

    def rollback(
        self, entry_id: str, version: int, actor: str = "admin", now: datetime | None = None
    ) -> KbEntry:
        """Save the content of an earlier version as the newest version (history is kept)."""
        for v in self.versions(entry_id):
            if v.version == version:
                restored = replace(entry_from_snapshot(v.snapshot), deleted=False)
                return self._save([restored], actor, now, None)[0]
        raise KbNotFound(f"entry {entry_id!r} has no version {version}")

    # ---- import / export -------------------------------------------------------------------

    def export(self, fmt: str = "json") -> str:
        return transfer.export(self.list_entries(), fmt)

    def import_entries(
        self, text: str, fmt: str = "json", actor: str = "import", now: datetime | None = None
    ) -> dict[str, int]:
        """Create or update every entry given; all are validated before any is saved."""
        records = transfer.parse(text, fmt)
        parsed: list[KbEntry] = []
        errors: list[str] = []
        for n, record in enumerate(records, start=1):
            try:
                parsed.append(entry_from_dict(record))
            except KbInvalid as exc:
                errors.append(f"entry {n} ({record.get('id', '?')}): {exc.message}")
        ids = [e.id for e in parsed]
        errors += [
            f"id {i!r} appears more than once" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        if errors:
            raise KbInvalid("; ".join(errors[:10]))
        current = {e.id: e for e in self.repo.list_entries(include_deleted=True)}
        changed = [
            e
            for e in parsed
            if e.id not in current
            or current[e.id].deleted
            or current[e.id].content() != e.content()
        ]
        created = sum(1 for e in changed if e.id not in current or current[e.id].deleted)
        if changed:
            self._save(changed, actor, now, None)
        return {
            "created": created,
            "updated": len(changed) - created,
            "unchanged": len(parsed) - len(changed),
        }

    # ---- agents' proposals -----------------------------------------------------------------

    def propose(
        self,
        question: str,
        answer: str,
        lang: str,
        agent_id: str,
        entry_id: str | None = None,
        now: datetime | None = None,
    ) -> Proposal:
        """An agent suggests an answer (for an entry, or a new one) for an admin to review."""
        if lang not in LANGS:
            raise KbInvalid(f"lang must be one of {', '.join(LANGS)}")
        if not question.strip() or not answer.strip():
            raise KbInvalid("question and answer must not be empty")
        if entry_id is not None:
            self.get_entry(entry_id)
        proposal = Proposal(
            id=f"prop-{uuid.uuid4().hex[:16]}",
            question=question.strip(),
            answer=answer.strip(),
            lang=lang,
            agent_id=agent_id,
            created_at=now or _utcnow(),
            entry_id=entry_id,
        )
        self.repo.add_proposal(proposal)
        return proposal

    def proposals(self, status: str | None = "pending") -> list[Proposal]:
        return self.repo.list_proposals(status)

    def _pending(self, proposal_id: str) -> Proposal:
        proposal = self.repo.get_proposal(proposal_id)
        if proposal is None:
            raise KbNotFound(f"no proposal {proposal_id!r}")
        if proposal.status != "pending":
            raise KbConflict(f"proposal {proposal_id!r} is already {proposal.status}")
        return proposal

    def approve(
        self, proposal_id: str, reviewer: str = "admin", now: datetime | None = None
    ) -> KbEntry:
        """Apply the proposal as a new version of its entry (or a new entry) and close it."""
        proposal = self._pending(proposal_id)
        now = now or _utcnow()
        if proposal.entry_id is not None:
            entry = self.get_entry(proposal.entry_id)
            answers = {**entry.answers, proposal.lang: proposal.answer}
            variants = list(entry.variants)
            if proposal.question not in (entry.question, *variants):
                variants.append(proposal.question)
            data = {**entry.content(), "answers": answers, "variants": variants}
        else:
            data = {
                "id": f"kb-{uuid.uuid4().hex[:10]}",
                "question": proposal.question,
                "answers": {proposal.lang: proposal.answer},
                "tags": ["proposed"],
            }
        saved = self._save([entry_from_dict(data)], f"proposal:{proposal.agent_id}", now, None)
        self.repo.review_proposal(proposal_id, "approved", reviewer, now)
        return saved[0]

    def reject(
        self, proposal_id: str, reviewer: str = "admin", now: datetime | None = None
    ) -> Proposal:
        proposal = self._pending(proposal_id)
        now = now or _utcnow()
        self.repo.review_proposal(proposal_id, "rejected", reviewer, now)
        return replace(proposal, status="rejected", reviewed_at=now, reviewed_by=reviewer)

    def close(self) -> None:
        self._live.close()
