"""Liveness and readiness: 200 only when the database (and Redis, if configured) answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from kefu.api.deps import get_kefu
from kefu.wiring import Kefu

router = APIRouter()


@router.get("/healthz")
def healthz(kefu: Kefu = Depends(get_kefu)) -> Any:
    try:
        with kefu.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        kefu.state.get("healthz")
    except Exception as exc:  # the dependency is down: not ready to take messages
        return JSONResponse(
            {"status": "unavailable", "error": {"code": "unavailable", "message": str(exc)}}, 503
        )
    return {"status": "ok"}
