"""Conversations per hour ahead: weekly seasonality times the campaign calendar's surges, with an
uncertainty band and a backtest that reports its own error (WAPE) on held-back history.

The model is deliberately simple, so a planner can check it by hand: a normal hour is the average
of the same weekday and hour over the last weeks (outside campaign windows); a campaign hour is
that times the window kind's multiplier, learned as actual / normal over past windows of the kind
when the history has them, else the calendar's configured one. The band comes from how far the
fitted history strayed from the model (its ratio quantiles), never narrower than Poisson noise.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from kefu.analytics.campaigns import Calendar, WindowKind
from kefu.texts.zone import DEFAULT_SHOP_TIMEZONE, shop_zone

HOUR = timedelta(hours=1)
# the default shop's zone, for code written against it (the planning report, tests); a model
# fitted without a zone of its own works in the configured shop's zone (kefu.texts.zone)
SHOP_TZ = ZoneInfo(DEFAULT_SHOP_TIMEZONE)
BAND_LOW_Q = 0.1  # an 80% band
BAND_HIGH_Q = 0.9
POISSON_Z = 1.2816  # the normal quantile of the same 80%


def floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class HourForecast:
    at: datetime  # the hour's start (aware, UTC)
    expected: float
    low: float
    high: float
    window: str | None = None  # "双11 campaign" when a calendar window shapes the hour

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "expected": round(self.expected, 2),
            "low": round(self.low, 2),
            "high": round(self.high, 2),
            "window": self.window,
        }


@dataclass(frozen=True)
class VolumeModel:
    profile: dict[tuple[int, int], float]  # (weekday, local hour) -> normal conversations
    hour_means: dict[int, float]  # local hour -> normal conversations, any weekday
    overall: float
    multipliers: dict[WindowKind, float]  # learned or configured, per window kind
    learned: dict[WindowKind, bool]
    ratio_band: tuple[float, float]  # quantiles of actual / normal over the fitted hours
    calendar: Calendar
    tz: ZoneInfo = field(default_factory=shop_zone)
    fitted_hours: int = 0

    def normal(self, hour: datetime) -> float:
        local = hour.astimezone(self.tz)
        key = (local.weekday(), local.hour)
        if key in self.profile:
            return self.profile[key]
        return self.hour_means.get(local.hour, self.overall)

    def multiplier_at(self, hour: datetime) -> tuple[float, str | None]:
        window = self.calendar.at(hour)
        if window is None:
            return 1.0, None
        learned = self.multipliers.get(window.kind)
        if learned is not None and self.learned.get(window.kind):
            return learned, f"{window.name} {window.kind.value}"
        if window.multiplier is not None:
            return window.multiplier, f"{window.name} {window.kind.value}"
        return self.multipliers.get(window.kind, 1.0), f"{window.name} {window.kind.value}"

    def forecast(self, start: datetime, hours: int) -> list[HourForecast]:
        first = floor_hour(start)
        found = []
        low_r, high_r = self.ratio_band
        for i in range(hours):
            at = first + i * HOUR
            mult, window = self.multiplier_at(at)
            expected = self.normal(at) * mult
            noise = POISSON_Z * math.sqrt(expected)
            low = max(0.0, min(expected * low_r, expected - noise))
            high = max(expected * high_r, expected + noise)
            found.append(HourForecast(at, expected, low, high, window))
        return found

    def describe(self) -> dict[str, object]:
        return {
            "fitted_hours": self.fitted_hours,
            "multipliers": {
                k.value: {"value": round(v, 3), "learned": self.learned.get(k, False)}
                for k, v in self.multipliers.items()
            },
            "band": {
                "low_ratio": round(self.ratio_band[0], 3),
                "high_ratio": round(self.ratio_band[1], 3),
            },
        }


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _dense(history: Mapping[datetime, int], end: datetime, weeks: int) -> dict[datetime, int]:
    """Every hour of the last ``weeks`` weeks before ``end``; an hour with no row had none."""
    start = max(min(history), end - timedelta(weeks=weeks)) if history else end
    start = floor_hour(start)
    hours = int((end - start) / HOUR)
    return {start + i * HOUR: int(history.get(start + i * HOUR, 0)) for i in range(hours)}


def fit(
    history: Mapping[datetime, int],
    calendar: Calendar,
    *,
    end: datetime | None = None,
    weeks: int = 4,
    tz: ZoneInfo | None = None,
) -> VolumeModel:
    """The model from hourly counts before ``end`` (default: after the last hour seen), by local
    hour in ``tz`` (default: the shop's zone)."""
    tz = tz or shop_zone()
    if not history:
        return VolumeModel({}, {}, 0.0, {}, {}, (1.0, 1.0), calendar, tz, 0)
    end = end or floor_hour(max(history)) + HOUR
    known = {floor_hour(at): n for at, n in history.items() if at < end}
    if not known:
        return VolumeModel({}, {}, 0.0, {}, {}, (1.0, 1.0), calendar, tz, 0)
    series = _dense(known, end, weeks)
    slots: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_hour: dict[int, list[int]] = defaultdict(list)
    for at, n in series.items():
        if calendar.at(at) is None:
            local = at.astimezone(tz)
            slots[(local.weekday(), local.hour)].append(n)
            by_hour[local.hour].append(n)
    normal_counts = [n for values in slots.values() for n in values]
    profile = {k: sum(v) / len(v) for k, v in slots.items()}
    hour_means = {k: sum(v) / len(v) for k, v in by_hour.items()}
    overall = sum(normal_counts) / len(normal_counts) if normal_counts else 0.0
    base = VolumeModel(profile, hour_means, overall, {}, {}, (1.0, 1.0), calendar, tz)

    # past windows over the whole history (not only the last weeks): campaigns are yearly
    actual: dict[tuple[str, WindowKind], float] = defaultdict(float)
    normal: dict[tuple[str, WindowKind], float] = defaultdict(float)
    for at, n in known.items():
        window = calendar.at(at)
        if window is not None:
            actual[(window.name + window.start.isoformat(), window.kind)] += n
            normal[(window.name + window.start.isoformat(), window.kind)] += base.normal(at)
    per_kind: dict[WindowKind, list[float]] = defaultdict(list)
    for key, total in actual.items():
        if normal[key] > 0:
            per_kind[key[1]].append(total / normal[key])
    multipliers = {kind: median(ratios) for kind, ratios in per_kind.items()}
    learned = {kind: True for kind in multipliers}

    ratios = [
        n / base.normal(at)
        for at, n in series.items()
        if calendar.at(at) is None and base.normal(at) > 0
    ]
    band = (_quantile(ratios, BAND_LOW_Q), _quantile(ratios, BAND_HIGH_Q)) if ratios else (1.0, 1.0)
    return VolumeModel(
        profile, hour_means, overall, multipliers, learned, band, calendar, tz, len(series)
    )


@dataclass(frozen=True)
class Backtest:
    holdout_start: datetime
    hours: int
    actual_total: int
    wape: float | None  # sum |actual - forecast| / sum actual; None without actual volume
    band_coverage: float | None  # share of held-back hours inside the band
    forecast: list[HourForecast] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "holdout_start": self.holdout_start.isoformat(),
            "hours": self.hours,
            "actual_total": self.actual_total,
            "wape": None if self.wape is None else round(self.wape, 4),
            "band_coverage": None if self.band_coverage is None else round(self.band_coverage, 4),
        }


def backtest(
    history: Mapping[datetime, int],
    calendar: Calendar,
    *,
    holdout_hours: int = 7 * 24,
    weeks: int = 4,
    tz: ZoneInfo | None = None,
) -> Backtest:
    """Fit on all but the last ``holdout_hours`` and score the forecast of those hours."""
    if not history:
        raise ValueError("no history to backtest on")
    end = floor_hour(max(history)) + HOUR
    cut = end - holdout_hours * HOUR
    model = fit(history, calendar, end=cut, weeks=weeks, tz=tz)
    predicted = model.forecast(cut, holdout_hours)
    actual = [int(history.get(f.at, 0)) for f in predicted]
    total = sum(actual)
    errors = sum(abs(a - f.expected) for a, f in zip(actual, predicted, strict=True))
    inside = sum(1 for a, f in zip(actual, predicted, strict=True) if f.low <= a <= f.high)
    return Backtest(
        holdout_start=cut,
        hours=holdout_hours,
        actual_total=total,
        wape=errors / total if total else None,
        band_coverage=inside / holdout_hours if holdout_hours else None,
        forecast=predicted,
    )
