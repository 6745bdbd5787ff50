"""Health: ``/healthz`` (contract: can take messages), ``/livez`` (the process answers) and
``/readyz`` (database, shared state and job runner, each reported)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from kefu.api.deps import get_kefu
from kefu.api.schemas.ops import HealthDownOut, HealthOut, LiveOut, ReadyOut
from kefu.runtime.heartbeat import JOBS, STALE_AFTER_S, seconds_since_beat
from kefu.wiring import Kefu

router = APIRouter()


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": HealthDownOut}})
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


@router.get("/livez", response_model=LiveOut)
def livez() -> dict[str, str]:
    """Liveness: the process answers (restart it when it does not); checks nothing else, so a
    database outage never makes the orchestrator kill healthy workers."""
    return {"status": "alive"}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    # a passing check has no "error" key: what was not set stays off the wire
    response_model_exclude_unset=True,
    responses={503: {"model": ReadyOut, "description": "Not ready: the failing checks say why"}},
)
def readyz(kefu: Kefu = Depends(get_kefu)) -> Any:
    """Readiness: send traffic only when the database, the shared state and, where required,
    the job runner answer. Each check says what it found."""
    checks: dict[str, dict[str, Any]] = {}
    ready = True
    try:
        with kefu.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
        ready = False
    shared = "redis" if kefu.settings.redis_url else "in_process"
    try:
        kefu.state.get("readyz")
        checks["shared_state"] = {"ok": True, "backend": shared}
    except Exception as exc:
        checks["shared_state"] = {"ok": False, "backend": shared, "error": type(exc).__name__}
        ready = False
    since = None
    with contextlib.suppress(Exception):  # already reported as the shared state's failure
        since = seconds_since_beat(kefu.state, JOBS, datetime.now(UTC))
    jobs_ok = since is not None and since <= STALE_AFTER_S
    checks["jobs"] = {
        "ok": jobs_ok,
        "required": kefu.settings.ready_requires_jobs,
        "seconds_since_last_round": None if since is None else round(since, 1),
    }
    if kefu.settings.ready_requires_jobs and not jobs_ok:
        ready = False
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return body if ready else JSONResponse(body, 503)
