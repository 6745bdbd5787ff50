"""QueueStore (kefu.desk.ports): the desk queue on SQLite and PostgreSQL.

Urgency is ``virtual_arrival`` (arrival time with priority folded in: a smaller value is served
first, so a VIP who came later can be ahead and, at equal priority, the older one is). Each
test uses skill groups and agents of its own, so the shared database's other entries never
show. The concurrent-claim race is tests/store/test_desk_repo.py's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kefu.desk.ports import QueueEntry, SeatState
from kefu.domain.conversations import ConversationStatus
from kefu.store.conversation_repo import SqlConversations
from kefu.store.db import Database
from kefu.store.desk_repo import SqlDeskQueue
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def queue(store_db: Database) -> SqlDeskQueue:
    return SqlDeskQueue(store_db)


def _entry(
    conversation_id: str,
    skill: str,
    va: float,
    routed_to: str | None = None,
    waiting_since: datetime = T0,
) -> QueueEntry:
    return QueueEntry(
        conversation_id=conversation_id,
        customer_id="C1001",
        skill=skill,
        lang="zh-CN",
        vip="normal",
        reason="asked_for_human",
        summary="想找人工",
        points=0,
        virtual_arrival=va,
        waiting_since=waiting_since,
        routed_to=routed_to,
    )


def test_the_most_urgent_entry_of_my_groups_comes_first(
    queue: SqlDeskQueue, new_conversation: Callable[..., str]
) -> None:
    pre, after, elsewhere, me = unique("sk"), unique("sk"), unique("sk"), unique("A")
    ids = [new_conversation() for _ in range(4)]
    queue.enqueue(_entry(ids[0], pre, 300.0), T0)
    queue.enqueue(_entry(ids[1], after, 100.0), T0)  # came later but a VIP: folded in ahead
    queue.enqueue(_entry(ids[2], elsewhere, 50.0), T0)  # not my group
    queue.enqueue(_entry(ids[3], elsewhere, 200.0, routed_to=me), T0)  # offered to me
    head = queue.head(me, [pre, after])
    assert head is not None and head.conversation_id == ids[1]
    seen = [e.conversation_id for e in queue.visible_to(me, [pre, after], 10)]
    assert seen == [ids[1], ids[3], ids[0]]
    assert [e.conversation_id for e in queue.visible_to(me, [pre, after], 2)] == ids[1:2] + ids[3:4]
    assert queue.head(unique("A"), [unique("sk")]) is None


def test_an_entry_reads_back_as_queued_and_its_conversation_waits(
    queue: SqlDeskQueue, store_db: Database, new_conversation: Callable[..., str]
) -> None:
    skill, conv = unique("sk"), new_conversation()
    assert queue.enqueue(_entry(conv, skill, 10.0), T0)
    entry = queue.get(conv)
    assert entry is not None
    assert (entry.skill, entry.summary, entry.state, entry.agent_id) == (
        skill,
        "想找人工",
        SeatState.WAITING,
        None,
    )
    assert entry.waiting_since == T0
    stored = SqlConversations(store_db).get(conv)
    assert stored is not None and stored.status is ConversationStatus.WAITING_AGENT
    assert queue.get(unique("c")) is None


def test_a_claimed_entry_is_never_claimed_again(
    queue: SqlDeskQueue, store_db: Database, new_conversation: Callable[..., str]
) -> None:
    skill, first, second, conv = unique("sk"), unique("A"), unique("A"), new_conversation()
    queue.enqueue(_entry(conv, skill, 1.0), T0)
    assert queue.claim(conv, first, T0) is True
    assert queue.claim(conv, second, T0) is False
    assert queue.claim(conv, first, T0) is False
    assert queue.head(second, [skill]) is None
    assert [e.conversation_id for e in queue.active_of(first)] == [conv]
    assert queue.active_of(second) == []
    stored = SqlConversations(store_db).get(conv)
    assert stored is not None
    assert (stored.status, stored.agent_id) == (ConversationStatus.WITH_AGENT, first)


def test_an_offer_shows_the_entry_to_that_agent_alone_until_it_goes_back(
    queue: SqlDeskQueue, new_conversation: Callable[..., str]
) -> None:
    skill, offered, peer, conv = unique("sk"), unique("A"), unique("A"), new_conversation()
    queue.enqueue(_entry(conv, skill, 1.0), T0)
    assert queue.offer(conv, offered, T0)
    assert [e.conversation_id for e in queue.offered_to(offered)] == [conv]
    assert queue.head(peer, [skill]) is None
    head = queue.head(offered, [])
    assert head is not None and head.routed_to == offered
    assert conv in [e.conversation_id for e in queue.offered_before(T0 + timedelta(seconds=1))]
    assert conv not in [e.conversation_id for e in queue.offered_before(T0)]
    assert queue.offer(conv, None, T0, not_to=offered)  # timed out: back to the group
    back = queue.head(peer, [skill])
    assert back is not None and back.conversation_id == conv and back.not_to == offered
    assert queue.offered_to(offered) == []
    queue.claim(conv, peer, T0)
    assert queue.offer(conv, offered, T0) is False, "an entry no longer waiting is gone"


def test_place_and_counts_are_per_skill_group(
    queue: SqlDeskQueue, new_conversation: Callable[..., str]
) -> None:
    skill, other = unique("sk"), unique("sk")
    early, late = T0, T0 + timedelta(minutes=3)
    entries = [
        _entry(new_conversation(), skill, 20.0, waiting_since=late),
        _entry(new_conversation(), skill, 10.0, waiting_since=early),
        _entry(new_conversation(), other, 5.0, waiting_since=late),
    ]
    for e in entries:
        queue.enqueue(e, T0)
    assert [queue.position(e) for e in entries] == [2, 1, 1]
    counts = queue.counts()
    assert counts[skill] == (2, early) and counts[other] == (1, late)
    queue.claim(entries[1].conversation_id, unique("A"), T0)
    assert queue.position(entries[0]) == 1
    assert queue.counts()[skill] == (1, late)


def test_only_the_agent_holding_a_chat_can_pass_it_on_or_close_it(
    queue: SqlDeskQueue, store_db: Database, new_conversation: Callable[..., str]
) -> None:
    skill, holder, other, conv = unique("sk"), unique("A"), unique("A"), new_conversation()
    queue.enqueue(_entry(conv, skill, 1.0), T0)
    queue.claim(conv, holder, T0)
    assert queue.hand_to(conv, other, holder, T0) is False
    assert queue.enqueue(_entry(conv, skill, 1.0), T0, from_agent=other) is False
    assert queue.close(conv, other, T0) is False
    assert queue.hand_to(conv, holder, other, T0) is True
    assert [e.conversation_id for e in queue.active_of(other)] == [conv]
    assert queue.active_of(holder) == []
    assert queue.close(conv, other, T0 + timedelta(minutes=1)) is True
    assert queue.close(conv, other, T0 + timedelta(minutes=1)) is False
    closed = queue.get(conv)
    assert closed is not None and closed.state == SeatState.CLOSED
    stored = SqlConversations(store_db).get(conv)
    assert stored is not None and stored.status is ConversationStatus.CLOSED


def test_a_chat_handed_back_waits_in_its_new_group(
    queue: SqlDeskQueue, new_conversation: Callable[..., str]
) -> None:
    skill, new_skill, holder, conv = unique("sk"), unique("sk"), unique("A"), new_conversation()
    queue.enqueue(_entry(conv, skill, 1.0), T0)
    queue.claim(conv, holder, T0)
    assert queue.enqueue(_entry(conv, new_skill, 1.0), T0, from_agent=holder) is True
    assert queue.active_of(holder) == []
    head = queue.head(unique("A"), [new_skill])
    assert head is not None and head.conversation_id == conv and head.state == SeatState.WAITING
    assert queue.close(conv, None, T0) is True, "a waiting entry closes without an agent"
    assert queue.head(unique("A"), [new_skill]) is None


def test_handing_off_again_while_waiting_updates_the_one_entry(
    queue: SqlDeskQueue, new_conversation: Callable[..., str]
) -> None:
    skill, conv = unique("sk"), new_conversation()
    queue.enqueue(_entry(conv, skill, 50.0), T0)
    assert queue.enqueue(replace(_entry(conv, skill, 5.0), summary="又来催了"), T0)
    assert queue.counts()[skill] == (1, T0)
    [entry] = queue.visible_to(unique("A"), [skill], 10)
    assert (entry.conversation_id, entry.virtual_arrival, entry.summary) == (conv, 5.0, "又来催了")
