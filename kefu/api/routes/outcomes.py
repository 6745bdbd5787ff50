"""True outcomes on the dashboard (resolution that means the need was met, containment,
complaints, ticket SLA, per agent, handoff precision), the rollout's two sides compared, and
agents' reviews of handoffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from kefu.analytics.outcomes import DEFINITIONS, compare_sides, headline
from kefu.api.auth import current_admin, current_agent
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import (
    MAX_REVIEW_NOTE,
    HandoffReviewIn,
    HandoffReviewOut,
    OutcomesOut,
    RolloutSidesOut,
)
from kefu.desk.errors import Invalid
from kefu.domain.desk import Agent
from kefu.store.outcomes_repo import SqlOutcomes
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1")


_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (401, 403, 422)}


@router.get("/analytics/outcomes", response_model=OutcomesOut, responses=_ERRORS)
async def outcomes(
    hours: float = Query(24, gt=0, le=24 * 31),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """The window's true metrics, with their definitions."""
    now = datetime.now(UTC)
    start = now - timedelta(hours=hours)
    store = SqlOutcomes(kefu.db)

    def measure() -> dict[str, Any]:
        completeness, tickets = kefu.desk.bot_ticket_completeness()
        return {
            "window": {"start": start.isoformat(), "end": now.isoformat()},
            **headline(store.judged(start, now, now), store.reviews(start, now)),
            "ticket_sla": store.ticket_sla(start, now, now),
            "ticket_field_completeness": {"share": completeness, "tickets": tickets},
            "per_agent": [a.to_dict() for a in store.per_agent(start, now, now)],
            "definitions": DEFINITIONS,
        }

    return await run_in_threadpool(measure)


@router.get("/analytics/rollout", response_model=RolloutSidesOut, responses=_ERRORS)
async def rollout_sides(
    hours: float = Query(24 * 7, gt=0, le=24 * 31),
    _: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """The AI side and the people side of the rollout compared, with 95% intervals."""
    now = datetime.now(UTC)
    start = now - timedelta(hours=hours)

    def measure() -> dict[str, Any]:
        return {
            "window": {"start": start.isoformat(), "end": now.isoformat()},
            "config": kefu.rollout.config().to_dict(),
            **compare_sides(SqlOutcomes(kefu.db).judged(start, now, now)),
            "definition": DEFINITIONS["rollout"],
        }

    return await run_in_threadpool(measure)


@router.post(
    "/agent/conversations/{conversation_id}/handoff-review",
    response_model=HandoffReviewOut,
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": HandoffReviewIn.model_json_schema()}},
        }
    },
)
async def review_handoff(
    conversation_id: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """``{"needless": true, "note": "…"}``: the bot could have answered this one."""
    # parsed here rather than by FastAPI: a bad body answers this route's own messages
    try:
        body = HandoffReviewIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        raise Invalid(_review_problem(exc)) from None

    def record() -> None:
        # only the agent who had the conversation (or a supervisor) judges its handoff
        kefu.desk.check_access(agent, conversation_id)
        SqlOutcomes(kefu.db).review_handoff(
            conversation_id, agent.id, body.needless, body.note.strip(), datetime.now(UTC)
        )

    await run_in_threadpool(record)
    return {"conversation_id": conversation_id, "needless": body.needless}


def _review_problem(exc: ValidationError) -> str:
    errors = exc.errors()
    if any(e["type"] == "json_invalid" for e in errors):
        return "the body must be JSON"
    if all(e["loc"][:1] == ("note",) for e in errors):
        return f"note must be text of at most {MAX_REVIEW_NOTE} characters"
    return 'the body must be {"needless": true|false, "note": "…"}'
