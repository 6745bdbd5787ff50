"""From history to a staffing plan: forecast arrivals per hour, the share that reaches people,
the seats Erlang A says each hour needs, agents per hour and the shifts that cover them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kefu.analytics.campaigns import Calendar
from kefu.analytics.erlang_a import ErlangA, seats_needed
from kefu.analytics.hourly_forecast import Backtest, HourForecast, VolumeModel, backtest, fit
from kefu.analytics.shifts import ShiftPlan, plan_shifts


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the desk promises and how it works; defaults suit a chat desk on a campaign day."""

    people_share: float  # of arriving conversations, the share that reaches a person
    aht_s: float  # handle time of one chat (agents hold ``concurrency`` at once)
    patience_s: float = 180.0  # how long a chat customer waits on average before leaving
    concurrency: int = 3
    target_s: float = 60.0
    target_level: float = 0.8
    max_abandon: float = 0.05
    shift_hours: tuple[int, ...] = (8, 4)

    def to_dict(self) -> dict[str, object]:
        return {
            "people_share": round(self.people_share, 4),
            "aht_s": round(self.aht_s, 1),
            "patience_s": self.patience_s,
            "concurrency": self.concurrency,
            "target_s": self.target_s,
            "target_level": self.target_level,
            "max_abandon": self.max_abandon,
            "shift_hours": list(self.shift_hours),
        }


@dataclass(frozen=True)
class HourPlan:
    forecast: HourForecast
    to_people: float
    desk: ErlangA
    agents: int

    def to_dict(self) -> dict[str, object]:
        return {
            **self.forecast.to_dict(),
            "to_people": round(self.to_people, 2),
            "agents": self.agents,
            "seats": self.desk.seats,
            "service_level": round(self.desk.service_level, 4),
            "p_abandon": round(self.desk.p_abandon, 4),
        }


@dataclass(frozen=True)
class StaffPlan:
    inputs: PlanInputs
    model: VolumeModel
    hours: list[HourPlan]
    shifts: ShiftPlan
    backtest: Backtest | None

    def to_dict(self) -> dict[str, object]:
        return {
            "inputs": self.inputs.to_dict(),
            "model": self.model.describe(),
            "backtest": None if self.backtest is None else self.backtest.to_dict(),
            "hours": [h.to_dict() for h in self.hours],
            "shift_plan": self.shifts.to_dict(),
        }


def people_share(ai_share_pct: int, bot_handoff_rate: float) -> float:
    """Arrivals that reach people: the rollout's people side, plus the bot side's handoffs."""
    ai = min(100, max(0, ai_share_pct)) / 100
    return (1 - ai) + ai * min(1.0, max(0.0, bot_handoff_rate))


def agents_for(to_people_per_hour: float, inputs: PlanInputs) -> tuple[ErlangA, int]:
    desk = seats_needed(
        to_people_per_hour,
        inputs.aht_s,
        inputs.patience_s,
        target_s=inputs.target_s,
        target_level=inputs.target_level,
        max_abandon=inputs.max_abandon,
    )
    agents = 0 if to_people_per_hour == 0 else math.ceil(desk.seats / inputs.concurrency)
    return desk, agents


def make_plan(
    history: Mapping[datetime, int],
    calendar: Calendar,
    start: datetime,
    hours: int,
    inputs: PlanInputs,
    *,
    holdout_hours: int = 7 * 24,
) -> StaffPlan:
    """The plan for ``hours`` from ``start``; the backtest runs when the history is long enough
    to hold back ``holdout_hours`` and still fit a week before them."""
    model = fit(history, calendar, end=start)
    forecast = model.forecast(start, hours)
    planned = []
    for f in forecast:
        to_people = f.expected * inputs.people_share
        desk, agents = agents_for(to_people, inputs)
        planned.append(HourPlan(f, to_people, desk, agents))
    shifts = plan_shifts(start, [h.agents for h in planned], inputs.shift_hours)
    before = {at: n for at, n in history.items() if at < start}
    span_h = (max(before) - min(before)).total_seconds() / 3600 if before else 0
    tested = (
        backtest(before, calendar, holdout_hours=holdout_hours)
        if span_h >= holdout_hours + 7 * 24
        else None
    )
    return StaffPlan(inputs, model, planned, shifts, tested)


def short_hours(
    needed: Sequence[HourPlan], staffed: Mapping[datetime, int]
) -> list[tuple[datetime, int, int]]:
    """Hours where the forecast needs more agents than the plan on record puts on duty."""
    return [
        (h.forecast.at, h.agents, staffed.get(h.forecast.at, 0))
        for h in needed
        if h.agents > staffed.get(h.forecast.at, 0)
    ]
