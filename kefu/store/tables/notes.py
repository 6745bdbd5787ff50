"""What agents write about a conversation for each other, never for the customer: internal notes,
a supervisor's whispers to the agent serving the chat, and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.store.encrypted import EncryptedText
from kefu.store.tables.base import Base


class ConversationNoteRow(Base):
    __tablename__ = "conversation_notes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # note | whisper
    author: Mapped[str] = mapped_column(String(32))
    to_agent: Mapped[str | None] = mapped_column(String(32), default=None)
    # notes repeat what customers said (phones, addresses): encrypted at rest like the messages
    text: Mapped[str] = mapped_column(EncryptedText("conversation_notes.text"))
    at: Mapped[datetime]


class ConversationTagRow(Base):
    __tablename__ = "conversation_tags"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(24), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
