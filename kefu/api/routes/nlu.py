"""``POST /api/v1/nlu/parse``: what the bot understands from one text, without a conversation.

The dialogue's own NLU answers, so the result is exactly what a message would be routed by.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kefu.api.deps import get_kefu
from kefu.api.schemas.shop import ParseIn, ParseOut, errors, json_body
from kefu.dialogue.errors import InvalidMessage, MessageTooLong
from kefu.edge.limits import address_limit
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1/nlu", tags=["nlu"])


def _plain(value: Any) -> Any:
    """Entity values as the contract writes them: amounts as strings, dates as ISO days."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _invalid(error: ErrorDetails) -> InvalidMessage:
    """The messages API's words for the first thing wrong with the body."""
    if error["type"] == "json_invalid":
        return InvalidMessage("the body must be JSON")
    if not error["loc"]:
        return InvalidMessage('the body must be a JSON object {"text": "..."}')
    if error["type"] == "missing" or error["input"] is None:
        return InvalidMessage("text is required")
    return InvalidMessage("text must be a string")


def _text(body: ParseIn, limit: int) -> str:
    text = body.text.replace("\x00", "")
    if not text.strip():
        raise InvalidMessage("text must not be empty")
    if len(text) > limit:
        raise MessageTooLong(f"text is longer than {limit} characters")
    return text


@router.post(
    "/parse",
    dependencies=[Depends(address_limit("nlu"))],
    response_model=ParseOut,
    responses=errors(413, 422, 429),
    openapi_extra=json_body(ParseIn),
)
async def parse(request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    # parsed here rather than by FastAPI so a missing or non-string text gets the messages API's
    # errors (and a client that forgets the JSON content type still gets an answer)
    raw = await request.body()
    limit = kefu.settings.max_message_chars
    if len(raw) > limit * 8 + 1024:  # far beyond any text within the limit, even escaped
        raise MessageTooLong(f"text is longer than {limit} characters")
    try:
        body = ParseIn.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise _invalid(exc.errors()[0]) from None
    text = _text(body, limit)
    # the NLU is loaded on first use and parsing is CPU work: both off the event loop
    u = await run_in_threadpool(lambda: kefu.dialogue.nlu.parse(text))
    return {
        "intent": u.intent,
        "confidence": round(float(u.confidence), 4),
        "entities": {str(k): _plain(v) for k, v in u.entities.items()},
        "sentiment": u.sentiment,
        "lang": u.lang,
        "normalized": u.normalized,
    }
