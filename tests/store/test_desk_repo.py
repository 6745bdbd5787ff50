"""The desk queue in the database: index-ordered picks, atomic claims, conditional hand-overs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from threading import Barrier, Thread

from kefu.desk.ports import QueueEntry, SeatState
from kefu.domain.conversations import ConversationStatus, Sender
from kefu.store.conversation_repo import SqlConversations
from kefu.store.db import Database
from kefu.store.desk_repo import SqlAgents, SqlDeskQueue
from tests.desk.support import ensure_desk_tables, new_conversation

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


def _entry(conversation_id: str, skill: str, va: float, routed_to: str | None = None) -> QueueEntry:
    return QueueEntry(
        conversation_id=conversation_id,
        customer_id="C1001",
        skill=skill,
        lang="zh-CN",
        vip="normal",
        reason="asked_for_human",
        summary="",
        points=0,
        virtual_arrival=va,
        waiting_since=T0,
        routed_to=routed_to,
    )


def _queue(db: Database) -> SqlDeskQueue:
    ensure_desk_tables(db)
    return SqlDeskQueue(db)


def test_head_is_the_smallest_virtual_arrival_across_my_groups_and_offers(db: Database) -> None:
    queue = _queue(db)
    ids = [new_conversation(db, "C1001", T0).id for _ in range(4)]
    queue.enqueue(_entry(ids[0], "pre_sales", 300.0), T0)
    queue.enqueue(_entry(ids[1], "after_sales", 200.0), T0)
    queue.enqueue(_entry(ids[2], "logistics", 100.0), T0)  # not my group
    queue.enqueue(_entry(ids[3], "logistics", 250.0, routed_to="A01"), T0)
    head = queue.head("A01", ["pre_sales", "after_sales"])
    assert head is not None and head.conversation_id == ids[1]
    seen = [e.conversation_id for e in queue.visible_to("A01", ["pre_sales", "after_sales"], 10)]
    assert seen == [ids[1], ids[3], ids[0]]


def test_a_claim_is_won_once_even_under_concurrent_claims(db: Database) -> None:
    queue = _queue(db)
    conv = new_conversation(db, "C1002", T0)
    queue.enqueue(_entry(conv.id, "pre_sales", 1.0), T0)
    results: list[bool] = []
    barrier = Barrier(4)

    def claim(agent_id: str) -> None:
        barrier.wait()
        results.append(queue.claim(conv.id, agent_id, T0))

    threads = [Thread(target=claim, args=(f"A0{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    stored = SqlConversations(db).get(conv.id)
    assert stored is not None and stored.status is ConversationStatus.WITH_AGENT
    assert queue.head("A01", ["pre_sales"]) is None


def test_a_handover_from_an_agent_that_no_longer_holds_it_is_refused(db: Database) -> None:
    queue = _queue(db)
    conv = new_conversation(db, "C1002", T0)
    queue.enqueue(_entry(conv.id, "pre_sales", 1.0), T0)
    assert queue.claim(conv.id, "A01", T0)
    assert not queue.enqueue(_entry(conv.id, "pre_sales", 1.0), T0, from_agent="A02")
    assert queue.enqueue(_entry(conv.id, "after_sales", 1.0), T0, from_agent="A01")
    entry = queue.get(conv.id)
    assert entry is not None and entry.state == SeatState.WAITING and entry.skill == "after_sales"


def test_loads_count_active_and_offered_conversations(db: Database) -> None:
    queue = _queue(db)
    a, b = (new_conversation(db, "C1001", T0).id for _ in range(2))
    queue.enqueue(_entry(a, "pre_sales", 1.0, routed_to="A01"), T0)
    queue.enqueue(_entry(b, "pre_sales", 2.0), T0)
    queue.claim(b, "A01", T0)
    load = next(x for x in SqlAgents(db).loads() if x.agent.id == "A01")
    assert (load.active, load.offered) == (1, 1)


def test_only_chats_whose_last_word_is_the_customers_count_as_unanswered(db: Database) -> None:
    queue = _queue(db)
    store = SqlConversations(db)
    waiting, answered = (new_conversation(db, "C1001", T0).id for _ in range(2))
    for cid in (waiting, answered):
        queue.enqueue(_entry(cid, "pre_sales", 1.0), T0)
        queue.claim(cid, "A01", T0)
        store.append_message(cid, Sender.CUSTOMER, "hello?", T0 + timedelta(seconds=1))
    store.append_message(answered, Sender.AGENT, "here", T0 + timedelta(seconds=2))
    assert queue.unanswered_chats(T0 + timedelta(minutes=5)) == [(waiting, "A01")]
