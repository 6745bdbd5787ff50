"""Text normalization: traditional to simplified, full-width to half-width, case, noise removal.

The normalized text keeps a map back to the original so entities can be reported as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kefu.nlu.language import detect_language
from kefu.texts.scripts import to_simplified

# Chinese punctuation that NFKC leaves alone but that means the same as its ASCII form.
_PUNCT_MAP = str.maketrans(
    {
        "，": ",",
        "。": ".",
        "、": ",",
        "【": "[",
        "】": "]",
        "「": '"',
        "」": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "《": "<",
        "》": ">",
        "～": "~",
        "…": ".",
        "—": "-",
        "·": " ",
    }
)
_COLLAPSIBLE = set("!?.,~-=*#^_;:'\"")
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "So", "Sk", "Mn", "Me"}


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    normalized: str
    lang: str
    # offsets[i] is the index in `original` of the character that produced normalized[i].
    offsets: tuple[int, ...] = ()

    def original_span(self, start: int, end: int) -> str:
        """The original text behind normalized[start:end] (as the customer wrote it)."""
        if not self.offsets or start >= end:
            return self.normalized[start:end]
        first = self.offsets[start]
        last = self.offsets[end - 1]
        return self.original[first : last + 1]


@lru_cache(maxsize=16384)
def _char_forms(ch: str) -> str:
    """Half-width, lower-case form of one character ('' when it is noise such as an emoji)."""
    if ch in "\n\t\r\u3000" or ch.isspace():
        return " "
    cat = unicodedata.category(ch)
    # Thai writes vowels and tones as combining marks: they are letters there, not decoration.
    if cat in _DROP_CATEGORIES and ch not in "¥$" and not "\u0e00" <= ch <= "\u0e7f":
        return ""
    out = unicodedata.normalize("NFKC", ch.translate(_PUNCT_MAP))
    return out.lower()


def normalize(text: str) -> Normalized:
    """Simplify, half-width, lower-case and de-noise `text`; detect its language."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        # Phrase-level conversion changed the length; convert char by char to keep offsets.
        simplified = "".join(to_simplified(c) or c for c in text)
        if len(simplified) != len(text):
            simplified = text
    lang = detect_language(text, simplified)
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(simplified):
        for out in _char_forms(ch):
            prev = chars[-1] if chars else " "
            if out == " " and prev == " ":
                continue
            # "!!!" / "？？？" / "。。。" carry no more meaning than one mark for understanding.
            if out in _COLLAPSIBLE and prev == out:
                continue
            chars.append(out)
            offsets.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    start = 1 if chars and chars[0] == " " else 0
    return Normalized(
        original=text,
        normalized="".join(chars[start:]),
        lang=lang,
        offsets=tuple(offsets[start:]),
    )
