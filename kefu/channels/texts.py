"""What a channel adapter says on its own (data/channels/messages.json), in the customer's
language: welcomes and answers to message types the bot cannot read."""

from __future__ import annotations

from typing import Any

from kefu.texts.templates import leaf_text, load_json


def channel_text(key: str, lang: str, **values: Any) -> str:
    """The text at ``key`` (dot-separated, e.g. ``wechat.welcome``) in ``lang``."""
    return leaf_text(load_json("channels", "messages.json"), key, lang, **values).strip()
