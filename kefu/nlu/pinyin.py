"""Pinyin: per-character readings of Chinese, and syllables of romanized Chinese (tuikuan).

Per-character pinyin is memoised: pypinyin's phrase machinery costs ~20 µs a call, a dict hit ~0.1.
Characters take their most common reading; training and prediction use the same function, so
the features agree even where a polyphone (还 hai/huan) is read the less likely way.

Customers who cannot or will not switch input method type toneless pinyin ("kuaidi dao na le",
"tuikuan"); splitting it into syllables lets it share the features of the characters it stands for.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import lazy_pinyin

from kefu.nlu.lexicon import nlu_data_dir

_LATIN_WORD = re.compile(r"[a-z]+")
_MAX_SYLLABLE = 6


@lru_cache(maxsize=32768)
def char_pinyin(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def syllables(han_text: str) -> list[str]:
    return [char_pinyin(ch) for ch in han_text]


@lru_cache(maxsize=1)
def _inventory() -> frozenset[str]:
    lines = (nlu_data_dir() / "pinyin_syllables.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=8192)
def split_word(word: str) -> tuple[str, ...] | None:
    """The fewest pinyin syllables that spell `word` exactly ("tuikuan" -> tui kuan), or None."""
    inventory = _inventory()
    n = len(word)
    # best[i]: fewest syllables spelling word[:i]; ties keep the split found first (longest-left)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        done = best[i]
        if done is None:
            continue
        for size in range(min(_MAX_SYLLABLE, n - i), 0, -1):
            piece = word[i : i + size]
            if piece in inventory:
                candidate = (*done, piece)
                current = best[i + size]
                if current is None or len(candidate) < len(current):
                    best[i + size] = candidate
    return best[n]


def romanized_syllables(text: str) -> list[str] | None:
    """Syllables of a message written wholly in pinyin, or None when any Latin word is not pinyin.

    All-or-nothing keeps English out: almost every English sentence has a word pinyin cannot spell
    ("tracking", "hello", "i"), while "zai ma" / "fahuo le ma" split cleanly.
    """
    words = _LATIN_WORD.findall(text)
    if not words:
        return None
    out: list[str] = []
    for word in words:
        parts = split_word(word)
        if parts is None:
            return None
        out.extend(parts)
    return out
