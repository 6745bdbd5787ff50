"""Conversations and messages in the database; a message is committed before it is acknowledged."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, union_all, update
from sqlalchemy import cast as sql_cast

from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    Message,
    NewMessage,
    Sender,
)
from kefu.store.db import Database
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow


def conversation_from_row(row: ConversationRow) -> Conversation:
    return Conversation(
        id=row.id,
        customer_id=row.customer_id,
        channel=row.channel,
        status=ConversationStatus(row.status),
        lang=row.lang,
        created_at=row.created_at,
        updated_at=row.updated_at,
        state=dict(row.state or {}),
        agent_id=row.agent_id,
        priority=row.priority,
        handoff_reason=row.handoff_reason,
        summary=row.summary,
        skill=row.skill,
        waiting_since=row.waiting_since,
        closed_at=row.closed_at,
        version=row.version,
    )


def message_from_row(row: MessageRow) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        sender=Sender(row.sender),
        text=row.text,
        at=row.at,
        kind=row.kind,
        channel=row.channel,
        agent_id=row.agent_id,
        meta=dict(row.meta or {}),
        seq=row.seq,
    )


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:20]}"


_FIELDS = (
    "status",
    "lang",
    "state",
    "agent_id",
    "priority",
    "handoff_reason",
    "summary",
    "skill",
    "waiting_since",
    "closed_at",
    "updated_at",
    "channel",
)


_CONVERSATIONS = cast(Table, ConversationRow.__table__)
_CONVERSATION = select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("id"))
_CREATE = insert(_CONVERSATIONS)
_EVENTS = cast(Table, ConversationEventRow.__table__)
_MESSAGES = cast(Table, MessageRow.__table__)
_RECORD_EVENT = insert(_EVENTS)
_INSERT_MESSAGE = insert(_MESSAGES)
_SAVE_TURN = (
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.id == bindparam("b_id"),
        _CONVERSATIONS.c.version == bindparam("b_version"),
    )
    .values(
        version=_CONVERSATIONS.c.version + 1,
        last_seq=_CONVERSATIONS.c.last_seq + bindparam("b_n"),
        **{f: bindparam(f) for f in _FIELDS},
    )
    .returning(_CONVERSATIONS.c.last_seq)
)
_LATEST_OPEN = (
    select(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.customer_id == bindparam("customer_id"),
        _CONVERSATIONS.c.status != ConversationStatus.CLOSED.value,
    )
    .order_by(_CONVERSATIONS.c.updated_at.desc())
    .limit(1)
)


_MESSAGE_KEYS = (
    "id",
    "conversation_id",
    "seq",
    "sender",
    "text",
    "kind",
    "channel",
    "agent_id",
    "intent",
    "confidence",
    "meta",
    "at",
)
_NEW_CONVERSATION_KEYS = ("id", "customer_id", "created_at", "version", "last_seq", *_FIELDS)
_EVENT_KEYS = ("conversation_id", "at", "kind", "actor", "detail")


def _binds(table: Table, keys: tuple[str, ...], prefix: str) -> dict[str, Any]:
    # typed as their columns: JSON and time zones are converted as in any other insert
    return {k: bindparam(prefix + k, type_=table.c[k].type) for k in keys}


def _message_selects(n: int, saved: Any = None) -> Any:
    """The rows of ``n`` messages (parameters ``m{i}_*``) as a UNION ALL of SELECTs: a multi-row
    VALUES has no cache key in SQLAlchemy and would be compiled again on every turn. Each value is
    cast to its column's type (a NULL in a UNION would otherwise be read as text); with ``saved``
    (the CTE of the conversation's UPDATE) the seqs are numbered from what it returned."""
    rows = []
    for i in range(n):
        values = [
            (saved.c.last_seq - bindparam("b_n") + (i + 1))
            if saved is not None and k == "seq"
            else sql_cast(b, _MESSAGES.c[k].type)
            for k, b in _binds(_MESSAGES, _MESSAGE_KEYS, f"m{i}_").items()
        ]
        rows.append(select(*values) if saved is None else select(*values).select_from(saved))
    return insert(_MESSAGES).from_select(
        list(_MESSAGE_KEYS), rows[0] if n == 1 else union_all(*rows)
    )


@lru_cache(maxsize=16)
def _new_conversation_turn(n: int) -> Any:
    """PostgreSQL: a new conversation, its "created" event and its first ``n`` messages as one
    statement (the first two as data-modifying CTEs), built once per ``n`` so that SQLAlchemy
    compiles it once: parameters ``c_*``, ``e_*`` and ``m{i}_*``."""
    return (
        _message_selects(n)
        .add_cte(
            insert(_CONVERSATIONS)
            .values(_binds(_CONVERSATIONS, _NEW_CONVERSATION_KEYS, "c_"))
            .cte("new_conversation"),
            insert(_EVENTS).values(_binds(_EVENTS, _EVENT_KEYS, "e_")).cte("created"),
        )
        .returning(_MESSAGES.c.id, _MESSAGES.c.seq)
    )


@lru_cache(maxsize=16)
def _continued_turn(n: int) -> Any:
    """PostgreSQL: a turn of a stored conversation as one statement: the UPDATE that checks the
    version and reserves ``n`` seqs (a CTE), and the messages numbered from what it returned. A
    stale version updates no row, so no message is inserted either: nothing comes back.
    Parameters: ``b_id``, ``b_version``, ``b_n``, the conversation's fields and ``m{i}_*``."""
    return _message_selects(n, _SAVE_TURN.cte("saved")).returning(_MESSAGES.c.id, _MESSAGES.c.seq)


def _new_conversation_row(
    conversation: Conversation, values: dict[str, Any], n: int
) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "customer_id": conversation.customer_id,
        "created_at": conversation.created_at,
        "version": 1,
        "last_seq": n,
        **values,
    }


def _created_event_row(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "at": conversation.created_at,
        "kind": "created",
        "actor": conversation.customer_id,
        "detail": {"channel": conversation.channel},
    }


def _numbered(conversation_id: str, messages: Sequence[NewMessage], last_seq: int) -> list[Message]:
    """The turn's messages as stored: ids, and the seqs up to ``last_seq`` reserved for them."""
    n = len(messages)
    return [
        Message(
            id=new_id("m"),
            conversation_id=conversation_id,
            sender=m.sender,
            text=m.text,
            at=m.at,
            kind=m.kind,
            channel=m.channel,
            meta=dict(m.meta),
            seq=last_seq - n + i + 1,
        )
        for i, m in enumerate(messages)
    ]


def _message_rows(stored: list[Message], messages: Sequence[NewMessage]) -> list[dict[str, Any]]:
    return [
        {
            "id": m.id,
            "conversation_id": m.conversation_id,
            "seq": m.seq,
            "sender": m.sender.value,
            "text": m.text,
            "kind": m.kind,
            "channel": m.channel,
            "agent_id": None,
            "intent": new.intent,
            "confidence": new.confidence,
            "meta": m.meta,
            "at": m.at,
        }
        for m, new in zip(stored, messages, strict=True)
    ]


class SqlConversations:
    """Implements ``kefu.domain.conversations.ConversationStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # reads on the turn's path go through Core rows: same columns, a fraction of the ORM's cost
    def get(self, conversation_id: str) -> Conversation | None:
        with self.db.reading() as conn:
            found = conn.execute(_CONVERSATION, {"id": conversation_id}).first()
            return conversation_from_row(found) if found else None  # type: ignore[arg-type]

    def latest_open(self, customer_id: str) -> Conversation | None:
        found = self.db.rows(_LATEST_OPEN, {"customer_id": customer_id})
        return conversation_from_row(found[0]) if found else None

    def of_customer(self, customer_id: str, limit: int = 20) -> list[Conversation]:
        with self.db.session() as s:
            rows = s.scalars(
                select(ConversationRow)
                .where(ConversationRow.customer_id == customer_id)
                .order_by(ConversationRow.updated_at.desc())
                .limit(limit)
            )
            return [conversation_from_row(r) for r in rows]

    def create(self, conversation: Conversation) -> None:
        """Store a new conversation before its turn ends (the desk queues only stored ones)."""
        self.commit_turn(conversation, [], create=True)

    def save(self, conversation: Conversation) -> None:
        values: dict[str, Any] = {f: getattr(conversation, f) for f in _FIELDS}
        values["status"] = conversation.status.value
        values["version"] = conversation.version + 1
        with self.db.session() as s:
            result = s.execute(
                update(ConversationRow)
                .where(
                    ConversationRow.id == conversation.id,
                    ConversationRow.version == conversation.version,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise ConcurrentUpdate(conversation.id)
        conversation.version += 1

    def commit_turn(
        self, conversation: Conversation, messages: Sequence[NewMessage], *, create: bool = False
    ) -> list[Message]:
        """The whole turn in one transaction: a peak is thousands of these a second, and each
        extra commit is a disk sync on SQLite and a round trip on PostgreSQL."""
        values: dict[str, Any] = {f: getattr(conversation, f) for f in _FIELDS}
        values["status"] = conversation.status.value
        if messages and self.db.engine.dialect.name == "postgresql":
            # one statement, atomic alone: one round trip instead of BEGIN, the conversation's
            # INSERT (with its "created" event) or version-checked UPDATE, the messages, COMMIT
            stored = self._commit_turn_at_once(conversation, messages, values, create)
        else:
            stored = self._commit_turn_in_transaction(conversation, messages, values, create)
        conversation.version = 1 if create else conversation.version + 1
        return stored

    def _commit_turn_at_once(
        self,
        conversation: Conversation,
        messages: Sequence[NewMessage],
        values: dict[str, Any],
        create: bool,
    ) -> list[Message]:
        n = len(messages)
        numbered = _numbered(conversation.id, messages, n)
        params: dict[str, Any] = {}
        for i, message in enumerate(_message_rows(numbered, messages)):
            params |= {f"m{i}_{k}": v for k, v in message.items()}
        if create:
            row = _new_conversation_row(conversation, values, n)
            params |= {f"c_{k}": v for k, v in row.items()}
            params |= {f"e_{k}": v for k, v in _created_event_row(conversation).items()}
            statement = _new_conversation_turn(n)
        else:
            params |= {"b_id": conversation.id, "b_version": conversation.version, "b_n": n}
            params |= values
            statement = _continued_turn(n)
        seqs = {str(i): int(q) for i, q in self.db.rows(statement, params)}
        if len(seqs) != n:  # another writer moved the conversation on first
            raise ConcurrentUpdate(conversation.id)
        return [replace(m, seq=seqs[m.id]) for m in numbered]

    def _commit_turn_in_transaction(
        self,
        conversation: Conversation,
        messages: Sequence[NewMessage],
        values: dict[str, Any],
        create: bool,
    ) -> list[Message]:
        n = len(messages)
        with self.db.engine.begin() as conn:
            if create:
                conn.execute(_CREATE, _new_conversation_row(conversation, values, n))
                conn.execute(_RECORD_EVENT, _created_event_row(conversation))
                last_seq = n
            else:
                # the version check is the optimistic lock against the desk and other workers;
                # the same UPDATE reserves the seq range of the turn's messages
                last = conn.execute(
                    _SAVE_TURN,
                    {"b_id": conversation.id, "b_version": conversation.version, "b_n": n} | values,
                ).scalar_one_or_none()
                if last is None:
                    raise ConcurrentUpdate(conversation.id)
                last_seq = int(last)
            stored = _numbered(conversation.id, messages, last_seq)
            if stored:
                conn.execute(_INSERT_MESSAGE, _message_rows(stored, messages))
        return stored

    def append_message(
        self,
        conversation_id: str,
        sender: Sender,
        text: str,
        at: datetime,
        *,
        kind: str | None = None,
        channel: str | None = None,
        agent_id: str | None = None,
        intent: str | None = None,
        confidence: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Message:
        with self.db.session() as s:
            # the row lock of this UPDATE orders concurrent writers of one conversation
            seq = s.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(last_seq=ConversationRow.last_seq + 1)
                .returning(ConversationRow.last_seq)
                .execution_options(synchronize_session=False)
            ).scalar_one_or_none()
            if seq is None:
                raise KeyError(f"no conversation {conversation_id}")
            row = MessageRow(
                id=new_id("m"),
                conversation_id=conversation_id,
                seq=seq,
                sender=sender.value,
                text=text,
                kind=kind,
                channel=channel,
                agent_id=agent_id,
                intent=intent,
                confidence=confidence,
                meta=meta or {},
                at=at,
            )
            s.add(row)
            s.flush()
            message = message_from_row(row)
        return message

    def messages(self, conversation_id: str, after_seq: int = 0, limit: int = 500) -> list[Message]:
        with self.db.session() as s:
            rows = s.scalars(
                select(MessageRow)
                .where(MessageRow.conversation_id == conversation_id, MessageRow.seq > after_seq)
                .order_by(MessageRow.seq)
                .limit(limit)
            )
            return [message_from_row(r) for r in rows]

    def record_event(
        self, conversation_id: str, kind: str, at: datetime, actor: str, detail: dict[str, Any]
    ) -> None:
        with self.db.session() as s:
            s.add(
                ConversationEventRow(
                    conversation_id=conversation_id, at=at, kind=kind, actor=actor, detail=detail
                )
            )
