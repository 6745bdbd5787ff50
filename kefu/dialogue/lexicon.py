"""Word lists (data/dialogue/lexicon.json) and the small matchers the skills share."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kefu.resources import data_path

_CLAUSE = re.compile(r"[,.!?;:，。！？；：、…~]+")
_PUNCT = re.compile(r"[\s,.!?;:~\-，。！？；：、…“”\"'()（）\[\]【】]+")


def squeeze(text: str) -> str:
    """Lower-case text without spaces and punctuation: how short answers are compared."""
    return _PUNCT.sub("", text.lower())


class Lexicon:
    def __init__(self, path: Path | None = None) -> None:
        with (path or data_path("dialogue", "lexicon.json")).open(encoding="utf-8") as f:
            self.raw: dict[str, Any] = json.load(f)
        self._cover_cache: dict[tuple[str, tuple[str, ...]], bool] = {}

    def words(self, name: str) -> list[str]:
        words: list[str] = self.raw[name]
        return words

    def has(self, name: str, text: str) -> bool:
        lowered = text.lower()
        return any(w in lowered for w in self.words(name))

    def first(self, name: str, text: str) -> str | None:
        lowered = text.lower()
        return next((w for w in self.words(name) if w in lowered), None)

    def _covered(self, text: str, names: tuple[str, ...]) -> bool:
        """``text`` is nothing but words of the lists ``names`` and fillers, with at least one
        word of the first list: "好的改吧", "yes please", "不用了谢谢"; not "对了羽绒服到哪了"."""
        key = (text, names)
        found = self._cover_cache.get(key)
        if found is not None:
            return found
        main = {squeeze(w) for w in self.words(names[0])} - {""}
        extra = {squeeze(w) for name in (*names[1:], "fillers") for w in self.words(name)} - {""}
        longest = max(len(w) for w in main | extra)
        # reach[i]: (text[:i] is covered, it holds a main word)
        reach: list[tuple[bool, bool] | None] = [None] * (len(text) + 1)
        reach[0] = (True, False)
        for i in range(len(text)):
            here = reach[i]
            if here is None:
                continue
            for j in range(i + 1, min(len(text), i + longest) + 1):
                piece = text[i:j]
                if piece in main:
                    reach[j] = (True, True)
                elif piece in extra:
                    before = reach[j]
                    reach[j] = (True, here[1] or (before is not None and before[1]))
        end = reach[len(text)]
        covered = bool(text) and end is not None and end[1]
        if len(self._cover_cache) < 4096:
            self._cover_cache[key] = covered
        return covered

    def is_yes(self, text: str) -> bool:
        """A reply that only agrees (an irreversible action waits on it, so nothing else may
        ride along: "对了，羽绒服到哪了" is a new question, not a yes)."""
        short = squeeze(text)
        return not self.is_no(text) and self._covered(short, ("yes",))

    def is_no(self, text: str) -> bool:
        """A reply that declines: its first phrase is only "no" words ("算了，我再想想")."""
        if self.has("correction", text):
            return False  # "不对，是耳机那单" picks another order, it does not decline
        first = next((p for p in _CLAUSE.split(text.lower()) if p.strip()), "")
        return self._covered(squeeze(first), ("no",))

    def only(self, name: str, text: str) -> bool:
        """``text`` says nothing but words of the list ``name`` (and fillers)."""
        return self._covered(squeeze(text), (name,))

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
