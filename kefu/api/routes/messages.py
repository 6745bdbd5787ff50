"""``POST /api/v1/messages``, the customer's conversations and the customer's view of one
(contract 3 and 5)."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from kefu.api.deps import get_kefu
from kefu.api.schemas import ConversationOut, ErrorOut, HistoryMessageOut, MessageIn, MessageOut
from kefu.config import Mode
from kefu.dialogue import Dialogue, Turn, TurnResult
from kefu.dialogue.errors import InvalidMessage
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.limits import check_address, check_customer
from kefu.wiring import Kefu

router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 404, 413, 422, 429, 503)
}


async def get_dialogue(request: Request) -> Dialogue:
    dialogue: Dialogue = request.app.state.kefu.dialogue
    return dialogue


def _turn_threads(request: Request, kefu: Kefu) -> ThreadPoolExecutor:
    """The threads that run this app's turns, as many as turns may run at once (made on first
    use, kept on the app, shut down with it). A plain executor rather than anyio's thread pool
    with a limiter: the hop costs a turn about 25 µs of CPU instead of about 65."""
    found: ThreadPoolExecutor | None = getattr(request.app.state, "turn_threads", None)
    if found is None:
        found = request.app.state.turn_threads = ThreadPoolExecutor(
            kefu.settings.turns_at_once, thread_name_prefix="kefu-turn"
        )
    return found


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _wire(result: TurnResult) -> bytes:
    return orjson.dumps(result.to_wire())


@router.post(
    "/api/v1/messages",
    response_model=MessageOut,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MessageIn.model_json_schema()}},
        }
    },
)
async def post_message(request: Request, kefu: Kefu = Depends(get_kefu)) -> Response:
    # parsed here rather than by FastAPI: a client that forgets the JSON content type still gets
    # an answer, and pydantic reads the bytes directly
    try:
        body = MessageIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        raise InvalidMessage(_describe(exc)) from None
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
        # identify_customer verified the token when one came: that is a proven identity
        identity_proven=token is not None and customer_id is not None,
    )
    load = kefu.load
    with load.admit():  # 503 before anything is stored when the worker cannot keep up

        def run() -> bytes:
            # limits per client address, and per customer once the turn knows who it is (shared
            # state: may be Redis I/O)
            check_address(kefu, request, "messages")
            with load.measure():
                return _wire(kefu.dialogue.handle(turn, admit=partial(check_customer, kefu)))

        # a turn reads and writes the database: off the event loop, a bounded number at a time
        # (on SQLite one: concurrent writers would only wait on the file lock)
        # the request's context (its id in every log line of the turn) goes with it
        threads, context = _turn_threads(request, kefu), contextvars.copy_context()
        content = await asyncio.get_running_loop().run_in_executor(threads, context.run, run)
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
    response_model_exclude_none=True,
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
