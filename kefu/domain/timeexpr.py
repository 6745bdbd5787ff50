"""Relative time expressions of seed files: '-3d', '-1d12h', '-2d+10m', '+21h'."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_PART = re.compile(r"([+-]?)(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_offset(expr: str) -> timedelta:
    """'-1d12h' is one and a half days back: a sign carries to the parts after it."""
    text = expr.strip()
    if text in ("", "now", "0"):
        return timedelta()
    text = text.removeprefix("now")
    pos, sign, total = 0, 1, timedelta()
    for m in _PART.finditer(text):
        if m.start() != pos:
            raise ValueError(f"bad time offset: {expr!r}")
        if m.group(1):
            sign = -1 if m.group(1) == "-" else 1
        total += sign * timedelta(**{_UNITS[m.group(3)]: int(m.group(2))})
        pos = m.end()
    if pos != len(text):
        raise ValueError(f"bad time offset: {expr!r}")
    return total


def resolve(expr: str, now: datetime) -> datetime:
    return now + parse_offset(expr)
