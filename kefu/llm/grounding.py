"""Whether a model's rewrite says only what the shop's answer says.

kefu's answers are exact because they come from the shop's data and the promotion engine; a
rewrite may change the words, never a fact. Every number, amount, date, order id, tracking number,
coupon code, link and product name in the rewrite must appear in the facts the model was given,
no promise (a refund, a gift, a delivery day) may appear that the answer does not make, and an
answer that refuses or limits something must still do so. Anything else: the template is sent.

The check is deliberately strict: a good rewrite lost costs a little warmth, a wrong price sent
costs the shop money and the customer's trust.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from kefu.resources import data_path

# ids, tracking numbers, coupon and rule codes, models: a letter before a digit (E2026111100001,
# SF1234567890, X12), a long run of digits (a courier's number), or upper-case words joined by
# hyphens (CPN-STORE-50, SECOND-HALF-TEE). A figure with its unit (128GB, 1.5kg, 48h) is a number.
_TOKEN = re.compile(r"(?<![A-Za-z0-9-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![A-Za-z0-9-])")
_LETTER_THEN_DIGIT = re.compile(r"[A-Za-z][A-Za-z0-9-]*\d")
_UPPER = re.compile(r"[A-Z]")


def _is_code(token: str) -> bool:
    return bool(
        _LETTER_THEN_DIGIT.search(token)
        or (token.isdigit() and len(token) >= 8)
        or ("-" in token and _UPPER.search(token) and not token.replace("-", "").isdigit())
    )


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# a number written in Chinese figures with what it counts (三百元, 两天, 七折): may only repeat
# what the answer says, figure for figure
_HAN_NUMBER = re.compile(
    r"[零〇一二两三四五六七八九十百千万]+(?=\s*(?:元|块|天|日|号|月|年|件|个|小时|分钟|折|%|％|倍|单))"
)
# a figure and what it counts: "12月1日" rewritten "1月12日" keeps both figures but not their roles
_WITH_UNIT = re.compile(
    r"(\d+(?:[.,]\d+)*)\s?(元|块|天|日|号|月|年|件|小时|分钟|折|%|％|倍|"
    r"yuan|days?|hours?|minutes?|months?|years?|pieces?|items?)(?![A-Za-z])",
    re.IGNORECASE,
)
_SAME_UNIT = {"块": "元", "号": "日", "％": "%"}
_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b", re.IGNORECASE)
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    reason: str = ""  # a metric label when not ok: number, code, product, promise, negation, …
    detail: str = ""  # what was wrong, for the log (never the customer)


@dataclass(frozen=True)
class GroundingRules:
    promises: dict[str, tuple[str, ...]]
    negations: dict[str, tuple[str, ...]]
    number_words: dict[str, float]
    max_growth: float
    max_extra_chars: int

    @classmethod
    def load(cls) -> GroundingRules:
        return _load_rules()


@lru_cache(maxsize=1)
def _load_rules() -> GroundingRules:
    raw: dict[str, Any] = json.loads(data_path("llm", "grounding.json").read_text("utf-8"))
    return GroundingRules(
        promises={k: tuple(v) for k, v in raw["promises"].items()},
        negations={k: tuple(v) for k, v in raw["negations"].items()},
        number_words={str(k): float(v) for k, v in raw["number_words"]["en"].items()},
        max_growth=float(raw["max_growth"]),
        max_extra_chars=int(raw["max_extra_chars"]),
    )


def _number_key(raw: str) -> str | None:
    """One spelling per value: "158.00", "158" and "1,580" → "158", "158", "1580"."""
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def codes(text: str) -> set[str]:
    return {m.group(0).upper() for m in _TOKEN.finditer(text) if _is_code(m.group(0))}


def _without_codes(text: str) -> str:
    return _TOKEN.sub(lambda m: " " if _is_code(m.group(0)) else m.group(0), text)


def numbers(text: str, words: dict[str, float] | None = None) -> set[str]:
    """Values of the numbers in ``text`` (codes left out: their digits are not amounts)."""
    plain = _without_codes(text)
    found = {k for k in (_number_key(m.group(0)) for m in _NUMBER.finditer(plain)) if k}
    if words:
        for word in _WORD.findall(plain.lower()):
            if word in words:
                found.add(format(Decimal(str(words[word])).normalize(), "f"))
    return found


def _units(text: str) -> tuple[dict[str, set[str]], set[str]]:
    """Each figure's units in ``text``, and the figures written without one."""
    plain = _without_codes(text)
    units: dict[str, set[str]] = {}
    for m in _WITH_UNIT.finditer(plain):
        key = _number_key(m.group(1))
        if key is not None:
            unit = m.group(2).lower().rstrip("s") if m.group(2).isascii() else m.group(2)
            units.setdefault(key, set()).add(_SAME_UNIT.get(unit, unit))
    bare = set()
    for m in _NUMBER.finditer(_WITH_UNIT.sub(" ", plain)):
        key = _number_key(m.group(0))
        if key is not None:
            bare.add(key)
    return units, bare


def _lang_group(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _has_any(text: str, phrases: Iterable[str]) -> set[str]:
    return {p for p in phrases if p in text}


def check(
    rewrite: str,
    answer: str,
    facts: Sequence[str],
    lang: str,
    product_names: Iterable[str] = (),
    rules: GroundingRules | None = None,
    *,
    keeps_refusals: bool = True,
) -> Verdict:
    """Whether ``rewrite`` may be sent in place of ``answer`` (built from ``facts``).

    ``keeps_refusals`` off where ``answer`` is not one answer but a whole chat (an agent's draft):
    a refusal somewhere in it need not be repeated."""
    rules = rules or GroundingRules.load()
    text = rewrite.strip()
    if not text:
        return Verdict(False, "empty")
    if len(text) > len(answer) * rules.max_growth + rules.max_extra_chars:
        return Verdict(False, "length", f"{len(text)} characters for {len(answer)}")
    if lang == "en" and _HAN.search(text):
        return Verdict(False, "language", "Chinese in an English answer")
    if lang != "en" and not _HAN.search(text):
        return Verdict(False, "language", "no Chinese in a Chinese answer")
    source = "\n".join([answer, *facts])
    source_upper = source.upper()
    source_lower = source.lower()

    for code in codes(text):
        if code not in source_upper:
            return Verdict(False, "code", code)
    allowed = numbers(source, rules.number_words)
    for value in numbers(text, rules.number_words if lang == "en" else None):
        if value not in allowed:
            return Verdict(False, "number", value)
    source_units, source_bare = _units(source)
    for value, units in _units(text)[0].items():
        known = source_units.get(value)
        if known and value not in source_bare and not units <= known:
            return Verdict(False, "number", f"{value} {'/'.join(sorted(units))}")
    for match in _HAN_NUMBER.finditer(text):
        if match.group(0) not in source:
            return Verdict(False, "number", match.group(0))
    for link in _LINK.findall(text):
        if link.lower().rstrip(".,;)") not in source_lower:
            return Verdict(False, "link", link)

    lowered = text.lower()
    for name in product_names:
        key = name.strip().lower()
        # short names ("T恤", "X12") are caught as codes or would match inside other words
        if len(key) >= 2 and key in lowered and key not in source_lower:
            return Verdict(False, "product", name)

    group = _lang_group(lang)
    added = _has_any(lowered, rules.promises.get(group, ())) - _has_any(
        source_lower, rules.promises.get(group, ())
    )
    if added:
        return Verdict(False, "promise", ", ".join(sorted(added)))
    negations = rules.negations.get(group, ())
    if keeps_refusals and _has_any(answer.lower(), negations) and not _has_any(lowered, negations):
        return Verdict(False, "negation", "the answer's refusal or condition is gone")
    return Verdict(True)
