"""The dashboard's planning API: forecast, agents per hour and shifts; wait-time promises kept;
the alert feed.

Supervisors and admins only, like the rest of the analytics API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import AlertOut, PlanOut, PlanQuery, PromisesOut
from kefu.domain.desk import Agent
from kefu.domain.errors import ClientError, Problem
from kefu.ops.planning import adopt, plan_for
from kefu.ops.promises import promises_of
from kefu.store.alerts_repo import SqlAlerts
from kefu.store.promises_repo import SqlPromises
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 422)}


class InvalidPlan(ClientError):
    problem = Problem.UNPROCESSABLE
    code = "invalid_plan"


def _start(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidPlan("start must be an ISO time with its UTC offset") from None
    if at.tzinfo is None:
        raise InvalidPlan("start must carry its UTC offset, e.g. 2026-11-11T00:00:00+08:00")
    return at.astimezone(UTC)


def _shift_hours(text: str) -> tuple[int, ...]:
    try:
        hours = tuple(int(h) for h in text.split(",") if h.strip())
    except ValueError:
        raise InvalidPlan("shift_hours must be whole hours separated by commas, e.g. 8,4") from None
    if not hours or any(not 1 <= h <= 12 for h in hours):
        raise InvalidPlan("each shift length must be 1 to 12 hours")
    return hours


@router.get("/plan", response_model=PlanOut, responses=_ERRORS)
async def staffing_plan(
    query: Annotated[PlanQuery, Query()],
    admin: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """Forecast per hour with its band and backtest, agents per hour (Erlang A) and shifts;
    ``save=true`` adopts the plan for the staff-short alert."""
    first = _start(query.start)
    lengths = _shift_hours(query.shift_hours)

    def build() -> dict[str, Any]:
        plan = plan_for(
            kefu,
            first,
            query.hours,
            concurrency=query.concurrency,
            patience_s=query.patience_s,
            target_s=query.target_s,
            target_level=query.target_level,
            shift_hours=lengths,
        )
        if query.save:
            adopt(kefu, plan, datetime.now(UTC), admin.id)
        return plan.to_dict()

    return await run_in_threadpool(build)


@router.get("/alerts", response_model=list[AlertOut], responses=_ERRORS)
def alert_feed(
    kind: str | None = Query(None, max_length=32),
    limit: int = Query(50, ge=1, le=500),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> list[dict[str, Any]]:
    """Alerts raised for supervisors, newest first (wait-time promises, staff short)."""
    return [a.to_dict() for a in SqlAlerts(kefu.db).recent(limit, kind)]


PROMISE_DEFINITIONS = {
    "first_response": "Conversations handed to people that entered the queue in the window: met "
    "when an agent took it within the tier's promise (the customer is told the agent's name); "
    "missed when taken later, or still waiting past the promise. Still waiting within the "
    "promise: not counted yet.",
    "urgent_tickets": "Tickets of at least the urgent priority created in the window: met when a "
    "person (not the bot) first acted on it within the promise.",
}


@router.get("/promises", response_model=PromisesOut, responses=_ERRORS)
async def promises_kept(
    hours: float = Query(24, gt=0, le=24 * 31),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """The share of wait-time promises met per tier over the last ``hours``."""
    now = datetime.now(UTC)
    start = now - timedelta(hours=hours)
    store = SqlPromises(kefu.db, promises_of(kefu))

    def measure() -> dict[str, Any]:
        return {
            "window": {"start": start.isoformat(), "end": now.isoformat()},
            "first_response": [k.to_dict() for k in store.first_response(start, now, now)],
            "urgent_tickets": store.urgent_tickets(start, now, now).to_dict(),
            "definitions": PROMISE_DEFINITIONS,
        }

    return await run_in_threadpool(measure)
