"""What a channel adapter says on its own (data/channels/messages.json), in the customer's
language: welcomes and answers to message types the bot cannot read."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from kefu.desk.texts import render
from kefu.resources import data_path


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    with data_path("channels", "messages.json").open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def channel_text(key: str, lang: str, **values: Any) -> str:
    """The text at ``key`` (dot-separated, e.g. ``wechat.welcome``) in ``lang``."""
    return render(_messages(), key, lang, **values)
