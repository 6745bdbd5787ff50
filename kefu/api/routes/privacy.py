"""Personal data at the HTTP edge: an agent's audited full view, a customer's data requests
(export, erasure), retention on demand, and the audit log for admins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kefu.api.auth import current_admin, current_agent
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import (
    AuditEventOut,
    AuditQuery,
    CustomerExportOut,
    ErasedOut,
    RetentionOut,
    RevealIn,
    RevealOut,
)
from kefu.domain.desk import Agent
from kefu.privacy.masking import PersonalField
from kefu.privacy.requests import erase_customer, export_customer, reveal, run_retention
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1", tags=["privacy"])


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}


@router.post(
    "/agent/conversations/{conversation_id}/reveal",
    response_model=RevealOut,
    responses=_errors(400, 401, 403, 404, 422),
)
def reveal_personal_data(
    conversation_id: str,
    body: RevealIn,
    agent: Agent = Depends(current_agent),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, str]:
    """The full phone or address of the conversation's customer, for a task that needs it."""
    field = PersonalField(body.field)
    value = reveal(
        kefu, agent, conversation_id, field, body.reason, datetime.now(UTC), body.order_id
    )
    return {"field": field.value, "value": value}


@router.get("/admin/audit", response_model=list[AuditEventOut], responses=_errors(401, 403, 422))
def audit_log(
    query: Annotated[AuditQuery, Query()],
    _admin: Agent = Depends(current_admin),
    kefu: Kefu = Depends(get_kefu),
) -> list[dict[str, Any]]:
    """Newest first: who viewed personal data, changed the back office, exported or erased."""
    events = kefu.audit.recent(query.limit, query.actor, query.target_kind, query.target_id)
    return [e.to_wire() for e in events]


@router.get(
    "/admin/customers/{customer_id}/export",
    response_model=CustomerExportOut,
    responses=_errors(401, 403, 404),
)
def export(
    customer_id: str, admin: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    """A customer's data request: everything kefu holds about them."""
    return export_customer(kefu, customer_id, admin.id, datetime.now(UTC))


@router.post(
    "/admin/customers/{customer_id}/erase",
    response_model=ErasedOut,
    responses=_errors(401, 403, 404),
)
def erase(
    customer_id: str, admin: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    """A customer's erasure request: their personal data anonymised everywhere."""
    erase_customer(kefu, customer_id, admin.id, datetime.now(UTC))
    return {"customer_id": customer_id, "erased": True}


@router.post("/admin/retention/run", response_model=RetentionOut, responses=_errors(401, 403))
def retention(
    _admin: Agent = Depends(current_admin), kefu: Kefu = Depends(get_kefu)
) -> dict[str, int]:
    """Run the retention job now (it also runs on the job engine's schedule)."""
    return run_retention(kefu, datetime.now(UTC))
