"""The staffing plan of the running service: its history, its rollout, its calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kefu.analytics.campaigns import load_calendar
from kefu.analytics.hourly_forecast import floor_hour
from kefu.analytics.planning import StaffPlan, make_plan, short_hours
from kefu.ops.alerts import raise_alert
from kefu.ops.host import Host
from kefu.store.planning_repo import SqlPlanning

# how far ahead the staff check looks: enough to call people in
LOOKAHEAD_H = 4


def plan_for(kefu: Host, start: datetime, hours: int, **inputs: Any) -> StaffPlan:
    """Forecast, agents per hour and shifts for ``hours`` from ``start`` (an hour boundary)."""
    planning = SqlPlanning(kefu.db)
    first = floor_hour(start)
    return make_plan(
        planning.history(first),
        load_calendar(),
        first,
        hours,
        planning.inputs(first, kefu.rollout.config().ai_share, **inputs),
    )


def adopt(kefu: Host, plan: StaffPlan, at: datetime, by: str) -> None:
    """Record the plan's agents on duty per hour: the staff check compares against it."""
    start = plan.shifts.start
    on_duty = {start + timedelta(hours=i): n for i, n in enumerate(plan.shifts.staffed)}
    SqlPlanning(kefu.db).save_staffing(on_duty, at, by)


def check_staff_short(kefu: Host, now: datetime) -> int:
    """Alert when the forecast for the next hours needs more agents than the plan on record;
    returns the number of new alerts (one per short hour, ever)."""
    start = floor_hour(now) + timedelta(hours=1)
    plan = plan_for(kefu, start, LOOKAHEAD_H)
    staffed = SqlPlanning(kefu.db).staffed(start, start + timedelta(hours=LOOKAHEAD_H))
    raised = 0
    for hour, needed, on_duty in short_hours(plan.hours, staffed):
        detail = {"hour": hour.isoformat(), "agents_needed": needed, "agents_planned": on_duty}
        if raise_alert(kefu, f"staff_short:{hour.isoformat()}", "staff_short", now, detail):
            raised += 1
    return raised
