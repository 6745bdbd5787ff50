"""Notes, whispers and tags: what the people at the desk tell each other about a conversation.

None of it is a message: it is stored apart from the conversation's messages, so nothing the
customer can read (history, socket, channels) ever carries it. Whoever may read the conversation
may read and write its notes and tags; a whisper is a supervisor's note to the agent serving the
chat, announced on that agent's console.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from kefu.desk.errors import Invalid, NotAllowed, WrongState
from kefu.desk.events import agent_channel, is_supervisor
from kefu.desk.ports import ConversationNote, Notes, SeatState
from kefu.domain.desk import Agent

if TYPE_CHECKING:
    from kefu.desk.service import Desk

MAX_NOTE = 1000
MAX_TAG = 12  # characters: a tag is a word or two (退款纠纷, VIP投诉), not a sentence
MAX_TAGS = 10


def _store(desk: Desk) -> Notes:
    if desk.notes is None:
        raise WrongState("notes are not available on this desk")
    return desk.notes


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


def add_note(
    desk: Desk, agent: Agent, conversation_id: str, text: str, at: datetime
) -> dict[str, Any]:
    desk.check_access(agent, conversation_id)
    note = _store(desk).add(conversation_id, "note", agent.id, _text(text), at)
    return note_dict(note)


def whisper(
    desk: Desk, supervisor: Agent, conversation_id: str, text: str, at: datetime
) -> dict[str, Any]:
    """A supervisor's word to the agent serving the chat (the customer never sees it)."""
    if not is_supervisor(supervisor):
        raise NotAllowed("only a supervisor whispers")
    _, entry = desk.check_access(supervisor, conversation_id)
    if entry.state != SeatState.ACTIVE or entry.agent_id is None:
        raise WrongState("nobody is serving this conversation to whisper to")
    note = _store(desk).add(
        conversation_id, "whisper", supervisor.id, _text(text), at, to_agent=entry.agent_id
    )
    shown = note_dict(note)
    desk.publish(
        agent_channel(entry.agent_id),
        {"type": "whisper", "conversation_id": conversation_id, **shown},
    )
    return shown


def notes_of(desk: Desk, conversation_id: str) -> list[dict[str, Any]]:
    """The notes and whispers of a conversation (the caller checked access)."""
    if desk.notes is None:
        return []
    return [note_dict(n) for n in desk.notes.of(conversation_id)]


def tags_of(desk: Desk, conversation_id: str) -> list[str]:
    return desk.notes.tags(conversation_id) if desk.notes is not None else []


def set_tags(
    desk: Desk, agent: Agent, conversation_id: str, tags: list[str], at: datetime
) -> list[str]:
    desk.check_access(agent, conversation_id)
    clean: list[str] = []
    for tag in tags:
        word = tag.strip() if isinstance(tag, str) else ""
        if not word or len(word) > MAX_TAG:
            raise Invalid(f"each tag must be 1 to {MAX_TAG} characters")
        if word not in clean:
            clean.append(word)
    if len(clean) > MAX_TAGS:
        raise Invalid(f"at most {MAX_TAGS} tags")
    _store(desk).set_tags(conversation_id, clean, agent.id, at)
    return tags_of(desk, conversation_id)
