"""``POST /api/v1/nlu/parse``: what the bot understands from one text, without a conversation.

The dialogue's own NLU answers, so the result is exactly what a message would be routed by.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from kefu.api.deps import get_kefu
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


def _text(body: Any, limit: int) -> str:
    if not isinstance(body, dict):
        raise InvalidMessage('the body must be a JSON object {"text": "..."}')
    text = body.get("text")
    if text is None:
        raise InvalidMessage("text is required")
    if not isinstance(text, str):
        raise InvalidMessage("text must be a string")
    text = text.replace("\x00", "")
    if not text.strip():
        raise InvalidMessage("text must not be empty")
    if len(text) > limit:
        raise MessageTooLong(f"text is longer than {limit} characters")
    return text


_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}


@router.post(
    "/parse",
    dependencies=[Depends(address_limit("nlu"))],
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _TEXT}}}
    },
)
async def parse(request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    # the body is read by hand so a missing or non-string text gets the messages API's errors
    raw = await request.body()
    limit = kefu.settings.max_message_chars
    if len(raw) > limit * 8 + 1024:  # far beyond any text within the limit, even escaped
        raise MessageTooLong(f"text is longer than {limit} characters")
    try:
        body = json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidMessage("the body must be JSON") from None
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
