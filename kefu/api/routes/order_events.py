"""Order events from the shop (CONTRACT section 5), notice preferences and the notice numbers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import (
    NoticeNumbersOut,
    OrderEventIn,
    OrderEventOut,
    PreferencesIn,
    PreferencesOut,
)
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


@router.post(
    "/api/v1/events/orders",
    status_code=202,
    response_model=OrderEventOut,
    responses={code: {"model": ErrorOut} for code in (400, 401, 404, 409, 413)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": OrderEventIn.model_json_schema()}},
        }
    },
)
async def order_event(request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    """Signed like the webhook channel; 202 once applied, a repeated event_id changes nothing."""
    # the signature covers the raw bytes: verified before anything reads them
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
    return {
        "event_id": event.event_id,
        "accepted": True,
        "duplicate": applied.duplicate,
        "stale": applied.stale,
        "order_status": applied.order.status.value,
        "notice": None if notice is None else {"status": notice.status, "reason": notice.reason},
    }


class BadPreferences(ClientError):
    code = "invalid_request"


_BAD_ZONE = "time_zone must be an IANA zone such as Asia/Shanghai"


def _preferences_problem(exc: ValidationError) -> str:
    errors = exc.errors()
    if any(e["type"] == "json_invalid" for e in errors):
        return "the body must be JSON"
    wrong = {e["loc"][0] for e in errors if e["loc"]}
    if not wrong:
        return 'the body must be {"customer_id", "opted_out", "time_zone"}'
    if "customer_id" in wrong:
        return "customer_id is required"
    if "opted_out" in wrong:
        known = sorted(c.value for c in NoticeCategory)
        return f"opted_out must list categories among {known}"
    return _BAD_ZONE


@router.put(
    "/api/v1/notices/preferences",
    response_model=PreferencesOut,
    responses={code: {"model": ErrorOut} for code in (400, 401, 404)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PreferencesIn.model_json_schema()}},
        }
    },
)
async def notice_preferences(request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    """``{"customer_id", "time_zone"?, "opted_out": ["balance_due", ...]}``: opt-out by category."""
    # parsed here rather than by FastAPI: a bad body is this route's 400 with its own message
    try:
        body = PreferencesIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        raise BadPreferences(_preferences_problem(exc)) from None
    customer_id = identify_customer(kefu.settings, body.customer_id, token_from(request))
    if not isinstance(customer_id, str) or not customer_id:
        raise BadPreferences("customer_id is required")
    time_zone = body.time_zone
    if time_zone is not None and kefu.notices.policy.zone(time_zone).key != time_zone:
        raise BadPreferences(_BAD_ZONE)
    opted_out = [c.value for c in body.opted_out]
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


@router.get(
    "/api/v1/analytics/notices",
    dependencies=[Depends(current_admin)],
    response_model=NoticeNumbersOut,
    responses={code: {"model": ErrorOut} for code in (401, 403, 422)},
)
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
