"""Internal notes, tags and whispers on a conversation (agents only; never shown to customers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends

from kefu.api.auth import current_agent, get_desk
from kefu.api.routes.agent import current_supervisor
from kefu.api.schemas.desk import NoteIn, NoteOut, NotesOut, TagsIn, TagsOut, error_responses
from kefu.desk.service import Desk
from kefu.domain.desk import Agent

router = APIRouter(prefix="/api/v1/agent", tags=["agent"])


def _now() -> datetime:
    return datetime.now(UTC)


@router.get(
    "/conversations/{conversation_id}/notes",
    response_model=NotesOut,
    responses=error_responses(401, 403, 404),
)
def list_notes(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    desk.check_access(agent, conversation_id)
    return {
        "notes": desk.notes.of(conversation_id),
        "tags": desk.notes.tags(conversation_id),
    }


@router.post(
    "/conversations/{conversation_id}/notes",
    status_code=201,
    response_model=NoteOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def add_note(
    conversation_id: str,
    body: NoteIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return desk.notes.add(agent, conversation_id, body.text, _now())


@router.put(
    "/conversations/{conversation_id}/tags",
    response_model=TagsOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def put_tags(
    conversation_id: str,
    body: TagsIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return {"tags": desk.notes.set_tags(agent, conversation_id, body.tags, _now())}


@router.post(
    "/supervisor/conversations/{conversation_id}/whisper",
    status_code=201,
    response_model=NoteOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def whisper(
    conversation_id: str,
    body: NoteIn,
    supervisor: Agent = Depends(current_supervisor),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return desk.notes.whisper(supervisor, conversation_id, body.text, _now())
