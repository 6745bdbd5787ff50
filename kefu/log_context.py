"""What a log line is about, carried by context variables: the request (set by the API's request
id middleware) and the conversation (set by the dialogue for the length of a turn). A module of
its own so the core can name the conversation without knowing how logs are written."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
conversation_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "conversation_id", default="-"
)


@contextmanager
def about_conversation(conversation_id: str) -> Iterator[None]:
    """Log lines written inside carry ``conversation_id``."""
    token = conversation_id_var.set(conversation_id)
    try:
        yield
    finally:
        conversation_id_var.reset(token)
