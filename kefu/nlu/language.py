"""Language of a customer message: zh-CN, zh-TW (written in traditional characters) or en.

Toneless pinyin ("kuaidi dao na le", "tuikuan") is Chinese typed without an input method: the
customer reads Chinese, so it counts as zh-CN.
"""

from __future__ import annotations

import re

from kefu.nlu.pinyin import romanized_syllables

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# English words pinyin can also spell; a message made only of these is English ("he can", "china")
_ENGLISH_LOOKALIKES = frozenset(
    [
        "a",
        "an",
        "ban",
        "bang",
        "can",
        "change",
        "china",
        "den",
        "die",
        "fan",
        "gang",
        "hang",
        "he",
        "hen",
        "lie",
        "long",
        "man",
        "me",
        "men",
        "pen",
        "pie",
        "pin",
        "ran",
        "run",
        "she",
        "shun",
        "sun",
        "tan",
        "tie",
        "you",
        "zen",
        "ma",
        "pa",
        "ok",
    ]
)
_MIN_PINYIN_SYLLABLES = 2


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_pinyin(text: str) -> bool:
    """True when every Latin word is pinyin and not all of them are English lookalikes."""
    lowered = text.lower()
    sounds = romanized_syllables(lowered)
    if sounds is None or len(sounds) < _MIN_PINYIN_SYLLABLES:
        return False
    return any(w not in _ENGLISH_LOOKALIKES for w in re.findall(r"[a-z]+", lowered))


def detect_language(text: str, simplified: str) -> str:
    """`simplified` is `text` after OpenCC t2s: characters that change mark traditional writing."""
    han = sum(1 for ch in text if is_han(ch))
    latin_words = len(_LATIN_WORD.findall(text))
    if han == 0:
        if not latin_words or is_pinyin(text):
            return "zh-CN"
        return "en"
    if latin_words > han:
        return "en"
    changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
    return "zh-TW" if changed else "zh-CN"
