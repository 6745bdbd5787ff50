"""Peak forecast: the busiest hour seen, scaled by a promotion's surge (双11 brings 5-10x),
and the agents that peak needs once the bot has answered what it can."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kefu.analytics.staffing import Staffing, agents_needed


def hourly_arrivals(starts: Iterable[datetime]) -> dict[datetime, int]:
    """Arrivals per clock hour (the hour's start, UTC)."""
    return dict(Counter(at.replace(minute=0, second=0, microsecond=0) for at in starts))


@dataclass(frozen=True, slots=True)
class PeakForecast:
    baseline_peak_per_hour: float  # the busiest hour seen in the window
    surge: float
    peak_per_hour: float  # conversations arriving in the forecast peak hour
    handoff_rate: float
    to_agents_per_hour: float  # of those, how many reach a person
    staffing: Staffing

    def to_dict(self) -> dict[str, object]:
        return {
            "baseline_peak_per_hour": round(self.baseline_peak_per_hour, 2),
            "surge": self.surge,
            "peak_per_hour": round(self.peak_per_hour, 2),
            "handoff_rate": round(self.handoff_rate, 4),
            "to_agents_per_hour": round(self.to_agents_per_hour, 2),
            "staffing": self.staffing.to_dict(),
        }


def forecast_peak(
    hourly: dict[datetime, int],
    *,
    surge: float,
    handoff_rate: float,
    aht_s: float,
    target_s: float = 30.0,
    target_level: float = 0.8,
    concurrency: int = 3,
    floor_per_hour: float = 0.0,
) -> PeakForecast:
    """Agents needed in the forecast peak hour.

    ``floor_per_hour`` is the planner's own estimate of a normal peak, used when the history is
    thinner than that (a new shop, or a quiet demo database).
    """
    if surge <= 0:
        raise ValueError("surge must be positive")
    if not 0 <= handoff_rate <= 1:
        raise ValueError("handoff rate must be between 0 and 1")
    baseline = max(max(hourly.values(), default=0), floor_per_hour)
    peak = baseline * surge
    to_agents = peak * handoff_rate
    staffing = agents_needed(
        to_agents, aht_s, target_s=target_s, target_level=target_level, concurrency=concurrency
    )
    return PeakForecast(baseline, surge, peak, handoff_rate, to_agents, staffing)
