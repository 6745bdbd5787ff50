"""Language of a customer message: zh-CN, zh-TW (written in traditional characters) or en.

Toneless pinyin ("kuaidi dao na le", "tuikuan") is Chinese typed without an input method: the
customer reads Chinese, so it counts as zh-CN.
"""

from __future__ import annotations

import re

from kefu.nlu.pinyin import split_word

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Many single English words are pinyin-spellable ("human" hu man, "sure" su re, "name" na me), so a
# message counts as pinyin only with two or more words, none spelt with a syllable that pinyin
# typists hardly write alone but English endings produce ("re", "ce", "se", "te", "o"), and not
# made only of English lookalikes ("he can", "china man").
_ENGLISH_ENDINGS = frozenset({"a", "e", "o", "re", "ce", "se", "te"})
_ENGLISH_LOOKALIKES = frozenset(
    {
        "an", "ban", "bang", "can", "change", "china", "den", "die", "fan", "gang", "hang", "he",
        "hen", "lie", "long", "man", "me", "men", "pen", "pie", "pin", "ran", "run", "she", "shun",
        "sun", "tan", "tie", "you", "zen",
    }
)  # fmt: skip
_MIN_PINYIN_WORDS = 2


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_pinyin(text: str) -> bool:
    """True when the message reads as toneless pinyin rather than English (see above)."""
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < _MIN_PINYIN_WORDS:
        return False
    for word in words:
        parts = split_word(word)
        if parts is None or any(p in _ENGLISH_ENDINGS for p in parts):
            return False
    return any(w not in _ENGLISH_LOOKALIKES for w in words)


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
