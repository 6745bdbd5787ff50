"""Agents' internal notes, whispers and tags on a conversation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select

from kefu.desk.ports import ConversationNote
from kefu.store.db import Database
from kefu.store.tables.notes import ConversationNoteRow, ConversationTagRow


class SqlNotes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        conversation_id: str,
        kind: str,
        author: str,
        text: str,
        at: datetime,
        to_agent: str | None = None,
    ) -> ConversationNote:
        note = ConversationNote(
            id="N" + uuid.uuid4().hex[:16].upper(),
            conversation_id=conversation_id,
            kind=kind,
            author=author,
            to_agent=to_agent,
            text=text,
            at=at,
        )
        with self.db.session() as s:
            s.add(
                ConversationNoteRow(
                    id=note.id,
                    conversation_id=conversation_id,
                    kind=kind,
                    author=author,
                    to_agent=to_agent,
                    text=text,
                    at=at,
                )
            )
        return note

    def of(self, conversation_id: str, limit: int = 200) -> list[ConversationNote]:
        with self.db.session() as s:
            rows = s.scalars(
                select(ConversationNoteRow)
                .where(ConversationNoteRow.conversation_id == conversation_id)
                .order_by(ConversationNoteRow.at, ConversationNoteRow.id)
                .limit(limit)
            ).all()
            return [
                ConversationNote(
                    id=r.id,
                    conversation_id=r.conversation_id,
                    kind=r.kind,
                    author=r.author,
                    to_agent=r.to_agent,
                    text=r.text,
                    at=r.at,
                )
                for r in rows
            ]

    def tags(self, conversation_id: str) -> list[str]:
        with self.db.session() as s:
            return list(
                s.scalars(
                    select(ConversationTagRow.tag)
                    .where(ConversationTagRow.conversation_id == conversation_id)
                    .order_by(ConversationTagRow.tag)
                ).all()
            )

    def set_tags(self, conversation_id: str, tags: list[str], by: str, at: datetime) -> None:
        """The conversation's tags become exactly ``tags`` (kept ones keep who added them)."""
        with self.db.session() as s:
            have = set(
                s.scalars(
                    select(ConversationTagRow.tag).where(
                        ConversationTagRow.conversation_id == conversation_id
                    )
                ).all()
            )
            gone = have - set(tags)
            if gone:
                s.execute(
                    delete(ConversationTagRow).where(
                        ConversationTagRow.conversation_id == conversation_id,
                        ConversationTagRow.tag.in_(gone),
                    )
                )
            for tag in tags:
                if tag not in have:
                    s.add(
                        ConversationTagRow(
                            conversation_id=conversation_id, tag=tag, added_by=by, at=at
                        )
                    )
