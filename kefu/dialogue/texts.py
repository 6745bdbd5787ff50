"""Reply templates per language: zh-CN and en from data files, zh-TW converted with OpenCC, and
the cross-border languages from their own files (data/dialogue/templates.<lang>.json).

A cross-border language's file need not hold every key: a reply it lacks is the English one,
introduced by that file's `fallback_note` so the customer knows why it is in English.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import opencc

from kefu.dialogue.locale import format_time
from kefu.resources import data_path

SHOP_TZ = ZoneInfo("Asia/Shanghai")
_BASE = ("zh-CN", "en")
_FALLBACK_NOTE = "fallback_note"


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
        for path in sorted(directory.glob("templates.*.json")):
            lang = path.name.removeprefix("templates.").removesuffix(".json")
            with path.open(encoding="utf-8") as f:
                self._by_lang[lang] = json.load(f)
        missing = [lang for lang in _BASE if lang not in self._by_lang]
        if missing:
            raise FileNotFoundError(f"templates for {missing} missing in {directory}")

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages replies are written in (zh-TW through zh-CN)."""
        return ("zh-CN", "zh-TW", *(lang for lang in self._by_lang if lang != "zh-CN"))

    def _base(self, lang: str) -> str:
        if lang.startswith("zh"):
            return "zh-CN"
        return lang if lang in self._by_lang else "en"

    @staticmethod
    def _lookup(node: Any, key: str) -> Any:
        for part in key.split("."):
            node = node[part]
        return node

    def raw(self, lang: str, key: str) -> Any:
        base = self._base(lang)
        if base not in _BASE:
            try:
                return self._lookup(self._by_lang[base], key)
            except (KeyError, TypeError):
                base = "en"
        return self._lookup(self._by_lang[base], key)

    def has(self, lang: str, key: str) -> bool:
        """True when the customer's own language has this reply (not an English stand-in)."""
        if self._base(lang) in _BASE:
            return True
        try:
            self._lookup(self._by_lang[self._base(lang)], key)
        except (KeyError, TypeError):
            return False
        return True

    def render(self, lang: str, key: str, **facts: Any) -> str:
        template = self.raw(lang, key)
        if isinstance(template, list):
            template = template[0]
        text = str(template).format_map(_Facts(facts))
        return to_taiwan(text) if lang == "zh-TW" else text

    def say(self, lang: str, key: str, **facts: Any) -> str:
        """A whole reply: `render`, introduced by the fallback note when it had to be English."""
        text = self.render(lang, key, **facts)
        return text if self.has(lang, key) else self.foreign(lang, text)

    def foreign(self, lang: str, text: str) -> str:
        """A reply not written in the customer's cross-border language (an English template, a
        knowledge answer the shop wrote in Chinese and English), saying so first."""
        base = self._base(lang)
        if base in _BASE:
            return text
        note = self._by_lang[base].get(_FALLBACK_NOTE, "")
        return f"{note} {text}" if note else text

    def localize(self, lang: str, text: str) -> str:
        """Text written in zh-CN (a product name, a KB answer) in the customer's script."""
        return to_taiwan(text) if lang == "zh-TW" else text

    def time(self, lang: str, at: datetime | None, timezone: str | None = None) -> str:
        """`at` in the customer's zone (the shop's unless their profile names one)."""
        if at is None:
            return ""
        return format_time(at, lang, timezone)
