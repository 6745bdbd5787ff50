"""Word lists (data/dialogue/lexicon.json) and the small matchers the skills share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kefu.resources import data_path

_PUNCT = re.compile(r"[\s,.!?;:~\-，。！？；：、…“”\"'()（）\[\]【】]+")


def squeeze(text: str) -> str:
    """Lower-case text without spaces and punctuation: how short answers are compared."""
    return _PUNCT.sub("", text.lower())


class Lexicon:
    def __init__(self, path: Path | None = None) -> None:
        with (path or data_path("dialogue", "lexicon.json")).open(encoding="utf-8") as f:
            self.raw: dict[str, Any] = json.load(f)

    def words(self, name: str) -> list[str]:
        words: list[str] = self.raw[name]
        return words

    def has(self, name: str, text: str) -> bool:
        lowered = text.lower()
        return any(w in lowered for w in self.words(name))

    def first(self, name: str, text: str) -> str | None:
        lowered = text.lower()
        return next((w for w in self.words(name) if w in lowered), None)

    def _short_answer(self, name: str, text: str) -> bool:
        short = squeeze(text)
        words = [squeeze(w) for w in self.words(name)]
        if short in words:
            return True
        # a short reply that starts with the word ("好的，改吧" / "yes please")
        return len(short) <= 8 and any(w and short.startswith(w) for w in words)

    def is_yes(self, text: str) -> bool:
        return not self._short_answer("no", text) and self._short_answer("yes", text)

    def is_no(self, text: str) -> bool:
        return self._short_answer("no", text)

    def ordinal(self, text: str) -> int | None:
        """0-based choice from "第二个" / "the second one" / a bare "2"."""
        short = squeeze(text)
        if short.isdigit() and 1 <= int(short) <= 9:
            return int(short) - 1
        lowered = text.lower()
        for index, words in enumerate(self.raw["ordinals"]):
            if any(w in lowered for w in words):
                return index
        return None

    def topic(self, group: str, text: str) -> list[str]:
        """Names under ``group`` (a dict of name -> words) whose words occur in ``text``."""
        lowered = text.lower()
        table: dict[str, list[str]] = self.raw[group]
        return [name for name, words in table.items() if any(w in lowered for w in words)]
