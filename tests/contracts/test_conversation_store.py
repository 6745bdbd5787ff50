"""ConversationStore (kefu.domain): conversations and their messages, on SQLite and PostgreSQL.

The lost-race and message-order cases restate tests/store/test_conversation_repo.py as the
contract, on one shared database per backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    NewMessage,
    Sender,
)
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database
from kefu.store.tables.conversations import ConversationEventRow, MessageRow

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


@pytest.fixture
def store(store_db: Database) -> SqlConversations:
    return SqlConversations(store_db)


def _conversation(customer_id: str, at: datetime = T0, channel: str = "web") -> Conversation:
    return Conversation(
        id=new_id("c"),
        customer_id=customer_id,
        channel=channel,
        status=ConversationStatus.BOT,
        lang="zh-CN",
        created_at=at,
        updated_at=at,
    )


def test_a_created_conversation_reads_back_as_stored(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    conv.state = {"slots": {"order_id": "E2026111100001"}, "unresolved": 1}
    store.create(conv)
    again = SqlConversations(store.db).get(conv.id)
    assert again is not None
    assert (again.customer_id, again.channel, again.status, again.lang, again.state) == (
        conv.customer_id,
        "web",
        ConversationStatus.BOT,
        "zh-CN",
        conv.state,
    )
    assert again.created_at == T0 and again.version == conv.version == 1
    assert store.get(new_id("c")) is None


def test_a_turns_messages_read_back_in_order_and_resume_after_a_seq(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    turn = [
        NewMessage(Sender.CUSTOMER, "在吗", T0, channel="web"),
        NewMessage(Sender.BOT, "在的，请问有什么可以帮您？", T0, kind="answer", meta={"k": 1}),
    ]
    stored = store.commit_turn(conv, turn, create=True)
    assert [m.seq for m in stored] == [1, 2]
    later = store.append_message(conv.id, Sender.AGENT, "您好", T0 + timedelta(minutes=1))
    assert later.seq == 3
    messages = store.messages(conv.id)
    assert [(m.seq, m.sender, m.text) for m in messages] == [
        (1, Sender.CUSTOMER, "在吗"),
        (2, Sender.BOT, "在的，请问有什么可以帮您？"),
        (3, Sender.AGENT, "您好"),
    ]
    assert messages[1].kind == "answer" and messages[1].meta == {"k": 1}
    assert messages[2].at == T0 + timedelta(minutes=1)
    assert [m.text for m in store.messages(conv.id, after_seq=2)] == ["您好"]
    assert [m.seq for m in store.messages(conv.id, limit=2)] == [1, 2]


def test_a_new_conversations_first_turn_keeps_the_conversation_its_event_and_every_field(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    conv.state = {"lang": "zh-CN", "unresolved": 0}
    turn = [
        NewMessage(
            Sender.CUSTOMER, "在吗", T0, channel="web", intent="greeting", confidence=0.93,
            meta={"entities": {}, "sentiment": "neutral"},
        ),
        NewMessage(Sender.BOT, "在的", T0, kind="answer"),  # no intent, no confidence
        NewMessage(Sender.BOT, "还有什么可以帮您？", T0, kind="followup", meta={"k": [1, 2]}),
    ]  # fmt: skip
    stored = store.commit_turn(conv, turn, create=True)
    assert [m.seq for m in stored] == [1, 2, 3] and conv.version == 1
    again = store.get(conv.id)
    assert again is not None and again.version == 1 and again.state == conv.state
    read = store.messages(conv.id)
    assert [(m.id, m.seq, m.sender, m.text, m.kind, m.meta) for m in read] == [
        (m.id, m.seq, m.sender, m.text, m.kind, m.meta) for m in stored
    ]
    with store.db.reading() as conn:
        rows = conn.execute(
            select(MessageRow.intent, MessageRow.confidence)
            .where(MessageRow.conversation_id == conv.id)
            .order_by(MessageRow.seq)
        ).all()
        events = conn.execute(
            select(ConversationEventRow.kind, ConversationEventRow.actor).where(
                ConversationEventRow.conversation_id == conv.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [("greeting", 0.93), (None, None), (None, None)]
    assert [tuple(e) for e in events] == [("created", conv.customer_id)]
    # the next turn continues the numbering
    later = store.commit_turn(conv, [NewMessage(Sender.CUSTOMER, "好的", T0)])
    assert [m.seq for m in later] == [4] and conv.version == 2


def test_a_second_creation_of_one_conversation_stores_none_of_its_messages(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    store.commit_turn(conv, [NewMessage(Sender.CUSTOMER, "第一句", T0)], create=True)
    twin = _conversation(conv.customer_id)
    twin.id = conv.id
    with pytest.raises(IntegrityError):
        store.commit_turn(twin, [NewMessage(Sender.CUSTOMER, "第二句", T0)], create=True)
    assert [m.text for m in store.messages(conv.id)] == ["第一句"]


def test_a_stale_save_loses_and_changes_nothing(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    store.create(conv)
    stale = store.get(conv.id)
    assert stale is not None
    conv.status = ConversationStatus.WAITING_AGENT
    store.save(conv)
    assert conv.version == 2
    stale.state = {"overwrite": True}
    with pytest.raises(ConcurrentUpdate):
        store.save(stale)
    current = store.get(conv.id)
    assert current is not None
    assert (current.status, current.state, current.version) == (
        ConversationStatus.WAITING_AGENT,
        {},
        2,
    )


def test_a_stale_turn_writes_none_of_its_messages(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    conv = _conversation(new_customer())
    store.commit_turn(conv, [NewMessage(Sender.CUSTOMER, "first", T0)], create=True)
    stale = store.get(conv.id)
    assert stale is not None
    store.commit_turn(conv, [NewMessage(Sender.BOT, "answer", T0)])
    with pytest.raises(ConcurrentUpdate):
        store.commit_turn(stale, [NewMessage(Sender.BOT, "lost 1", T0)] * 2)
    assert [m.text for m in store.messages(conv.id)] == ["first", "answer"]
    # the next turn numbers on from the messages that exist
    assert [m.seq for m in store.commit_turn(conv, [NewMessage(Sender.BOT, "next", T0)])] == [3]


def test_a_customers_conversations_never_include_anothers(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    mine, theirs = new_customer(), new_customer()
    older, newer = _conversation(mine, T0), _conversation(mine, T0 + timedelta(hours=1))
    for conv in (older, _conversation(theirs, T0 + timedelta(hours=2)), newer):
        store.create(conv)
    assert [c.id for c in store.of_customer(mine)] == [newer.id, older.id]
    assert [c.id for c in store.of_customer(mine, limit=1)] == [newer.id]
    assert all(c.customer_id == theirs for c in store.of_customer(theirs))
    assert store.of_customer(new_customer()) == []


def test_the_latest_open_conversation_spans_channels_and_skips_closed_ones(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    customer = new_customer()
    assert store.latest_open(customer) is None
    web = _conversation(customer, T0, channel="web")
    app = _conversation(customer, T0 + timedelta(minutes=5), channel="app")
    store.create(web)
    store.create(app)
    latest = store.latest_open(customer)
    assert latest is not None and latest.id == app.id
    app.status = ConversationStatus.CLOSED
    app.closed_at = app.updated_at = T0 + timedelta(minutes=6)
    store.save(app)
    latest = store.latest_open(customer)
    assert latest is not None and latest.id == web.id
    assert store.latest_open(new_customer()) is None


def test_times_in_any_zone_read_back_as_the_same_instant_and_order_as_such(
    store: SqlConversations, new_customer: Callable[[], str]
) -> None:
    shanghai = timezone(timedelta(hours=8))
    customer = new_customer()
    local = datetime(2026, 11, 11, 12, 1, tzinfo=shanghai)  # 04:01 UTC
    app = _conversation(customer, local, channel="app")
    web = _conversation(customer, T0 + timedelta(seconds=30), channel="web")  # 04:00:30 UTC
    store.commit_turn(app, [NewMessage(Sender.CUSTOMER, "在吗", local)], create=True)
    store.create(web)
    again = store.get(app.id)
    assert again is not None and again.created_at == local == T0 + timedelta(minutes=1)
    assert store.messages(app.id)[0].at == local
    latest = store.latest_open(customer)
    assert latest is not None and latest.id == app.id
    assert [c.id for c in store.of_customer(customer)] == [app.id, web.id]
