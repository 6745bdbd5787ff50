"""``POST /api/v1/messages`` and the customer's view of a conversation (contract 3)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from kefu.dialogue import Dialogue, Turn
from kefu.dialogue.errors import InvalidMessage

router = APIRouter()

_FIELDS = ("channel", "text", "customer_id", "channel_user_id", "conversation_id")


def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.kefu.components["dialogue"]
    return dialogue


@router.post("/api/v1/messages")
async def post_message(
    request: Request, dialogue: Dialogue = Depends(get_dialogue)
) -> dict[str, Any]:
    # read by hand: a text that is not a string, or a missing field, gets the dialogue's own error
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidMessage("the body must be JSON") from exc
    if not isinstance(body, dict):
        raise InvalidMessage('the body must be {"channel", "customer_id", "text", ...}')
    turn = Turn(**{name: body.get(name) for name in _FIELDS})
    # a turn reads and writes the database: keep it off the event loop
    result = await run_in_threadpool(dialogue.handle, turn)
    return result.to_wire()


@router.get("/api/v1/conversations/{conversation_id}/messages")
async def conversation_messages(
    conversation_id: str,
    request: Request,
    dialogue: Dialogue = Depends(get_dialogue),
) -> list[dict[str, Any]]:
    customer_id = request.query_params.get("customer_id")
    return await run_in_threadpool(dialogue.history, conversation_id, customer_id)
