"""The planner's inputs from the database (arrivals per hour, handle times, handoff share) and
the shift plan the shop adopted, hour by hour."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from kefu.analytics.planning import PlanInputs, people_share
from kefu.analytics.staffing import handle_time_s
from kefu.store.analytics_repo import SqlAnalytics
from kefu.store.db import Database
from kefu.store.tables.ops import StaffPlanHourRow

HISTORY_WEEKS = 60  # a year and more: last year's 双11 teaches this year's surge
# used until the shop has handed conversations to people: a third reach a person at a peak
DEFAULT_HANDOFF_SHARE = 0.3


class SqlPlanning:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.analytics = SqlAnalytics(db)

    def history(self, now: datetime, weeks: int = HISTORY_WEEKS) -> dict[datetime, int]:
        return self.analytics.hourly_arrivals(now - timedelta(weeks=weeks), now)

    def inputs(self, now: datetime, ai_share: int, **overrides: object) -> PlanInputs:
        """Handle time and handoff share from the last four weeks; ``overrides`` win."""
        since = now - timedelta(weeks=4)
        aht = handle_time_s(self.analytics.handle_time_samples(since, now))
        handoff = self.analytics.handoff_share(since, now)
        base: dict[str, object] = {
            "people_share": people_share(
                ai_share, DEFAULT_HANDOFF_SHARE if handoff is None else handoff
            ),
            "aht_s": aht,
        }
        base.update({k: v for k, v in overrides.items() if v is not None})
        return PlanInputs(**base)  # type: ignore[arg-type]

    def save_staffing(self, on_duty: Mapping[datetime, int], at: datetime, by: str) -> None:
        """Adopt a plan: agents on duty per hour, replacing what was planned for those hours."""
        with self.db.session() as s:
            s.execute(delete(StaffPlanHourRow).where(StaffPlanHourRow.hour.in_(list(on_duty))))
            for hour, agents in on_duty.items():
                s.add(StaffPlanHourRow(hour=hour, agents=agents, saved_at=at, saved_by=by))

    def staffed(self, start: datetime, end: datetime) -> dict[datetime, int]:
        with self.db.session() as s:
            rows = s.scalars(
                select(StaffPlanHourRow).where(
                    StaffPlanHourRow.hour >= start, StaffPlanHourRow.hour < end
                )
            )
            return {r.hour: r.agents for r in rows}
