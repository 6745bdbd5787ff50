"""A shift plan that covers the agents needed each hour with the fewest agent-hours.

Shifts have fixed lengths (say 4 and 8 hours) and may start on any hour of the horizon; choosing
how many agents start which shift when is a small integer covering problem, solved exactly with
the HiGHS solver that SciPy ships (``scipy.optimize.milp``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Shift:
    start: datetime
    hours: int
    agents: int

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start.isoformat(), "hours": self.hours, "agents": self.agents}


@dataclass(frozen=True)
class ShiftPlan:
    start: datetime
    needed: list[int]  # agents needed per hour from ``start``
    shifts: list[Shift]

    @property
    def staffed(self) -> list[int]:
        """Agents on duty per hour under the plan."""
        on_duty = [0] * len(self.needed)
        for s in self.shifts:
            first = int((s.start - self.start) / HOUR)
            for h in range(first, min(len(on_duty), first + s.hours)):
                on_duty[h] += s.agents
        return on_duty

    @property
    def agent_hours(self) -> int:
        return sum(s.hours * s.agents for s in self.shifts)

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "needed": self.needed,
            "staffed": self.staffed,
            "agent_hours": self.agent_hours,
            "needed_agent_hours": sum(self.needed),
            "shifts": [s.to_dict() for s in self.shifts],
        }


def plan_shifts(
    start: datetime, needed: Sequence[int], shift_hours: Sequence[int] = (8, 4)
) -> ShiftPlan:
    """The cheapest set of shifts (in agent-hours) with at least ``needed[h]`` agents each hour.

    A shift may start before the horizon's end and run past it (its hours there count too: the
    agent is paid for them); it may not start before the horizon.
    """
    lengths = sorted({int(h) for h in shift_hours})
    if not lengths or lengths[0] < 1:
        raise ValueError("shift lengths must be whole hours ≥ 1")
    if any(n < 0 for n in needed):
        raise ValueError("agents needed must not be negative")
    horizon = len(needed)
    if horizon == 0 or max(needed) == 0:
        return ShiftPlan(start, list(needed), [])
    options = [(first, length) for length in lengths for first in range(horizon)]
    cover = np.zeros((horizon, len(options)))
    for j, (first, length) in enumerate(options):
        cover[first : min(horizon, first + length), j] = 1
    # agent-hours first; among plans with equal hours, fewer people (longer shifts) win
    per_person = 1.0 / (len(options) * max(needed) + 1)
    cost = np.array([length + per_person for _, length in options], dtype=float)
    result = milp(
        c=cost,
        constraints=LinearConstraint(cover, lb=np.array(needed, dtype=float), ub=np.inf),
        integrality=np.ones(len(options), dtype=np.int8),  # every option is a whole number
        bounds=Bounds(0, np.inf),
    )
    if not result.success or result.x is None:
        raise RuntimeError(f"no shift plan found: {result.message}")
    shifts = [
        Shift(start + first * HOUR, length, round(float(count)))
        for (first, length), count in zip(options, result.x, strict=True)
        if round(float(count)) > 0
    ]
    shifts.sort(key=lambda s: (s.start, -s.hours))
    return ShiftPlan(start, list(needed), shifts)
