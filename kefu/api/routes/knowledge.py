"""Admin API of the knowledge base: entries, versions, import/export, gaps and proposals.

Mounted at /api/v1/admin/kb; every route is for supervisors and admins (``current_admin``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from kefu.api.auth import current_admin
from kefu.api.deps import kefu_of
from kefu.dialogue.shadow import shadowing
from kefu.domain.errors import ClientError
from kefu.knowledge.service import KnowledgeService

router = APIRouter(
    prefix="/api/v1/admin/kb", tags=["knowledge"], dependencies=[Depends(current_admin)]
)

Format = Literal["json", "csv"]
_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = kefu_of(request).knowledge
    return service


def _actor(request: Request) -> str:
    # the admin guard (added at include time) may put who is acting on request.state
    return str(getattr(request.state, "admin_id", None) or "admin")


class RollbackBody(BaseModel):
    version: int = Field(ge=1)


class SearchBody(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    lang: Literal["zh-CN", "zh-TW", "en"] = "zh-CN"
    channel: str | None = None
    k: int = Field(default=3, ge=1, le=20)


class ProposalBody(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(min_length=1, max_length=4000)
    lang: Literal["zh-CN", "zh-TW", "en"]
    agent_id: str = Field(min_length=1, max_length=32)
    entry_id: str | None = None


@router.get("/entries")
def list_entries(
    request: Request, tag: str | None = None, include_deleted: bool = False
) -> list[dict[str, Any]]:
    return [e.to_dict() for e in _service(request).list_entries(include_deleted, tag)]


@router.post("/entries", status_code=201)
def create_entry(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return _service(request).create_entry(body, actor=_actor(request)).to_dict()


@router.get("/entries/{entry_id}")
def get_entry(request: Request, entry_id: str) -> dict[str, Any]:
    return _service(request).get_entry(entry_id).to_dict()


@router.put("/entries/{entry_id}")
def update_entry(
    request: Request,
    entry_id: str,
    body: dict[str, Any] = Body(...),
    expected_version: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    entry = _service(request).update_entry(
        entry_id, body, actor=_actor(request), expected_version=expected_version
    )
    return entry.to_dict()


@router.delete("/entries/{entry_id}", status_code=204)
def delete_entry(request: Request, entry_id: str) -> Response:
    _service(request).delete_entry(entry_id, actor=_actor(request))
    return Response(status_code=204)


@router.get("/entries/{entry_id}/versions")
def versions(request: Request, entry_id: str) -> list[dict[str, Any]]:
    return [
        {"version": v.version, "at": v.at.isoformat(), "actor": v.actor, "entry": v.snapshot}
        for v in _service(request).versions(entry_id)
    ]


@router.post("/entries/{entry_id}/rollback")
def rollback(request: Request, entry_id: str, body: RollbackBody) -> dict[str, Any]:
    return _service(request).rollback(entry_id, body.version, actor=_actor(request)).to_dict()


@router.get("/export")
def export(request: Request, format: Format = "json") -> Response:
    text = _service(request).export(format)
    headers = {"content-disposition": f'attachment; filename="kb.{format}"'}
    return Response(text, media_type=_MEDIA[format], headers=headers)


@router.post("/import")
async def import_entries(request: Request, format: Format = "json") -> dict[str, int]:
    raw = await request.body()  # at most KNOWLEDGE_IMPORT_BYTES: the body guard refused more
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ClientError("import must be UTF-8 text", code="invalid_request") from None
    if not text.strip():
        raise ClientError("empty import", code="invalid_request")
    return _service(request).import_entries(text, format, actor=_actor(request))


@router.post("/search")
def search_preview(request: Request, body: SearchBody) -> dict[str, Any]:
    """What a customer would get, without logging the question as uncovered."""
    result = _service(request).search(body.text, body.lang, body.channel, k=body.k, record=False)
    return result.to_dict()


class ShadowBody(BaseModel):
    questions: list[str] = Field(min_length=1, max_length=50)
    lang: Literal["zh-CN", "zh-TW", "en"] = "zh-CN"


@router.post("/shadow")
def shadow_check(request: Request, body: ShadowBody) -> dict[str, Any]:
    """Whether the bot answers these questions from the promotion rules or the catalogue
    instead of the knowledge base (then editing the entry's answer changes nothing)."""
    found = shadowing(kefu_of(request).dialogue, [q[:2000] for q in body.questions], body.lang)
    return found.to_dict() if found else {"shadowed": False}


@router.get("/gaps")
def gaps(
    request: Request,
    days: int = Query(30, ge=1, le=366),
    limit: int = Query(20, ge=1, le=200),
) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=days)
    return [c.to_dict() for c in _service(request).gaps(since=since, limit=limit)]


@router.get("/proposals")
def proposals(
    request: Request, status: Literal["pending", "approved", "rejected", "all"] = "pending"
) -> list[dict[str, Any]]:
    found = _service(request).proposals(None if status == "all" else status)
    return [p.to_dict() for p in found]


@router.post("/proposals", status_code=201)
def propose(request: Request, body: ProposalBody) -> dict[str, Any]:
    proposal = _service(request).propose(
        body.question, body.answer, body.lang, body.agent_id, entry_id=body.entry_id
    )
    return proposal.to_dict()


@router.post("/proposals/{proposal_id}/approve")
def approve(request: Request, proposal_id: str) -> dict[str, Any]:
    return _service(request).approve(proposal_id, reviewer=_actor(request)).to_dict()


@router.post("/proposals/{proposal_id}/reject")
def reject(request: Request, proposal_id: str) -> dict[str, Any]:
    return _service(request).reject(proposal_id, reviewer=_actor(request)).to_dict()
