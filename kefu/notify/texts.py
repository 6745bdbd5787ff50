"""Notice texts from data/notify/notices.{zh-CN,en}.json; zh-TW converted like the replies."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from kefu.resources import data_path
from kefu.texts.scripts import to_taiwan


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=2)
def _load(base: str) -> dict[str, str]:
    with data_path("notify", f"notices.{base}.json").open(encoding="utf-8") as f:
        raw: dict[str, str] = json.load(f)
    return raw


def render_notice(lang: str, key: str, **facts: Any) -> str:
    # notices exist in Chinese and English; cross-border customers read the English ones
    base = "zh-CN" if lang.startswith("zh") else "en"
    text = _load(base)[key].format_map(_Facts(facts))
    return to_taiwan(text) if lang == "zh-TW" else text
