"""Customer-facing desk messages from data/desk/messages.json, in the customer's language (the
one fallback rule of kefu.texts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kefu.texts.templates import leaf_text

# the longest text that goes through the desk: a reply, a left message, a resolution, a comment
MAX_TEXT = 2000


def render(messages: Mapping[str, Any], path: str, lang: str, **values: Any) -> str:
    """The template at ``path`` (dot-separated) in ``lang`` with ``values`` filled in."""
    return leaf_text(messages, path, lang, **values).strip()
