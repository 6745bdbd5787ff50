"""``/api/v1/admin/rollout`` (contract 5): the AI's share of customers and its switches.

Supervisors and admins only; every change is audited with who, when, before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from kefu.api.auth import current_admin
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import RolloutAuditOut, RolloutIn, RolloutOut
from kefu.domain.customers import Channel
from kefu.domain.desk import Agent
from kefu.nlu.labels import INTENT_LABELS
from kefu.rollout.policy import InvalidRollout, changed
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1/admin/rollout", tags=["admin"])

CHANNELS = frozenset(c.value for c in Channel)
INTENTS = frozenset(INTENT_LABELS)
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 422)}


@router.get("", response_model=RolloutOut, responses=_ERRORS)
def get_rollout(
    _: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    return kefu.rollout.config().to_dict()


@router.put(
    "",
    response_model=RolloutOut,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RolloutIn.model_json_schema()}},
        }
    },
)
async def put_rollout(
    request: Request, admin: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    # parsed here rather than by FastAPI: a bad body answers the rollout's own error code
    try:
        body = RolloutIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        raise InvalidRollout(_rollout_problem(exc)) from None

    def apply() -> dict[str, Any]:
        # the fields the admin sent, validated; the policy checks the names and keeps the rest
        new = changed(
            kefu.rollout.config(),
            body.model_dump(exclude_unset=True),
            channels=CHANNELS,
            intents=INTENTS,
        )
        return kefu.rollout.change(new, admin.id, datetime.now(UTC)).to_dict()

    # the shared state and the database are blocking calls: off the event loop
    return await run_in_threadpool(apply)


def _rollout_problem(exc: ValidationError) -> str:
    """The policy's own words for what is wrong (first: unknown fields, then each field)."""
    errors = exc.errors()
    if any(e["type"] == "json_invalid" for e in errors):
        return "the body must be JSON"
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return f"unknown fields: {', '.join(unknown)}"
    wrong = {e["loc"][0] for e in errors if e["loc"]}
    if "ai_share" in wrong:
        return "ai_share must be a whole number from 0 to 100"
    for name in ("ai_off_channels", "ai_off_intents"):
        if name in wrong:
            return f"{name} must be a list of names"
    return 'the body must be {"ai_share": 0-100, ...}'


@router.get("/audit", response_model=list[RolloutAuditOut], responses=_ERRORS)
def rollout_audit(
    limit: int = Query(100, ge=1, le=1000),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> list[dict[str, Any]]:
    return [e.to_dict() for e in kefu.rollout.audit(limit)]
