"""The chat widget a shop embeds in its own site with one script tag.

``/widget.js`` (the loader, on the shop's page) draws a launcher bubble with the shop's name, the
welcome line and the working hours it reads from ``/api/v1/widget/config``, and opens ``/widget``
(kefu's own page) in a frame. Everything the chat does runs in that frame, on kefu's origin; the
only calls across origins are the loader's, answered to the allowed origins
(``KEFU_WIDGET_ORIGINS``) by the CORS layer below, and the frame may sit only in those origins'
pages (CSP ``frame-ancestors``).

Who is writing: the shop's signed customer token (``Authorization: Bearer``), or a guest's visitor
id (the browser keeps it; an id that belongs to a shop customer needs their token), or in demo
mode a plain ``customer_id``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kefu.api.deps import get_kefu
from kefu.api.routes.pages import PAGES_DIR, STATIC_DIR
from kefu.api.schemas.shop import (
    LeftMessageIn,
    LeftMessageOut,
    OrderCardOut,
    WidgetConfigOut,
    WidgetProductOut,
    WidgetRatingIn,
    WidgetRatingOut,
    errors,
)
from kefu.api.widget_identity import visitor_id as _visitor
from kefu.api.widget_identity import widget_customer
from kefu.commerce.ports import CommerceError
from kefu.config import Settings
from kefu.desk.errors import Invalid
from kefu.domain.customers import is_guest
from kefu.domain.desk import AgentStatus, TicketKind
from kefu.domain.handoff import LeaveKind, LeftMessage, TicketRequest
from kefu.edge.limits import address_limit
from kefu.edge.problems import NotFound
from kefu.resources import data_path
from kefu.wiring import Kefu

WIDGET_PREFIX = "/api/v1/widget/"
_LANGS = ("zh-CN", "zh-TW", "en")
_SKU = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
_ORDER_CARDS = 10

router = APIRouter(tags=["widget"])


# ---- the pages --------------------------------------------------------------------------------


def _frame_headers(settings: Settings) -> dict[str, str]:
    origins = settings.widget_origin_list
    ancestors = " ".join(origins) if origins else "'none'"
    return {
        "content-security-policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
            f"frame-ancestors {ancestors}"
        ),
        "x-content-type-options": "nosniff",
        # the frame's URL carries the shop's page in nothing it sends on
        "referrer-policy": "no-referrer",
        "cache-control": "no-cache",
    }


@router.get("/widget", include_in_schema=False)
def widget_page(kefu: Kefu = Depends(get_kefu)) -> FileResponse:
    """The chat inside the shop's page (the loader frames it)."""
    return FileResponse(
        PAGES_DIR / "widget.html",
        media_type="text/html; charset=utf-8",
        headers=_frame_headers(kefu.settings),
    )


@router.get("/widget.js", include_in_schema=False)
def widget_loader() -> FileResponse:
    """The one script a shop adds to its pages."""
    return FileResponse(
        STATIC_DIR / "widget-loader.js",
        media_type="text/javascript; charset=utf-8",
        headers={
            "x-content-type-options": "nosniff",
            "cache-control": "public, max-age=300",
            # any shop page may load the script; what it may then do is the allow-list's call
            "cross-origin-resource-policy": "cross-origin",
        },
    )


# ---- CORS for the widget's API only ----------------------------------------------------------


class WidgetCors:
    """CORS (Starlette's) on ``/api/v1/widget/`` only: the rest of the API stays same-origin."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        origins = settings.widget_origin_list
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
            allow_credentials=False,  # identity travels as a bearer token, never a cookie
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(WIDGET_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


# ---- settings the launcher shows ------------------------------------------------------------


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (data_path("desk") / "widget.json").read_text(encoding="utf-8")
    )
    return loaded


def _lang(value: str | None) -> str:
    if value in _LANGS:
        return str(value)
    if value and value.lower().startswith("zh") and value.lower().endswith(("tw", "hk", "hant")):
        return "zh-TW"
    if value and value.lower().startswith("en"):
        return "en"
    return "zh-CN"


def _now() -> datetime:
    return datetime.now(UTC)


def _json(body: Any, status_code: int = 200) -> Response:
    # every page of a shop may open the widget: its answers skip FastAPI's model round trip (the
    # response models document them, and tests hold the answers to them)
    return Response(orjson.dumps(body), status_code, media_type="application/json")


@router.get("/api/v1/widget/config", response_model=WidgetConfigOut, responses=errors(429))
async def widget_config(
    request: Request,
    kefu: Kefu = Depends(get_kefu),
    _: None = Depends(address_limit("widget")),
) -> Response:
    """The shop's name, welcome line and working hours, whether people are on duty and online
    now (the widget offers 留言 when not)."""
    lang = _lang(request.query_params.get("lang"))
    texts = _texts()
    desk = kefu.desk
    hours = desk.policy.hours
    loads = await run_in_threadpool(desk.agent_loads)
    online = any(load.agent.status is AgentStatus.ONLINE for load in loads)
    opens = hours.opens.strftime("%H:%M")
    closes = hours.closes.strftime("%H:%M") if hours.closes else "24:00"
    return _json(
        {
            "lang": lang,
            "shop_name": texts["shop_name"][lang],
            "welcome": texts["welcome"][lang],
            "hours": {"opens": opens, "closes": closes, "timezone": str(hours.timezone)},
            "hours_text": texts["hours"][lang].format(opens=opens, closes=closes),
            "open_now": hours.is_open(_now()),
            "agents_online": online,
        }
    )


@router.get(
    "/api/v1/widget/products/{sku}", response_model=WidgetProductOut, responses=errors(404, 429)
)
async def widget_product(
    sku: str,
    request: Request,
    kefu: Kefu = Depends(get_kefu),
    _: None = Depends(address_limit("widget")),
) -> Response:
    """A product card (public catalogue facts): the page the customer is looking at."""
    if not _SKU.match(sku):
        raise NotFound("no such product")
    lang = _lang(request.query_params.get("lang"))
    try:
        product = await run_in_threadpool(kefu.commerce.get_product, sku)
    except CommerceError:
        raise NotFound("no such product") from None
    return _json(
        {
            "sku": product.sku,
            "name": product.name(lang),
            "price": f"{product.price:.2f}",
            "in_stock": product.stock > 0,
        }
    )


@router.get(
    "/api/v1/widget/orders",
    response_model=list[OrderCardOut],
    responses=errors(401, 403, 404, 429),
)
async def widget_orders(
    request: Request,
    kefu: Kefu = Depends(get_kefu),
    _: None = Depends(address_limit("widget")),
) -> Response:
    """The customer's latest orders as cards to tap (a guest has none until linked)."""
    q = request.query_params
    lang = _lang(q.get("lang"))

    def read() -> list[dict[str, Any]]:
        customer_id = widget_customer(
            kefu, request, q.get("customer_id"), _visitor(q.get("visitor"))
        )
        if customer_id is None or is_guest(customer_id):
            return []
        try:
            orders = kefu.commerce.list_orders(customer_id)
        except CommerceError:
            raise NotFound("unknown customer") from None
        orders = sorted(orders, key=lambda o: o.created_at, reverse=True)[:_ORDER_CARDS]
        cards = []
        for order in orders:
            names = []
            for item in order.items:
                try:
                    names.append(kefu.commerce.get_product(item.sku).name(lang))
                except CommerceError:
                    names.append(item.sku)
            cards.append(
                {
                    "order_id": order.id,
                    "status": order.status.value,
                    "items": names,
                    "total": f"{order.goods_total:.2f}",
                    "created_at": order.created_at.isoformat(),
                }
            )
        return cards

    return _json(await run_in_threadpool(read))


# ---- 留言 and the rating card ------------------------------------------------------------------


@router.post(
    "/api/v1/widget/left-messages",
    status_code=201,
    response_model=LeftMessageOut,
    responses=errors(401, 403, 404, 413, 422, 429),
)
async def leave_message(
    body: LeftMessageIn,
    request: Request,
    kefu: Kefu = Depends(get_kefu),
    _: None = Depends(address_limit("widget")),
) -> Response:
    """留言 while nobody is online: a ticket the desk works on, with the customer's words and,
    if given, the number to call back."""
    text = body.text.strip()
    if not text:
        raise Invalid("text must not be blank")
    phone = body.phone.strip() if body.phone and body.phone.strip() else None
    if phone is not None and not _PHONE.match(phone):
        raise Invalid("phone must be digits (with + - or spaces), 5 to 20 characters")

    def store() -> str:
        customer_id = widget_customer(
            kefu, request, body.customer_id, _visitor(body.visitor), create_guest=True
        )
        assert customer_id is not None
        at = _now()
        kind = LeaveKind.CALLBACK if phone else LeaveKind.MESSAGE
        if body.conversation_id is not None:
            # the customer's own conversation only (another's looks like none at all)
            conversation = kefu.dialogue.conversation_of(body.conversation_id, customer_id)
            return kefu.desk.leave_message(
                LeftMessage(conversation.id, customer_id, kind, text, at, phone)
            )
        left: dict[str, Any] = {"kind": kind.value, "text": text, "at": at.isoformat()}
        if phone:
            left["phone"] = phone
        return kefu.desk.open_ticket(
            TicketRequest(
                kind=TicketKind.HANDOFF,
                customer_id=customer_id,
                description=text[:200],
                at=at,
                fields={"reason": "left_message", "channel": "web", "left_message": left},
            )
        )

    ticket_id = await run_in_threadpool(store)
    return _json({"ticket_id": ticket_id}, 201)


@router.post(
    "/api/v1/widget/rating",
    response_model=WidgetRatingOut,
    responses=errors(401, 403, 404, 409, 413, 422, 429),
)
async def rate(
    body: WidgetRatingIn,
    request: Request,
    kefu: Kefu = Depends(get_kefu),
    _: None = Depends(address_limit("widget")),
) -> Response:
    """The rating card: 1-5 with labels, 问题解决了吗 (yes / no) and a comment."""

    def store() -> dict[str, Any]:
        customer_id = widget_customer(kefu, request, body.customer_id, _visitor(body.visitor))
        if customer_id is None:
            raise NotFound("conversation not found")
        comment = body.comment.strip() if body.comment and body.comment.strip() else None
        at = _now()
        survey = kefu.desk.rate(body.conversation_id, customer_id, body.score, comment, at)
        if body.resolved is not None:
            kefu.desk.conversations.record_event(
                body.conversation_id, "rating_resolved", at, "customer", {"resolved": body.resolved}
            )
        return {
            "survey_id": survey.id,
            "score": survey.score,
            "resolved": body.resolved,
            "comment": survey.comment,
        }

    return _json(await run_in_threadpool(store))
