"""``POST /api/v1/messages`` and the customer's view of a conversation (contract 3)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from kefu.api.errors import TooManyRequests
from kefu.api.identity import identify_customer, token_from
from kefu.dialogue import Dialogue, Turn
from kefu.dialogue.errors import InvalidMessage

router = APIRouter()

_FIELDS = ("channel", "text", "customer_id", "channel_user_id", "conversation_id")


def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.kefu.dialogue
    return dialogue


def _limit_customer(request: Request, turn: Turn) -> None:
    """Per customer, across workers (shared state): one runaway client cannot flood the bot."""
    who = turn.customer_id if isinstance(turn.customer_id, str) else turn.channel_user_id
    if not isinstance(who, str) or not who:
        return  # the dialogue refuses the turn itself with a 4xx
    kefu = request.app.state.kefu
    limit = kefu.settings.customer_messages_per_minute
    if not kefu.state.allow(f"messages:{turn.channel}:{who}", limit, 60):
        raise TooManyRequests(f"at most {limit} messages a minute; please wait a moment")


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
    _limit_customer(request, turn)
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


@router.get("/api/v1/conversations")
async def customer_conversations(
    request: Request, dialogue: Dialogue = Depends(get_dialogue)
) -> list[dict[str, Any]]:
    customer_id = identify_customer(
        request.app.state.kefu.settings,
        request.query_params.get("customer_id"),
        token_from(request),
    )
    return await run_in_threadpool(dialogue.conversations, customer_id)
