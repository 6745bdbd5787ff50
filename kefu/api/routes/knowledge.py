"""Admin API of the knowledge base: entries, versions, import/export, gaps and proposals.

Mounted at /api/v1/admin/kb; every route is for supervisors and admins (``current_admin``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from kefu.api.auth import current_admin
from kefu.api.deps import kefu_of
from kefu.api.schemas.shop import (
    EntryIn,
    EntryOut,
    EntryVersionOut,
    GapOut,
    ImportResultOut,
    ProposalIn,
    ProposalOut,
    RollbackIn,
    SearchIn,
    SearchOut,
    ShadowIn,
    ShadowOut,
    errors,
)
from kefu.dialogue.shadow import shadowing
from kefu.domain.errors import ClientError
from kefu.knowledge.service import KnowledgeService

router = APIRouter(
    prefix="/api/v1/admin/kb",
    tags=["knowledge"],
    dependencies=[Depends(current_admin)],
    # every route: no or a bad token, an agent who is not a supervisor, bad input
    responses=errors(401, 403, 422),
)

Format = Literal["json", "csv"]
_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = kefu_of(request).knowledge
    return service


def _actor(request: Request) -> str:
    # the admin guard (added at include time) may put who is acting on request.state
    return str(getattr(request.state, "admin_id", None) or "admin")


@router.get("/entries", response_model=list[EntryOut])
def list_entries(
    request: Request, tag: str | None = None, include_deleted: bool = False
) -> list[dict[str, Any]]:
    return [e.to_dict() for e in _service(request).list_entries(include_deleted, tag)]


@router.post("/entries", status_code=201, response_model=EntryOut, responses=errors(409, 413))
def create_entry(request: Request, body: EntryIn) -> dict[str, Any]:
    # the fields the client sent, no more: the knowledge base's own checks name what is missing
    data = body.model_dump(exclude_unset=True)
    return _service(request).create_entry(data, actor=_actor(request)).to_dict()


@router.get("/entries/{entry_id}", response_model=EntryOut, responses=errors(404))
def get_entry(request: Request, entry_id: str) -> dict[str, Any]:
    return _service(request).get_entry(entry_id).to_dict()


@router.put("/entries/{entry_id}", response_model=EntryOut, responses=errors(404, 409, 413))
def update_entry(
    request: Request,
    entry_id: str,
    body: EntryIn,
    expected_version: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    # only the fields sent change (an explicit null clears one): unset ones are left out
    data = body.model_dump(exclude_unset=True)
    entry = _service(request).update_entry(
        entry_id, data, actor=_actor(request), expected_version=expected_version
    )
    return entry.to_dict()


@router.delete(
    "/entries/{entry_id}",
    status_code=204,
    response_class=Response,
    responses={204: {"description": "Deleted (no body)"}, **errors(404)},
)
def delete_entry(request: Request, entry_id: str) -> Response:
    _service(request).delete_entry(entry_id, actor=_actor(request))
    return Response(status_code=204)


@router.get(
    "/entries/{entry_id}/versions", response_model=list[EntryVersionOut], responses=errors(404)
)
def versions(request: Request, entry_id: str) -> list[dict[str, Any]]:
    return [
        {"version": v.version, "at": v.at.isoformat(), "actor": v.actor, "entry": v.snapshot}
        for v in _service(request).versions(entry_id)
    ]


@router.post(
    "/entries/{entry_id}/rollback",
    response_model=EntryOut,
    responses=errors(404, 413),
)
def rollback(request: Request, entry_id: str, body: RollbackIn) -> dict[str, Any]:
    return _service(request).rollback(entry_id, body.version, actor=_actor(request)).to_dict()


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "Every live entry, as a file to download",
            "content": {"application/json": {}, "text/csv": {}},
        }
    },
)
def export(request: Request, format: Format = "json") -> Response:
    text = _service(request).export(format)
    headers = {"content-disposition": f'attachment; filename="kb.{format}"'}
    return Response(text, media_type=_MEDIA[format], headers=headers)


@router.post(
    "/import",
    response_model=ImportResultOut,
    responses=errors(400, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            # an export file as it is: read as text, parsed by the knowledge base's own importer
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_entries(request: Request, format: Format = "json") -> dict[str, int]:
    raw = await request.body()  # at most KNOWLEDGE_IMPORT_BYTES: the body guard refused more
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientError("import must be UTF-8 text", code="invalid_request") from None
    if not text.strip():
        raise ClientError("empty import", code="invalid_request")
    return _service(request).import_entries(text, format, actor=_actor(request))


@router.post("/search", response_model=SearchOut, responses=errors(413))
def search_preview(request: Request, body: SearchIn) -> dict[str, Any]:
    """What a customer would get, without logging the question as uncovered."""
    result = _service(request).search(body.text, body.lang, body.channel, k=body.k, record=False)
    return result.to_dict()


@router.post(
    "/shadow",
    response_model=ShadowOut,
    # {"shadowed": false} alone when nothing else answers: the other keys stay off the wire
    response_model_exclude_unset=True,
    responses=errors(413),
)
def shadow_check(request: Request, body: ShadowIn) -> dict[str, Any]:
    """Whether the bot answers these questions from the promotion rules or the catalogue
    instead of the knowledge base (then editing the entry's answer changes nothing)."""
    found = shadowing(kefu_of(request).dialogue, [q[:2000] for q in body.questions], body.lang)
    return found.to_dict() if found else {"shadowed": False}


@router.get("/gaps", response_model=list[GapOut])
def gaps(
    request: Request,
    days: int = Query(30, ge=1, le=366),
    limit: int = Query(20, ge=1, le=200),
) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=days)
    return [c.to_dict() for c in _service(request).gaps(since=since, limit=limit)]


@router.get("/proposals", response_model=list[ProposalOut])
def proposals(
    request: Request, status: Literal["pending", "approved", "rejected", "all"] = "pending"
) -> list[dict[str, Any]]:
    found = _service(request).proposals(None if status == "all" else status)
    return [p.to_dict() for p in found]


@router.post("/proposals", status_code=201, response_model=ProposalOut, responses=errors(404, 413))
def propose(request: Request, body: ProposalIn) -> dict[str, Any]:
    proposal = _service(request).propose(
        body.question, body.answer, body.lang, body.agent_id, entry_id=body.entry_id
    )
    return proposal.to_dict()


@router.post(
    "/proposals/{proposal_id}/approve", response_model=EntryOut, responses=errors(404, 409)
)
def approve(request: Request, proposal_id: str) -> dict[str, Any]:
    return _service(request).approve(proposal_id, reviewer=_actor(request)).to_dict()


@router.post(
    "/proposals/{proposal_id}/reject", response_model=ProposalOut, responses=errors(404, 409)
)
def reject(request: Request, proposal_id: str) -> dict[str, Any]:
    return _service(request).reject(proposal_id, reviewer=_actor(request)).to_dict()
