"""Reply templates per language: zh-CN and en from data files, zh-TW converted with OpenCC."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import opencc

from kefu.resources import data_path

SHOP_TZ = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=1)
def _s2twp() -> opencc.OpenCC:
    # Taiwan phrasing (e.g. 软件 -> 軟體), not just a character map
    return opencc.OpenCC("s2twp")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=8192)
def to_taiwan(text: str) -> str:
    return str(_s2twp().convert(text))


@lru_cache(maxsize=8192)
def script_neutral(text: str) -> bool:
    """True when the text reads the same in simplified and traditional characters."""
    return str(_s2t().convert(text)) == text


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def has_traditional(text: str) -> bool:
    """True when some character is written in its traditional form."""
    return str(_t2s().convert(text)) != text


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:  # a missing fact shows as nothing, never a crash
        return ""


class Templates:
    """``render(lang, key, **facts)`` with ``str.format_map``; keys are dotted paths."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or data_path("dialogue")
        self._by_lang: dict[str, dict[str, Any]] = {}
        for lang in ("zh-CN", "en"):
            with (directory / f"templates.{lang}.json").open(encoding="utf-8") as f:
                self._by_lang[lang] = json.load(f)

    def raw(self, lang: str, key: str) -> Any:
        base = "en" if lang == "en" else "zh-CN"
        node: Any = self._by_lang[base]
        for part in key.split("."):
            node = node[part]
        return node

    def render(self, lang: str, key: str, **facts: Any) -> str:
        template = self.raw(lang, key)
        if isinstance(template, list):
            template = template[0]
        text = str(template).format_map(_Facts(facts))
        return to_taiwan(text) if lang == "zh-TW" else text

    def localize(self, lang: str, text: str) -> str:
        """Text written in zh-CN (a product name, a KB answer) in the customer's script."""
        return to_taiwan(text) if lang == "zh-TW" else text

    def time(self, lang: str, at: datetime | None) -> str:
        if at is None:
            return ""
        local = at.astimezone(SHOP_TZ)
        fmt = "%b %d %H:%M" if lang == "en" else "%m月%d日 %H:%M"
        return local.strftime(fmt)
