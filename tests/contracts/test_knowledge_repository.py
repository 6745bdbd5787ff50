"""KnowledgeRepository (kefu.knowledge.ports): knowledge-base entries, their versions and the
revision every worker polls, on SQLite and PostgreSQL; and a worker's search seeing a change
another worker saved. tests/store/test_knowledge_repo.py covers the service's CRUD above it."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kefu.knowledge.entry import KbEntry
from kefu.knowledge.errors import KbConflict
from kefu.knowledge.ports import Proposal, UncoveredQuestion
from kefu.knowledge.service import KnowledgeService
from kefu.store.db import Database
from kefu.store.knowledge_repo import SqlKnowledgeRepository
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def repo(store_db: Database) -> SqlKnowledgeRepository:
    return SqlKnowledgeRepository(store_db)


def _entry(entry_id: str, answer: str = "可以，免费包装。") -> KbEntry:
    return KbEntry(
        id=entry_id,
        question="可以礼品包装吗",
        answers={"zh-CN": answer, "en": "Yes, for free."},
        variants=("能包装成礼物吗",),
        tags=("gift",),
    )


def test_a_saved_entry_reads_back_at_version_one_and_bumps_the_revision(
    repo: SqlKnowledgeRepository,
) -> None:
    entry_id, before = unique("gift-wrap"), repo.revision()
    [saved] = repo.save_many([_entry(entry_id)], "admin", T0)
    assert saved.version == 1
    assert repo.revision() > before
    again = SqlKnowledgeRepository(repo.db).get(entry_id)
    assert again is not None
    assert (again.version, again.answers, again.variants, again.tags, again.updated_by) == (
        1,
        {"zh-CN": "可以，免费包装。", "en": "Yes, for free."},
        ("能包装成礼物吗",),
        ("gift",),
        "admin",
    )
    assert entry_id in {e.id for e in repo.list_entries()}
    assert repo.get(unique("nothing")) is None


def test_each_change_is_a_new_version_with_its_snapshot(repo: SqlKnowledgeRepository) -> None:
    entry_id = unique("gift-wrap")
    repo.save_many([_entry(entry_id)], "admin", T0)
    revision = repo.revision()
    [updated] = repo.save_many([_entry(entry_id, "可以，收费5元。")], "A01", T0 + timedelta(1))
    assert updated.version == 2 and repo.revision() > revision
    current = repo.get(entry_id)
    assert current is not None and current.answers["zh-CN"] == "可以，收费5元。"
    versions = repo.versions(entry_id)
    assert [(v.version, v.actor) for v in versions] == [(1, "admin"), (2, "A01")]
    assert versions[0].snapshot["answers"]["zh-CN"] == "可以，免费包装。"
    assert versions[1].at == T0 + timedelta(1)


def test_a_deleted_entry_leaves_the_list_but_keeps_its_history(
    repo: SqlKnowledgeRepository,
) -> None:
    entry_id = unique("gift-wrap")
    repo.save_many([_entry(entry_id)], "admin", T0)
    repo.save_many([replace(_entry(entry_id), deleted=True)], "admin", T0)
    assert entry_id not in {e.id for e in repo.list_entries()}
    assert entry_id in {e.id for e in repo.list_entries(include_deleted=True)}
    gone = repo.get(entry_id)
    assert gone is not None and gone.deleted and gone.version == 2
    assert [v.snapshot["deleted"] for v in repo.versions(entry_id)] == [False, True]


def test_a_save_over_a_changed_entry_conflicts_and_writes_nothing(
    repo: SqlKnowledgeRepository,
) -> None:
    first, second = unique("a"), unique("b")
    repo.save_many([_entry(first)], "admin", T0)
    repo.save_many([_entry(first, "changed by someone else")], "A02", T0)
    revision = repo.revision()
    with pytest.raises(KbConflict):
        # one transaction: the new entry listed first is not written either
        repo.save_many([_entry(second), _entry(first, "mine")], "A01", T0, {first: 1})
    assert repo.get(second) is None
    current = repo.get(first)
    assert current is not None and current.version == 2
    assert current.answers["zh-CN"] == "changed by someone else"
    assert repo.revision() == revision
    [mine] = repo.save_many([_entry(first, "mine")], "A01", T0, {first: 2})
    assert mine.version == 3


def test_uncovered_questions_come_back_oldest_first_since_a_time(
    repo: SqlKnowledgeRepository,
) -> None:
    # a time of this test's own: the shared database holds other tests' questions
    since = datetime(2090, 1, 1, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 10**6)
    for i, text in enumerate(["有实体店吗", "门店在哪里", "今天天气怎么样"]):
        repo.add_uncovered(
            UncoveredQuestion(
                text=text,
                normalized=text,
                lang="zh-CN",
                at=since + timedelta(seconds=i - 1),
                customer_id="C1001" if i else None,
                best_entry_id="contact-human",
                best_score=0.31,
            )
        )
    got = repo.uncovered(since=since)
    assert [q.text for q in got] == ["门店在哪里", "今天天气怎么样"]
    assert got[0].at == since and got[0].customer_id == "C1001" and got[0].best_score == 0.31
    assert [q.text for q in repo.uncovered(since=since, limit=1)] == ["今天天气怎么样"]


def test_a_proposal_is_reviewed_once(repo: SqlKnowledgeRepository) -> None:
    proposal = Proposal(
        id=unique("P"),
        question="有实体店吗",
        answer="目前只有网店。",
        lang="zh-CN",
        agent_id="A01",
        created_at=T0,
    )
    repo.add_proposal(proposal)
    assert repo.get_proposal(proposal.id) == proposal
    assert proposal.id in {p.id for p in repo.list_proposals("pending")}
    repo.review_proposal(proposal.id, "approved", "admin", T0 + timedelta(hours=1))
    reviewed = repo.get_proposal(proposal.id)
    assert reviewed is not None
    assert (reviewed.status, reviewed.reviewed_by, reviewed.reviewed_at) == (
        "approved",
        "admin",
        T0 + timedelta(hours=1),
    )
    assert proposal.id not in {p.id for p in repo.list_proposals("pending")}
    with pytest.raises(KbConflict):
        repo.review_proposal(proposal.id, "rejected", "admin", T0)
    assert repo.get_proposal(unique("P")) is None


def test_another_workers_search_finds_an_entry_once_it_is_saved(store_db: Database) -> None:
    reader = KnowledgeService(SqlKnowledgeRepository(store_db), check_interval_s=0.05)
    entry_id = unique("trade-in")
    question = "你们支持以旧换新吗"

    def top() -> str | None:
        hit = reader.search(question, record=False).top
        return None if hit is None else str(hit.entry_id)

    top()  # the reader's index is built before the change, as in a running worker
    SqlKnowledgeRepository(store_db).save_many(
        [
            KbEntry(
                id=entry_id,
                question="支持以旧换新吗？",
                answers={"zh-CN": "暂不支持以旧换新。"},
                variants=("旧手机能抵钱吗",),
            )
        ],
        "admin",
        datetime.now(UTC),
    )
    deadline = time.monotonic() + 5  # seen at the next revision check (0.05 s) and rebuild
    while top() != entry_id:
        assert time.monotonic() < deadline, "the search never saw the saved entry"
        time.sleep(0.05)
