"""Admin API of the desk's agents: list with their load, create, and change (issue #7).

Supervisors and admins manage agents. Passwords are stored as argon2 hashes only. An agent's
status changes through the desk, so going away or offline hands its offers and chats back.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.api.auth import current_admin, get_desk
from kefu.desk.errors import Invalid
from kefu.desk.passwords import hash_password
from kefu.desk.ports import AgentStore
from kefu.desk.service import Desk
from kefu.domain.customers import Lang
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill
from kefu.edge.problems import Conflict, NotFound

router = APIRouter(
    prefix="/api/v1/admin/agents", tags=["admin"], dependencies=[Depends(current_admin)]
)

AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
LANGS = tuple(lang.value for lang in Lang)  # the shop's languages and the cross-border ones
MIN_PASSWORD = 8


class _ManagedAgents(AgentStore, Protocol):
    """What the SQL agent store adds to the desk's port for the admin."""

    def add(self, agent: Agent, password_hash: str) -> None: ...
    def update(self, agent: Agent, password_hash: str | None = None) -> bool: ...


def _agents(desk: Desk) -> _ManagedAgents:
    return cast(_ManagedAgents, desk.agents)


def _unique(values: list[str], field: str) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError(f"{field} lists a value twice")
    return values


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("skills", check_fields=False)
    @classmethod
    def _skills(cls, value: list[Skill] | None) -> list[Skill] | None:
        return None if value is None else [Skill(s) for s in _unique(list(value), "skills")]

    @field_validator("langs", check_fields=False)
    @classmethod
    def _langs(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = [v for v in value if v not in LANGS]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r}; one of {', '.join(LANGS)}")
        return _unique(list(value), "langs")


class CreateBody(_Profile):
    id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=MIN_PASSWORD, max_length=200)
    role: AgentRole = AgentRole.AGENT
    skills: list[Skill] = Field(min_length=1)
    langs: list[str] = Field(default_factory=lambda: ["zh-CN"], min_length=1)
    max_chats: int = Field(default=5, ge=1, le=50, strict=True)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not AGENT_ID.match(value):
            raise ValueError("id is letters, digits, '-' and '_' (at most 32)")
        return value


class PatchBody(_Profile):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=200)
    role: AgentRole | None = None
    skills: list[Skill] | None = Field(default=None, min_length=1)
    langs: list[str] | None = Field(default=None, min_length=1)
    max_chats: int | None = Field(default=None, ge=1, le=50, strict=True)
    status: AgentStatus | None = None


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


@router.get("")
def list_agents(desk: Desk = Depends(get_desk)) -> list[dict[str, Any]]:
    """Every agent with its profile and current load (chats held + offered, against max_chats)."""
    return [_wire(a.agent, a.active, a.offered) for a in desk.agent_loads()]


@router.get("/skills")
def known_skills() -> dict[str, list[str]]:
    """What the forms may offer: skills, languages, roles and statuses."""
    return {
        "skills": [s.value for s in Skill],
        "langs": list(LANGS),
        "roles": [r.value for r in AgentRole],
        "statuses": [s.value for s in AgentStatus],
    }


@router.post("", status_code=201)
def create_agent(body: CreateBody, desk: Desk = Depends(get_desk)) -> dict[str, Any]:
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


@router.patch("/{agent_id}")
def change_agent(
    agent_id: str,
    body: PatchBody,
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
