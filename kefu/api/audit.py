"""The audit trail of the back office: every change an admin or supervisor makes through the API.

Routes guarded by ``current_admin`` (knowledge, promotions, sensitive words, agents, rollout)
leave the acting agent's id on the request; after a successful change (or an export) one row goes
to the audit log: who, which route, which ids, when. Routes never have to remember to do it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kefu.privacy.audit import AuditAction, AuditEvent

log = logging.getLogger("kefu.audit")

_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# recorded by kefu.privacy.requests with their own action, not as generic changes
_RECORDED_ELSEWHERE = ("/api/v1/admin/customers/", "/api/v1/admin/retention/")


def _event(request: Request, response: Response) -> AuditEvent | None:
    actor = getattr(request.state, "admin_id", None)
    if actor is None or response.status_code >= 400:
        return None
    path = request.url.path
    is_export = request.method == "GET" and path.endswith("/export")
    if request.method not in _CHANGES and not is_export:
        return None
    if path.startswith(_RECORDED_ELSEWHERE) or path.endswith("/search"):
        return None  # searches are POSTs that change nothing
    route = request.scope.get("route")
    template = getattr(route, "path", path)
    params = {k: str(v) for k, v in request.path_params.items()}
    # "/api/v1/admin/promotions/{rule_id}/activate" -> target kind "promotions"
    parts = [p for p in template.split("/") if p and not p.startswith("{")]
    kind = parts[3] if len(parts) > 3 and parts[2] == "admin" else parts[-1] if parts else "api"
    return AuditEvent(
        at=datetime.now(UTC),
        actor=str(actor),
        action=AuditAction.EXPORT if is_export else AuditAction.ADMIN_CHANGE,
        target_kind=kind,
        target_id=next(iter(params.values()), ""),
        detail={"method": request.method, "route": template, "status": response.status_code},
    )


async def _admin_audit(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    event = _event(request, response)
    if event is not None:
        try:
            await run_in_threadpool(request.app.state.kefu.audit.record, event)
        except Exception:  # the change is made; a lost audit row must be loud, not a 500
            log.exception("could not record the audit event for %s", request.url.path)
    return response


# the customer-facing doors a peak hammers never carry an admin: they skip the audit wrapper,
# whose per-request task and stream copy would cost every customer message
_CUSTOMER_DOORS = (
    "/api/v1/messages",
    "/api/v1/conversations",
    "/api/v1/promotions/quote",
    "/api/v1/nlu/",
    "/channels/",
    "/healthz",
    "/livez",
    "/readyz",
    "/metrics",
    "/static/",
)


class _AdminAudit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.audited = BaseHTTPMiddleware(app, dispatch=_admin_audit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not str(scope["path"]).startswith(_CUSTOMER_DOORS):
            await self.audited(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_admin_audit(app: FastAPI) -> None:
    app.add_middleware(_AdminAudit)
