"""Order events from the shop (CONTRACT section 5), notice preferences and the notice numbers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.channels.webhook import verify
from kefu.commerce.events import parse_shop_event
from kefu.commerce.ports import CommerceError
from kefu.domain.errors import ClientError, Problem
from kefu.edge.identity import identify_customer, token_from
from kefu.jobs.notices import receive_order_event
from kefu.notify.policy import NoticeCategory
from kefu.store.notice_repo import SqlNotices
from kefu.wiring import Kefu

router = APIRouter(tags=["order events"])


@router.post("/api/v1/events/orders", status_code=202)
async def order_event(request: Request, kefu: Kefu = Depends(get_kefu)) -> JSONResponse:
    """Signed like the webhook channel; 202 once applied, a repeated event_id changes nothing."""
    body = await request.body()
    settings = kefu.settings
    verify(
        dict(request.headers),
        body,
        settings.webhook_secret,
        settings.webhook_max_skew_s,
        time.time(),
    )
    event = parse_shop_event(body)
    applied, notice = await run_in_threadpool(receive_order_event, kefu, event, datetime.now(UTC))
    return JSONResponse(
        {
            "event_id": event.event_id,
            "accepted": True,
            "duplicate": applied.duplicate,
            "stale": applied.stale,
            "order_status": applied.order.status.value,
            "notice": None
            if notice is None
            else {"status": notice.status, "reason": notice.reason},
        },
        status_code=202,
    )


class BadPreferences(ClientError):
    code = "invalid_request"


@router.put("/api/v1/notices/preferences")
async def notice_preferences(request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    """``{"customer_id", "time_zone"?, "opted_out": ["balance_due", ...]}``: opt-out by category."""
    try:
        body = await request.json()
    except ValueError:
        raise BadPreferences("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadPreferences('the body must be {"customer_id", "opted_out", "time_zone"}')
    customer_id = identify_customer(kefu.settings, body.get("customer_id"), token_from(request))
    if not isinstance(customer_id, str) or not customer_id:
        raise BadPreferences("customer_id is required")
    opted_out = body.get("opted_out", [])
    known = {c.value for c in NoticeCategory}
    if not isinstance(opted_out, list) or not all(c in known for c in opted_out):
        raise BadPreferences(f"opted_out must list categories among {sorted(known)}")
    time_zone = body.get("time_zone")
    if time_zone is not None and (
        not isinstance(time_zone, str) or kefu.notices.policy.zone(time_zone).key != time_zone
    ):
        raise BadPreferences("time_zone must be an IANA zone such as Asia/Shanghai")
    try:
        await run_in_threadpool(kefu.commerce.get_customer, customer_id)
    except CommerceError:
        raise ClientError(
            "no such customer", code="customer_not_found", problem=Problem.NOT_FOUND
        ) from None
    prefs = await run_in_threadpool(
        SqlNotices(kefu.db).set_preferences, customer_id, time_zone, opted_out
    )
    return {
        "customer_id": customer_id,
        "time_zone": prefs.time_zone,
        "opted_out": sorted(prefs.opted_out),
    }


@router.get("/api/v1/analytics/notices", dependencies=[Depends(current_admin)])
async def notice_numbers(
    hours: float = Query(24 * 7, gt=0, le=24 * 92), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    """Notices sent, held and suppressed (by rule), and the "where is my parcel" questions that
    shipped notices saved."""
    end = datetime.now(UTC)
    start = end - timedelta(hours=hours)
    store = SqlNotices(kefu.db)
    counts = await run_in_threadpool(store.counts, start, end)
    parcel = await run_in_threadpool(store.where_is_my_parcel, start, end)
    saved = None
    if parcel["notified_ask_rate"] is not None and parcel["unnotified_ask_rate"] is not None:
        # customers told who would have asked at the untold customers' rate, minus those who did
        saved = round(
            parcel["notified_customers"] * parcel["unnotified_ask_rate"]
            - parcel["notified_who_asked"],
            1,
        )
    return {**counts, "where_is_my_parcel": parcel, "repeat_questions_saved": saved}
