"""Sentiment (negative / neutral / positive) and an anger score 0..1 from lexicons and marks."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from kefu.nlu.lexicon import load_json

_EXCLAIM_RUN = re.compile(r"[!！]{2,}")
_QUESTION_RUN = re.compile(r"[?？]{3,}")
_ANGRY_EMOJI = set("😡😠🤬💢👎😤🖕")
_HAPPY_EMOJI = set("😊😀😁😄🙂👍❤😍🥰👌🙏🌹")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
_NEGATION_WINDOW = 12  # characters before an English word; 3 before a Chinese one


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # "negative" | "neutral" | "positive"
    anger: float


def _alternation(words: list[str]) -> re.Pattern[str]:
    """One regex for a word list: English words whole, Chinese words anywhere; longest first."""
    parts = []
    for w in sorted(words, key=len, reverse=True):
        esc = re.escape(w)
        parts.append(rf"(?<![a-z]){esc}(?![a-z])" if w.isascii() else esc)
    return re.compile("|".join(parts))


@dataclass(frozen=True, slots=True)
class _Lexicons:
    anger_weights: dict[str, float]
    anger: re.Pattern[str]
    negative: re.Pattern[str]
    positive: re.Pattern[str]
    negators: re.Pattern[str]


@lru_cache(maxsize=1)
def _lexicons() -> _Lexicons:
    raw = load_json("sentiment.json")
    weights = {k.lower(): float(v) for k, v in raw["anger"].items()}
    return _Lexicons(
        anger_weights=weights,
        anger=_alternation(list(weights)),
        negative=_alternation([w.lower() for w in raw["negative"]]),
        positive=_alternation([w.lower() for w in raw["positive"]]),
        negators=_alternation([w.lower() for w in raw["negators"]]),
    )


def analyze_sentiment(original: str, normalized: str) -> Sentiment:
    """`original` keeps the emoji and exclamation runs that normalization removes."""
    lex = _lexicons()
    raw_anger = sum(lex.anger_weights[w] for w in set(lex.anger.findall(normalized)))
    raw_anger += 0.2 * len(_EXCLAIM_RUN.findall(original))
    raw_anger += 0.1 * len(_QUESTION_RUN.findall(original))
    raw_anger += 0.3 * sum(1 for ch in original if ch in _ANGRY_EMOJI)
    raw_anger += 0.15 * min(3, len(_CAPS_WORD.findall(original)))
    anger = round(1.0 - math.exp(-1.2 * raw_anger), 3)
    negative = len(lex.negative.findall(normalized)) + 2 * raw_anger
    positive = sum(1 for ch in original if ch in _HAPPY_EMOJI)
    for m in lex.positive.finditer(normalized):
        # "不满意" / "not happy": a negator just before a positive word turns it around.
        reach = _NEGATION_WINDOW if m.group().isascii() else 3
        window = lex.positive.sub(" ", normalized[max(0, m.start() - reach) : m.start()])
        if lex.negators.search(window):
            negative += 1
        else:
            positive += 1
    if anger >= 0.3 or negative > positive:
        label = "negative"
    elif positive > negative:
        label = "positive"
    else:
        label = "neutral"
    return Sentiment(label, anger)
