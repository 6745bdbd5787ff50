"""Language of a customer message: zh-CN, zh-TW (written in traditional characters) or en."""

from __future__ import annotations

import re

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def detect_language(text: str, simplified: str) -> str:
    """`simplified` is `text` after OpenCC t2s: characters that change mark traditional writing."""
    han = sum(1 for ch in text if is_han(ch))
    latin_words = len(_LATIN_WORD.findall(text))
    if han == 0:
        return "en" if latin_words else "zh-CN"
    if latin_words > han:
        return "en"
    changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
    return "zh-TW" if changed else "zh-CN"
