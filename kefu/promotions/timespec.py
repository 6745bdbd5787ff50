"""Times written relative to a moment: ``"-2d"``, ``"-2d+10m"``, ``"-1d12h"`` (units d, h, m).

Demo data is written relative to the moment it is loaded so the campaign is always "on"; a term
without its own sign takes the sign before it, so ``"-1d12h"`` is a day and a half before.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_TERM = re.compile(r"([+-]?)(\d+)([dhm])")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}


def parse_offset(spec: str) -> timedelta:
    """The signed duration of an offset spec; ``ValueError`` for anything else."""
    text = spec.strip()
    if text in {"now", "0", ""}:
        return timedelta(0)
    pos = 0
    sign = 1
    total = timedelta(0)
    for match in _TERM.finditer(text):
        if match.start() != pos:
            break
        if match.group(1):
            sign = -1 if match.group(1) == "-" else 1
        total += sign * int(match.group(2)) * _UNITS[match.group(3)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        raise ValueError(f"not a time offset: {spec!r} (expected e.g. '-2d', '-2d+10m', '+1d12h')")
    return total


def resolve_time(spec: str, anchor: datetime) -> datetime:
    """An offset spec or an ISO 8601 time as an aware UTC datetime."""
    try:
        return (anchor + parse_offset(spec)).astimezone(UTC)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(spec)
    except ValueError as exc:
        raise ValueError(f"not a time: {spec!r} (an offset like '-2d+10m' or ISO 8601)") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"time without a time zone: {spec!r}")
    return parsed.astimezone(UTC)
