"""Features for the intent classifier: character n-grams, words and pinyin.

Character n-grams carry most of the signal for short Chinese messages; words add phrase-level
meaning; pinyin syllable pairs make homophone typos (退宽 tui kuan = 退款 tui kuan) look alike.
"""

from __future__ import annotations

import itertools
import re

from kefu.nlu.language import is_han
from kefu.nlu.pinyin import syllables

_CHUNK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:['\-][a-z0-9]+)*")
_EN_SUFFIXES = ("ing", "ed", "es", "s")


def _stem(word: str) -> str:
    for suffix in _EN_SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def extract_features(canonical: str, tokens: list[str]) -> list[str]:
    """Feature strings of one message (duplicates count as term frequency)."""
    feats: list[str] = []
    for chunk in _CHUNK.findall(canonical):
        if is_han(chunk[0]):
            n = len(chunk)
            for size in (1, 2, 3):
                for i in range(n - size + 1):
                    feats.append("c:" + chunk[i : i + size])
            sounds = syllables(chunk)
            feats.extend("p:" + a + "_" + b for a, b in itertools.pairwise(sounds))
        else:
            padded = f" {chunk} "
            for size in (3, 4):
                for i in range(len(padded) - size + 1):
                    feats.append("e:" + padded[i : i + size])
    words = [_stem(t) if t.isascii() else t for t in tokens]
    feats.extend("w:" + w for w in words)
    feats.extend("b:" + a + "_" + b for a, b in itertools.pairwise(words))
    if not words:
        feats.append("empty")
    return feats
