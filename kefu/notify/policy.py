"""The notice rules as data (data/notify/policy.json): quiet hours, caps, WeChat's window."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.resources import data_path


class NoticeCategory(StrEnum):
    ORDER_PLACED = "order_placed"
    ORDER_PAID = "order_paid"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    STALLED = "stalled"
    REFUND_COMPLETED = "refund_completed"
    BALANCE_DUE = "balance_due"
    GROUP_BUY_FAILED = "group_buy_failed"
    SATISFACTION = "satisfaction"


class Suppression(StrEnum):
    """Why a notice was not sent (the dashboard counts each)."""

    OPTED_OUT = "opted_out"
    FREQUENCY_CAP = "frequency_cap"
    WECHAT_WINDOW = "wechat_window"
    NO_CUSTOMER = "no_customer"


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class NoticePolicy:
    service_categories: frozenset[NoticeCategory]
    quiet_start: time
    quiet_end: time
    default_time_zone: str
    non_service_per_day: int
    wechat_window: timedelta
    stalled_after: timedelta
    channel_preference: tuple[str, ...]
    out_for_delivery_words: tuple[str, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> NoticePolicy:
        with (path or data_path("notify", "policy.json")).open(encoding="utf-8") as f:
            raw: dict[str, Any] = json.load(f)
        return cls(
            service_categories=frozenset(NoticeCategory(c) for c in raw["service_categories"]),
            quiet_start=_clock(raw["quiet_hours"]["start"]),
            quiet_end=_clock(raw["quiet_hours"]["end"]),
            default_time_zone=str(raw["default_time_zone"]),
            non_service_per_day=int(raw["non_service_per_day"]),
            wechat_window=timedelta(hours=float(raw["wechat_window_hours"])),
            stalled_after=timedelta(hours=float(raw["stalled_after_hours"])),
            channel_preference=tuple(raw["channel_preference"]),
            out_for_delivery_words=tuple(w.lower() for w in raw["out_for_delivery_words"]),
        )

    def is_service(self, category: NoticeCategory) -> bool:
        return category in self.service_categories

    def zone(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.default_time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(self.default_time_zone)

    def quiet_until(self, now: datetime, time_zone: str | None) -> datetime | None:
        """The end of the quiet hours ``now`` falls in, in the customer's zone; None outside."""
        if self.quiet_start == self.quiet_end:
            return None
        local = now.astimezone(self.zone(time_zone))
        clock = local.time()
        wraps = self.quiet_start > self.quiet_end  # 22:00-08:00 spans midnight
        if wraps:
            quiet = clock >= self.quiet_start or clock < self.quiet_end
        else:
            quiet = self.quiet_start <= clock < self.quiet_end
        if not quiet:
            return None
        end = local.replace(
            hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0
        )
        if end <= local:
            end += timedelta(days=1)
        return end

    def mentions_out_for_delivery(self, description: str) -> bool:
        text = description.lower()
        return any(word in text for word in self.out_for_delivery_words)
