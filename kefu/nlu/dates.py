"""Dates as customers write them (今天, 11月11日, 2026-11-11, nov 11, 3天前) -> ISO date strings."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from kefu.nlu.lexicon import load_json
from kefu.nlu.numerals import NUMERAL_CHARS, parse_chinese_number

_FULL = re.compile(r"(?<!\d)(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY_ZH = re.compile(
    rf"(?<![\d{NUMERAL_CHARS}])([\d{NUMERAL_CHARS}]{{1,3}})月([\d{NUMERAL_CHARS}]{{1,3}})[日号]?"
)
_DAY_ZH = re.compile(r"(?<![\d月双./\-])(\d{1,2})[号日](?![码])")
_AGO_ZH = re.compile(rf"([\d{NUMERAL_CHARS}]{{1,3}})\s*天前")
_AGO_EN = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven) days? ago\b")
_MONTHS_EN = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY_EN = re.compile(rf"\b{_MONTHS_EN}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_DAY_MONTH_EN = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS_EN}")
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@lru_cache(maxsize=1)
def _rules() -> tuple[list[tuple[str, int]], dict[str, int]]:
    raw = load_json("entities.json")
    relative = sorted(raw["relative_days"].items(), key=lambda kv: -len(kv[0]))
    return relative, dict(raw["months_en"])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _num(text: str) -> int | None:
    return _EN_NUMBERS.get(text) or parse_chinese_number(text)


def find_date(text: str, today: date) -> tuple[int, str] | None:
    """(position, ISO date) of the first date mentioned in normalized `text`."""
    relative, months = _rules()
    hits: list[tuple[int, date]] = []
    for m in _FULL.finditer(text):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            hits.append((m.start(), d))
    for m in _MONTH_DAY_ZH.finditer(text):
        mon, day = _num(m.group(1)), _num(m.group(2))
        d = _safe_date(today.year, mon, day) if mon and day else None
        if d:
            hits.append((m.start(), d))
    for m in _MONTH_DAY_EN.finditer(text):
        d = _safe_date(today.year, months[m.group(1)[:3]], int(m.group(2)))
        if d:
            hits.append((m.start(), d))
    for m in _DAY_MONTH_EN.finditer(text):
        d = _safe_date(today.year, months[m.group(2)[:3]], int(m.group(1)))
        if d:
            hits.append((m.start(), d))
    if not hits:
        for m in _DAY_ZH.finditer(text):
            d = _safe_date(today.year, today.month, int(m.group(1)))
            if d:
                hits.append((m.start(), d))
    for word, offset in relative:
        pos = text.find(word)
        if pos >= 0 and not (word.isascii() and _inside_word(text, pos, len(word))):
            hits.append((pos, today + timedelta(days=offset)))
    for pat in (_AGO_ZH, _AGO_EN):
        for m in pat.finditer(text):
            n = _num(m.group(1))
            if n is not None:
                hits.append((m.start(), today - timedelta(days=n)))
    if not hits:
        return None
    pos, d = min(hits, key=lambda h: h[0])
    return pos, d.isoformat()


def _inside_word(text: str, pos: int, size: int) -> bool:
    before = text[pos - 1] if pos > 0 else " "
    after = text[pos + size] if pos + size < len(text) else " "
    return (before.isalnum() and before.isascii()) or (after.isalnum() and after.isascii())


def local_today(now: datetime, timezone: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(timezone)).date()
