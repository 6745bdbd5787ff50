"""The dashboard's API: service metrics over a window and staffing for a forecast peak.

Supervisors and admins only (401 without a token, 403 for an agent).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from kefu.analytics.report import overview as build_overview
from kefu.analytics.staffing import agents_needed
from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import AgentFiguresOut, OverviewOut, StaffingOut
from kefu.domain.errors import ClientError, Problem
from kefu.store.agent_figures import agent_figures
from kefu.store.analytics_repo import SqlAnalytics
from kefu.wiring import Kefu

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], dependencies=[Depends(current_admin)]
)


MAX_SPAN = timedelta(days=31)
# no or a bad token, an agent's token, a window or figure the route cannot take
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 422)}


def _when(value: str, name: str, tz: tzinfo) -> datetime:
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise ClientError(
            f"{name} must be a date or time like 2026-11-11 or 2026-11-11T08:00:00+08:00",
            code="invalid_request",
            problem=Problem.UNPROCESSABLE,
        ) from None
    # a date without a zone is the shop's day (its service hours' time zone)
    return found if found.tzinfo else found.replace(tzinfo=tz)


def window(
    hours: float = Query(24, gt=0, le=24 * 31),
    start: str | None = Query(None, max_length=40),
    end: str | None = Query(None, max_length=40),
    kefu: Kefu = Depends(get_kefu),
) -> tuple[datetime, datetime]:
    """The last ``hours``, or the range ``start``..``end`` (a date alone: that day's start;
    ``end`` as a date includes that whole day)."""
    if start is None and end is None:
        now = datetime.now(UTC)
        return now - timedelta(hours=hours), now
    if start is None or end is None:
        raise ClientError(
            "give both start and end", code="invalid_request", problem=Problem.UNPROCESSABLE
        )
    tz = kefu.desk.policy.hours.timezone
    begin = _when(start, "start", tz)
    finish = _when(end, "end", tz)
    if len(end) <= 10:  # a date: the whole of that day
        finish += timedelta(days=1)
    if finish <= begin:
        raise ClientError(
            "end must be after start", code="invalid_request", problem=Problem.UNPROCESSABLE
        )
    if finish - begin > MAX_SPAN:
        raise ClientError(
            "a range is at most 31 days", code="invalid_request", problem=Problem.UNPROCESSABLE
        )
    return begin, finish


@router.get("/overview", response_model=OverviewOut, responses=_ERRORS)
async def overview(
    span: tuple[datetime, datetime] = Depends(window),
    surge: float = Query(5.0, gt=0, le=50),
    concurrency: int = Query(3, ge=1, le=20),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """Every dashboard metric over the window (the last ``hours``, or ``start``..``end``), with
    a peak forecast at ``surge`` times the busiest hour seen."""
    start, end = span
    stats = await run_in_threadpool(SqlAnalytics(kefu.db).stats, start, end)
    return build_overview(stats, surge=surge, concurrency=concurrency)


@router.get("/agents", response_model=AgentFiguresOut, responses=_ERRORS)
async def agents(
    span: tuple[datetime, datetime] = Depends(window), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    """Each agent's figures over the window: chats closed, mean handle time, replies, ratings."""
    start, end = span
    rows = await run_in_threadpool(agent_figures, kefu.db, start, end)
    return {"start": start.isoformat(), "end": end.isoformat(), "agents": rows}


@router.get(
    "/staffing",
    response_model=StaffingOut,
    responses={**_ERRORS, 400: {"model": ErrorOut}},  # figures Erlang C cannot staff
)
def staffing(
    arrivals_per_hour: float = Query(ge=0, le=10_000_000),
    aht_s: float = Query(240, gt=0, le=86_400),
    target_s: float = Query(30, gt=0, le=3600),
    target_level: float = Query(0.8, gt=0, lt=1),
    concurrency: int = Query(3, ge=1, le=20),
) -> dict[str, Any]:
    """Agents needed for an arrival rate (Erlang C): the planner's what-if for a promotion."""
    try:
        found = agents_needed(
            arrivals_per_hour,
            aht_s,
            target_s=target_s,
            target_level=target_level,
            concurrency=concurrency,
        )
    except ValueError as exc:
        raise ClientError(str(exc), code="invalid_request") from None
    return found.to_dict()
