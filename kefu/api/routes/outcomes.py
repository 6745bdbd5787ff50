"""True outcomes on the dashboard (resolution that means the need was met, containment,
complaints, ticket SLA, per agent, handoff precision), the rollout's two sides compared, and
agents' reviews of handoffs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from kefu.analytics.outcomes import DEFINITIONS, compare_sides, headline
from kefu.api.auth import current_admin, current_agent
from kefu.api.deps import get_kefu
from kefu.desk.errors import Invalid
from kefu.domain.desk import Agent
from kefu.store.outcomes_repo import SqlOutcomes
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1")

MAX_NOTE = 500


@router.get("/analytics/outcomes")
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


@router.get("/analytics/rollout")
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


@router.post("/agent/conversations/{conversation_id}/handoff-review")
async def review_handoff(
    conversation_id: str,
    request: Request,
    agent: Agent = Depends(current_agent),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """``{"needless": true, "note": "…"}``: the bot could have answered this one."""
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("the body must be JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("needless"), bool):
        raise Invalid('the body must be {"needless": true|false, "note": "…"}')
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise Invalid(f"note must be text of at most {MAX_NOTE} characters")

    def record() -> None:
        # only the agent who had the conversation (or a supervisor) judges its handoff
        kefu.desk.check_access(agent, conversation_id)
        SqlOutcomes(kefu.db).review_handoff(
            conversation_id, agent.id, body["needless"], note.strip(), datetime.now(UTC)
        )

    await run_in_threadpool(record)
    return {"conversation_id": conversation_id, "needless": body["needless"]}
