"""The shop's campaign calendar: campaign days, presale and balance-payment windows.

Each window may carry a configured volume multiplier; the forecast replaces it with one learned
from past windows of the same kind when the history has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from kefu.resources import data_path

CALENDAR = data_path("ops") / "campaigns.json"


class WindowKind(StrEnum):
    CAMPAIGN = "campaign"  # the day itself (双11, 618): midnight rush, orders, coupons
    PRESALE = "presale"  # deposits paid weeks before
    BALANCE = "balance"  # the balance payment window, often the campaign's first hours


@dataclass(frozen=True, slots=True)
class CampaignWindow:
    name: str
    kind: WindowKind
    start: datetime  # aware
    end: datetime  # aware, exclusive
    multiplier: float | None = None  # configured surge over a normal hour; None: learn it

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class Calendar:
    windows: tuple[CampaignWindow, ...] = ()

    def at(self, hour: datetime) -> CampaignWindow | None:
        """The window in force at ``hour``; the campaign day beats presale and balance."""
        found = [w for w in self.windows if w.covers(hour)]
        if not found:
            return None
        order = {WindowKind.CAMPAIGN: 0, WindowKind.BALANCE: 1, WindowKind.PRESALE: 2}
        return min(found, key=lambda w: order[w.kind])


def parse_calendar(raw: Iterable[dict[str, Any]]) -> Calendar:
    windows = []
    for item in raw:
        start = datetime.fromisoformat(str(item["start"]))
        end = datetime.fromisoformat(str(item["end"]))
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError(f"campaign window {item['name']}: times need a UTC offset")
        if end <= start:
            raise ValueError(f"campaign window {item['name']}: end before start")
        multiplier = item.get("multiplier")
        if multiplier is not None and float(multiplier) <= 0:
            raise ValueError(f"campaign window {item['name']}: multiplier must be positive")
        windows.append(
            CampaignWindow(
                name=str(item["name"]),
                kind=WindowKind(item["kind"]),
                start=start,
                end=end,
                multiplier=None if multiplier is None else float(multiplier),
            )
        )
    return Calendar(tuple(sorted(windows, key=lambda w: w.start)))


def load_calendar(path: Path = CALENDAR) -> Calendar:
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    return parse_calendar(data["windows"])
