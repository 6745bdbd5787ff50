"""Notes, whispers and tags: what the people at the desk tell each other about a conversation.

None of it is a message: it is stored apart from the conversation's messages, so nothing the
customer can read (history, socket, channels) ever carries it. Whoever may read the conversation
may read and write its notes and tags; a whisper is a supervisor's note to the agent serving the
chat, announced on that agent's console.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kefu.desk.access import CheckAccess
from kefu.desk.errors import Invalid, NotAllowed, WrongState
from kefu.desk.events import agent_channel, is_supervisor
from kefu.desk.outbox import Outbox
from kefu.desk.ports import ConversationNote, Notes, SeatState
from kefu.domain.desk import Agent

MAX_NOTE = 1000
MAX_TAG = 12  # characters: a tag is a word or two (退款纠纷, VIP投诉), not a sentence
MAX_TAGS = 10


def _text(text: str) -> str:
    clean = text.strip() if isinstance(text, str) else ""
    if not clean or len(clean) > MAX_NOTE:
        raise Invalid(f"text must be 1 to {MAX_NOTE} characters")
    return clean


def note_dict(note: ConversationNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "author": note.author,
        "to_agent": note.to_agent,
        "text": note.text,
        "at": note.at.isoformat(),
    }


class DeskNotes:
    def __init__(self, *, store: Notes | None, check_access: CheckAccess, outbox: Outbox) -> None:
        self.store = store  # None: a desk without notes reads none and refuses to write
        self.check_access = check_access
        self.outbox = outbox

    def _store(self) -> Notes:
        if self.store is None:
            raise WrongState("notes are not available on this desk")
        return self.store

    def add(self, agent: Agent, conversation_id: str, text: str, at: datetime) -> dict[str, Any]:
        self.check_access(agent, conversation_id)
        note = self._store().add(conversation_id, "note", agent.id, _text(text), at)
        return note_dict(note)

    def whisper(
        self, supervisor: Agent, conversation_id: str, text: str, at: datetime
    ) -> dict[str, Any]:
        """A supervisor's word to the agent serving the chat (the customer never sees it)."""
        if not is_supervisor(supervisor):
            raise NotAllowed("only a supervisor whispers")
        _, entry = self.check_access(supervisor, conversation_id)
        if entry.state != SeatState.ACTIVE or entry.agent_id is None:
            raise WrongState("nobody is serving this conversation to whisper to")
        note = self._store().add(
            conversation_id, "whisper", supervisor.id, _text(text), at, to_agent=entry.agent_id
        )
        shown = note_dict(note)
        self.outbox.publish(
            agent_channel(entry.agent_id),
            {"type": "whisper", "conversation_id": conversation_id, **shown},
        )
        return shown

    def of(self, conversation_id: str) -> list[dict[str, Any]]:
        """The notes and whispers of a conversation (the caller checked access)."""
        if self.store is None:
            return []
        return [note_dict(n) for n in self.store.of(conversation_id)]

    def tags(self, conversation_id: str) -> list[str]:
        return self.store.tags(conversation_id) if self.store is not None else []

    def set_tags(
        self, agent: Agent, conversation_id: str, tags: list[str], at: datetime
    ) -> list[str]:
        self.check_access(agent, conversation_id)
        clean: list[str] = []
        for tag in tags:
            word = tag.strip() if isinstance(tag, str) else ""
            if not word or len(word) > MAX_TAG:
                raise Invalid(f"each tag must be 1 to {MAX_TAG} characters")
            if word not in clean:
                clean.append(word)
        if len(clean) > MAX_TAGS:
            raise Invalid(f"at most {MAX_TAGS} tags")
        self._store().set_tags(conversation_id, clean, agent.id, at)
        return self.tags(conversation_id)
