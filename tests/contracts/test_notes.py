"""Notes (kefu.desk.ports): agents' notes, supervisors' whispers and tags on a conversation,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kefu.store.db import Database
from kefu.store.note_repo import SqlNotes

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


def test_notes_and_whispers_read_back_in_time_order_per_conversation(
    store_db: Database, new_conversation: Callable[..., str]
) -> None:
    notes, chat, other = SqlNotes(store_db), new_conversation(), new_conversation()
    later = notes.add(chat, "whisper", "S01", "先安抚客户", T0 + timedelta(minutes=1), "A01")
    first = notes.add(chat, "note", "A01", "客户要求加急", T0)
    notes.add(other, "note", "A02", "another chat", T0)
    got = SqlNotes(store_db).of(chat)
    assert got == [first, later]
    assert (got[1].kind, got[1].author, got[1].to_agent, got[1].at) == (
        "whisper",
        "S01",
        "A01",
        T0 + timedelta(minutes=1),
    )
    assert notes.of(chat, limit=1) == [first]
    assert notes.of(new_conversation()) == []


def test_tags_become_exactly_the_set_given(
    store_db: Database, new_conversation: Callable[..., str]
) -> None:
    notes, chat, other = SqlNotes(store_db), new_conversation(), new_conversation()
    assert notes.tags(chat) == []
    notes.set_tags(chat, ["退货", "加急"], "A01", T0)
    notes.set_tags(other, ["咨询"], "A02", T0)
    assert notes.tags(chat) == sorted(["退货", "加急"])
    notes.set_tags(chat, ["加急", "投诉"], "A01", T0 + timedelta(minutes=1))
    assert notes.tags(chat) == sorted(["加急", "投诉"])
    notes.set_tags(chat, [], "A01", T0)
    assert notes.tags(chat) == [] and notes.tags(other) == ["咨询"]
