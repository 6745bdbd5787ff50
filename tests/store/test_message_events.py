"""What a running kefu stores is told to its listeners after the write, once, in order; a write
that fails tells nothing; a failing listener never undoes what was stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from kefu.dialogue import Turn
from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    Message,
    NewMessage,
    Sender,
)
from kefu.domain.message_events import AnnouncedConversations, MessageEvents
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database
from kefu.wiring import Kefu


def _conversation() -> Conversation:
    now = datetime.now(UTC)
    return Conversation(
        id=new_id("c"),
        customer_id="C1001",
        channel="web",
        status=ConversationStatus.BOT,
        lang="zh-CN",
        created_at=now,
        updated_at=now,
    )


def _said(text: str, sender: Sender = Sender.CUSTOMER) -> NewMessage:
    return NewMessage(sender=sender, text=text, at=datetime.now(UTC))


def test_a_turn_is_told_once_with_its_messages_in_order(db: Database) -> None:
    events = MessageEvents()
    heard: list[list[str]] = []
    events.subscribe(lambda messages: heard.append([m.text for m in messages]))
    store = AnnouncedConversations(SqlConversations(db), events)
    conversation = _conversation()
    stored = store.commit_turn(
        conversation, [_said("在吗"), _said("在的", Sender.BOT)], create=True
    )
    assert heard == [["在吗", "在的"]]
    assert [m.seq for m in stored] == [1, 2]
    store.append_message(conversation.id, Sender.AGENT, "您好", datetime.now(UTC))
    assert heard[-1] == ["您好"]


def test_a_lost_race_stores_and_tells_nothing(db: Database) -> None:
    events = MessageEvents()
    heard: list[Sequence[Message]] = []
    events.subscribe(heard.append)
    store = AnnouncedConversations(SqlConversations(db), events)
    conversation = _conversation()
    store.commit_turn(conversation, [_said("在吗")], create=True)
    stale = store.get(conversation.id)
    assert stale is not None
    store.commit_turn(conversation, [_said("发货了吗")])
    with pytest.raises(ConcurrentUpdate):
        store.commit_turn(stale, [_said("stale")])
    assert [m.text for batch in heard for m in batch] == ["在吗", "发货了吗"]
    assert [m.text for m in store.messages(conversation.id)] == ["在吗", "发货了吗"]


def test_a_failing_listener_neither_fails_the_write_nor_silences_the_others(
    db: Database,
) -> None:
    events = MessageEvents()

    def broken(messages: Sequence[Message]) -> None:
        raise RuntimeError("socket hub down")

    heard: list[Sequence[Message]] = []
    events.subscribe(broken)
    events.subscribe(heard.append)
    store = AnnouncedConversations(SqlConversations(db), events)
    conversation = _conversation()
    store.commit_turn(conversation, [_said("在吗")], create=True)
    assert len(heard) == 1 and store.messages(conversation.id)[0].text == "在吗"


def test_a_stopped_listener_hears_no_more(db: Database) -> None:
    events = MessageEvents()
    heard: list[Sequence[Message]] = []
    stop = events.subscribe(heard.append)
    store = AnnouncedConversations(SqlConversations(db), events)
    conversation = _conversation()
    store.commit_turn(conversation, [_said("一")], create=True)
    stop()
    store.append_message(conversation.id, Sender.AGENT, "二", datetime.now(UTC))
    assert [m.text for batch in heard for m in batch] == ["一"]


def test_every_writer_of_a_running_kefu_is_heard(kefu: Kefu) -> None:
    """The dialogue, the desk and the notices share the one announced store."""
    heard: list[str] = []
    kefu.message_events.subscribe(lambda messages: heard.extend(m.text for m in messages))
    result = kefu.dialogue.handle(Turn("web", "在吗", customer_id="C1001"))
    assert heard[0] == "在吗" and heard[1:] == [r.text for r in result.replies]
    assert isinstance(kefu.dialogue.store, AnnouncedConversations)
    assert kefu.desk.conversations is kefu.dialogue.store is kefu.notices.conversations
