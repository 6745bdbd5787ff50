"""The dashboard's API: service metrics over a window and staffing for a forecast peak.

Supervisors and admins only (401 without a token, 403 for an agent).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from kefu.analytics.report import overview as build_overview
from kefu.analytics.staffing import agents_needed
from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.domain.errors import ClientError
from kefu.store.analytics_repo import SqlAnalytics
from kefu.wiring import Kefu

router = APIRouter(
    prefix="/api/v1/analytics", tags=["analytics"], dependencies=[Depends(current_admin)]
)


@router.get("/overview")
async def overview(
    hours: float = Query(24, gt=0, le=24 * 31),
    surge: float = Query(5.0, gt=0, le=50),
    concurrency: int = Query(3, ge=1, le=20),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """Every dashboard metric over the last ``hours``, with a peak forecast at ``surge`` times
    the busiest hour seen."""
    end = datetime.now(UTC)
    start = end - timedelta(hours=hours)
    stats = await run_in_threadpool(SqlAnalytics(kefu.db).stats, start, end)
    return build_overview(stats, surge=surge, concurrency=concurrency)


@router.get("/staffing")
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
