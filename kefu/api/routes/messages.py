"""``POST /api/v1/messages``, the customer's conversations and the customer's view of one
(contract 3 and 5)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from kefu.api.deps import get_kefu
from kefu.api.errors import TooManyRequests
from kefu.api.identity import identify_customer, token_from
from kefu.api.schemas import ConversationOut, ErrorOut, HistoryMessageOut, MessageIn, MessageOut
from kefu.config import Mode
from kefu.dialogue import Dialogue, Turn, TurnResult
from kefu.wiring import Kefu

router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 404, 413, 422, 429, 503)
}


def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.kefu.dialogue
    return dialogue


def _limit_customer(kefu: Kefu, turn: Turn) -> None:
    """Per customer, across workers (shared state): one runaway client cannot flood the bot."""
    who = turn.customer_id if isinstance(turn.customer_id, str) else turn.channel_user_id
    if not isinstance(who, str) or not who:
        return  # the dialogue refuses the turn itself with a 4xx
    limit = kefu.settings.customer_messages_per_minute
    if not kefu.state.allow(f"messages:{turn.channel}:{who}", limit, 60):
        raise TooManyRequests(f"at most {limit} messages a minute; please wait a moment")


def _wire(result: TurnResult) -> bytes:
    return orjson.dumps(result.to_wire())


@router.post("/api/v1/messages", response_model=MessageOut, responses=_ERRORS)
async def post_message(
    body: MessageIn, request: Request, kefu: Kefu = Depends(get_kefu)
) -> Response:
    # production: the signed customer token decides who this is (demo: the claimed id, unchanged);
    # a visitor without one may only be a guest
    token = token_from(request, body.token)
    guest_only = (
        token is None
        and kefu.settings.mode is Mode.PRODUCTION
        and body.customer_id is None
        and body.channel_user_id is not None
    )
    customer_id = None if guest_only else identify_customer(kefu.settings, body.customer_id, token)
    turn = Turn(
        channel=body.channel,
        text=body.text,
        customer_id=customer_id,
        channel_user_id=body.channel_user_id,
        conversation_id=body.conversation_id,
        guest_only=guest_only,
    )
    _limit_customer(kefu, turn)
    load = kefu.load
    with load.admit():  # 503 before anything is stored when the worker cannot keep up

        def run() -> bytes:
            with load.measure():
                return _wire(kefu.dialogue.handle(turn))

        # a turn reads and writes the database: keep it off the event loop
        content = await run_in_threadpool(run)
    return Response(content, media_type="application/json")


@router.get(
    "/api/v1/conversations",
    response_model=list[ConversationOut],
    responses=_ERRORS,
)
async def customer_conversations(
    request: Request, dialogue: Dialogue = Depends(get_dialogue)
) -> list[dict[str, Any]]:
    customer_id = identify_customer(
        request.app.state.kefu.settings,
        request.query_params.get("customer_id"),
        token_from(request),
    )
    return await run_in_threadpool(dialogue.conversations, customer_id)


@router.get(
    "/api/v1/conversations/{conversation_id}/messages",
    response_model=list[HistoryMessageOut],
    responses=_ERRORS,
)
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
