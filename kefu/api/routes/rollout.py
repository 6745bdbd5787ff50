"""``/api/v1/admin/rollout`` (contract 5): the AI's share of customers and its switches.

Supervisors and admins only; every change is audited with who, when, before and after.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.domain.customers import Channel
from kefu.domain.desk import Agent
from kefu.nlu.labels import INTENT_LABELS
from kefu.rollout.policy import InvalidRollout, changed
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1/admin/rollout", tags=["admin"])

CHANNELS = frozenset(c.value for c in Channel)
INTENTS = frozenset(INTENT_LABELS)


@router.get("")
def get_rollout(
    _: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    return kefu.rollout.config().to_dict()


@router.put("")
async def put_rollout(
    request: Request, admin: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRollout("the body must be JSON") from exc

    def apply() -> dict[str, Any]:
        new = changed(kefu.rollout.config(), body, channels=CHANNELS, intents=INTENTS)
        return kefu.rollout.change(new, admin.id, datetime.now(UTC)).to_dict()

    # the shared state and the database are blocking calls: off the event loop
    return await run_in_threadpool(apply)


@router.get("/audit")
def rollout_audit(
    limit: int = Query(100, ge=1, le=1000),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> list[dict[str, Any]]:
    return [e.to_dict() for e in kefu.rollout.audit(limit)]
