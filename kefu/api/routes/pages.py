"""The pages (contract 3, "Pages"): chat demo, agent console, dashboard and admin, plus the two
small demo-only endpoints the chat page needs to pick a customer and follow its conversation.

The pages are static files shipped in ``kefu/web``; nothing is fetched from the internet at run
time (third-party code is copied into ``kefu/web/static/vendor`` at build time).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from kefu.api.deps import get_kefu
from kefu.api.schemas.shop import DemoConversationOut, DemoCustomerOut, errors
from kefu.config import Mode
from kefu.dialogue import Dialogue
from kefu.edge.problems import NotFound
from kefu.store.seed import SEED_FILE
from kefu.wiring import Kefu

WEB_DIR = Path(__file__).resolve().parent.parent.parent / "web"
PAGES_DIR = WEB_DIR / "pages"
STATIC_DIR = WEB_DIR / "static"

# the pages load only their own scripts, styles and the same origin's API
_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}

router = APIRouter(tags=["pages"])


def static_files() -> StaticFiles:
    """``/static``: the pages' scripts, styles, strings and vendored libraries."""
    return StaticFiles(directory=STATIC_DIR, check_dir=False)


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES_DIR / name, media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("/", include_in_schema=False)
def chat_page() -> FileResponse:
    return _page("chat.html")


@router.get("/console", include_in_schema=False)
def console_page() -> FileResponse:
    return _page("console.html")


@router.get("/dashboard", include_in_schema=False)
def dashboard_page() -> FileResponse:
    return _page("dashboard.html")


@router.get("/admin", include_in_schema=False)
def admin_page() -> FileResponse:
    return _page("admin.html")


# ---- demo mode only -----------------------------------------------------------------------------


def demo_only(kefu: Kefu = Depends(get_kefu)) -> Kefu:
    """Production shops never list their customers to an anonymous page."""
    if kefu.settings.mode is not Mode.DEMO:
        raise NotFound("not found")
    return kefu


@lru_cache(maxsize=1)
def _seed_customers() -> tuple[dict[str, Any], ...]:
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return tuple(
        {
            "id": c["id"],
            "name": c["name"],
            "vip": c.get("vip", "normal"),
            "lang": c.get("lang", "zh-CN"),
            "channels": sorted(c.get("identities", {})),
        }
        for c in seed.get("customers", [])
    )


@router.get("/api/v1/demo/customers", response_model=list[DemoCustomerOut], responses=errors(404))
def demo_customers(_: Kefu = Depends(demo_only)) -> list[dict[str, Any]]:
    """The demo shop's customers for the chat page's picker: id, name, VIP level, language."""
    return [dict(c) for c in _seed_customers()]


@router.get(
    "/api/v1/demo/conversations/{conversation_id}",
    response_model=DemoConversationOut,
    responses=errors(404),
)
async def demo_conversation(
    conversation_id: str, request: Request, kefu: Kefu = Depends(demo_only)
) -> dict[str, Any]:
    """A conversation's status for the chat page when it has to poll instead of a WebSocket."""
    dialogue: Dialogue = kefu.dialogue
    customer_id = request.query_params.get("customer_id") or ""
    conversation = await run_in_threadpool(dialogue.conversation_of, conversation_id, customer_id)
    return {"conversation_id": conversation.id, "status": conversation.status.value}
