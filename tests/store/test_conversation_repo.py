"""Conversations survive restarts, messages keep their order, and lost races are detected."""

from __future__ import annotations

from datetime import UTC, datetime
from threading import Thread

import pytest

from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    Sender,
)
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database


def _new(store: SqlConversations, customer_id: str = "C1001") -> Conversation:
    now = datetime.now(UTC)
    conv = Conversation(
        id=new_id("c"),
        customer_id=customer_id,
        channel="web",
        status=ConversationStatus.BOT,
        lang="zh-CN",
        created_at=now,
        updated_at=now,
    )
    store.create(conv)
    return conv


def test_state_survives_a_new_store_on_the_same_database(db: Database) -> None:
    conv = _new(SqlConversations(db))
    conv.state = {"slots": {"order_id": "E2026111100001"}, "unresolved": 2}
    SqlConversations(db).save(conv)
    again = SqlConversations(Database(db.engine)).get(conv.id)
    assert again is not None and again.state == conv.state and again.version == conv.version


def test_a_stale_writer_loses_instead_of_overwriting(db: Database) -> None:
    store = SqlConversations(db)
    conv = _new(store)
    stale = store.get(conv.id)
    assert stale is not None
    conv.status = ConversationStatus.WAITING_AGENT
    store.save(conv)
    stale.state = {"overwrite": True}
    with pytest.raises(ConcurrentUpdate):
        store.save(stale)
    current = store.get(conv.id)
    assert current is not None and current.status == ConversationStatus.WAITING_AGENT


def test_messages_keep_order_under_concurrent_writers(db: Database) -> None:
    store = SqlConversations(db)
    conv = _new(store)

    def write(sender: Sender) -> None:
        for i in range(10):
            store.append_message(conv.id, sender, f"{sender.value}-{i}", datetime.now(UTC))

    threads = [Thread(target=write, args=(s,)) for s in (Sender.CUSTOMER, Sender.AGENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = store.messages(conv.id)
    assert [m.seq for m in messages] == list(range(1, 21))
    assert len({m.id for m in messages}) == 20
    assert [m.text for m in store.messages(conv.id, after_seq=18)] == [
        m.text for m in messages[18:]
    ]


def test_latest_open_conversation_spans_channels(db: Database) -> None:
    store = SqlConversations(db)
    first = _new(store)
    assert (found := store.latest_open("C1001")) is not None and found.id == first.id
    first.status = ConversationStatus.CLOSED
    store.save(first)
    assert store.latest_open("C1001") is None
    assert store.latest_open("C1002") is None
