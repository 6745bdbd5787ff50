"""Customer-facing desk messages from data/desk/messages.json, in the customer's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# the longest text that goes through the desk: a reply, a left message, a resolution, a comment
MAX_TEXT = 2000

_FALLBACK = {"zh-TW": ("zh-TW", "zh-CN", "en"), "en": ("en", "zh-CN")}


class _Blank(dict[str, Any]):
    """Leaves an unknown placeholder empty rather than failing a customer message."""

    def __missing__(self, key: str) -> str:
        return ""


def render(messages: Mapping[str, Any], path: str, lang: str, **values: Any) -> str:
    """The template at ``path`` (dot-separated) in ``lang`` with ``values`` filled in."""
    node: Any = messages
    for part in path.split("."):
        node = node[part]
    # a cross-border customer reads English before Chinese when their language has no text
    default = (lang, "zh-CN", "en") if lang.startswith("zh") else (lang, "en", "zh-CN")
    for candidate in _FALLBACK.get(lang, default):
        if candidate in node:
            return str(node[candidate]).format_map(_Blank(values)).strip()
    raise KeyError(f"no text for {path} in {lang}")
