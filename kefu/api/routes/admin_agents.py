"""Admin API of the desk's agents: list with their load, create, and change (issue #7).

Supervisors and admins manage agents. Passwords are stored as argon2 hashes only. An agent's
status changes through the desk, so going away or offline hands its offers and chats back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol, cast

from fastapi import APIRouter, Depends

from kefu.api.auth import current_admin, get_desk
from kefu.api.schemas.desk import (
    LANGS,
    AgentCreateIn,
    AgentOptionsOut,
    AgentPatchIn,
    ManagedAgentOut,
    error_responses,
)
from kefu.desk.errors import Invalid
from kefu.desk.passwords import hash_password
from kefu.desk.ports import AgentStore
from kefu.desk.service import Desk
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill
from kefu.edge.problems import Conflict, NotFound

router = APIRouter(
    prefix="/api/v1/admin/agents", tags=["admin"], dependencies=[Depends(current_admin)]
)


class _ManagedAgents(AgentStore, Protocol):
    """What the SQL agent store adds to the desk's port for the admin."""

    def add(self, agent: Agent, password_hash: str) -> None: ...
    def update(self, agent: Agent, password_hash: str | None = None) -> bool: ...


def _agents(desk: Desk) -> _ManagedAgents:
    return cast(_ManagedAgents, desk.agents)


def _wire(agent: Agent, active: int = 0, offered: int = 0) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "role": agent.role.value,
        "skills": [s.value for s in agent.skills],
        "langs": list(agent.langs),
        "max_chats": agent.max_chats,
        "status": agent.status.value,
        "active": active,
        "offered": offered,
        "load": active + offered,
    }


def _with_load(desk: Desk, agent_id: str) -> dict[str, Any]:
    for entry in desk.agent_loads():
        if entry.agent.id == agent_id:
            return _wire(entry.agent, entry.active, entry.offered)
    raise NotFound(f"no agent {agent_id!r}")


@router.get("", response_model=list[ManagedAgentOut], responses=error_responses(401, 403))
def list_agents(desk: Desk = Depends(get_desk)) -> list[dict[str, Any]]:
    """Every agent with its profile and current load (chats held + offered, against max_chats)."""
    return [_wire(a.agent, a.active, a.offered) for a in desk.agent_loads()]


@router.get("/skills", response_model=AgentOptionsOut, responses=error_responses(401, 403))
def known_skills() -> dict[str, list[str]]:
    """What the forms may offer: skills, languages, roles and statuses."""
    return {
        "skills": [s.value for s in Skill],
        "langs": list(LANGS),
        "roles": [r.value for r in AgentRole],
        "statuses": [s.value for s in AgentStatus],
    }


@router.post(
    "",
    status_code=201,
    response_model=ManagedAgentOut,
    responses=error_responses(401, 403, 409, 422),
)
def create_agent(body: AgentCreateIn, desk: Desk = Depends(get_desk)) -> dict[str, Any]:
    if desk.agents.get(body.id) is not None:
        raise Conflict(f"agent {body.id!r} already exists")
    agent = Agent(
        id=body.id,
        name=body.name.strip(),
        role=body.role,
        skills=tuple(body.skills),
        max_chats=body.max_chats,
        status=AgentStatus.OFFLINE,
        langs=tuple(body.langs),
    )
    _agents(desk).add(agent, hash_password(body.password))
    return _wire(agent)


@router.patch(
    "/{agent_id}",
    response_model=ManagedAgentOut,
    responses=error_responses(401, 403, 404, 422),
)
def change_agent(
    agent_id: str,
    body: AgentPatchIn,
    admin: Agent = Depends(current_admin),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    agent = desk.agents.get(agent_id)
    if agent is None:
        raise NotFound(f"no agent {agent_id!r}")
    if body.role is not None and agent.id == admin.id and body.role is not agent.role:
        # so the last supervisor cannot lock everyone out of the admin by accident
        raise Invalid("you cannot change your own role; ask another supervisor")
    changed = Agent(
        id=agent.id,
        name=body.name.strip() if body.name is not None else agent.name,
        role=body.role or agent.role,
        skills=tuple(body.skills) if body.skills is not None else agent.skills,
        max_chats=body.max_chats if body.max_chats is not None else agent.max_chats,
        status=agent.status,
        langs=tuple(body.langs) if body.langs is not None else agent.langs,
    )
    password_hash = hash_password(body.password) if body.password is not None else None
    saved = (changed == agent and password_hash is None) or _agents(desk).update(
        changed, password_hash
    )
    if not saved:
        raise NotFound(f"no agent {agent_id!r}")
    if body.status is not None and body.status is not agent.status:
        desk.set_status(changed, body.status, datetime.now(UTC))
    return _with_load(desk, agent_id)
