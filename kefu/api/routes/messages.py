"""``POST /api/v1/messages`` and the customer's view of a conversation (contract 3)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from kefu.api.identity import identify_customer, token_from
from kefu.api.limits import check_message
from kefu.dialogue import Dialogue, Turn
from kefu.dialogue.errors import InvalidMessage

router = APIRouter()

_FIELDS = ("channel", "text", "customer_id", "channel_user_id", "conversation_id")


def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.kefu.dialogue
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
    # production: the signed customer token decides who this is (demo: the claimed id, unchanged)
    token = token_from(request, body.get("token"))
    body["customer_id"] = identify_customer(
        request.app.state.kefu.settings, body.get("customer_id"), token
    )
    turn = Turn(**{name: body.get(name) for name in _FIELDS})
    await run_in_threadpool(
        check_message,
        request.app.state.kefu,
        request,
        turn.channel,
        turn.customer_id,
        turn.channel_user_id,
    )
    # a turn reads and writes the database: keep it off the event loop
    result = await run_in_threadpool(dialogue.handle, turn)
    return result.to_wire()


@router.get("/api/v1/conversations/{conversation_id}/messages")
async def conversation_messages(
    conversation_id: str,
    request: Request,
    dialogue: Dialogue = Depends(get_dialogue),
) -> list[dict[str, Any]]:
    customer_id = identify_customer(
        request.app.state.kefu.settings,
        request.query_params.get("customer_id"),
        token_from(request),
    )
    return await run_in_threadpool(dialogue.history, conversation_id, customer_id)
