"""The agent side of the contract (section 3): login, queue, accept, read, reply, close;
plus transfer, status, tickets, supervisor views, and the customer's satisfaction rating."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kefu.api.auth import current_agent, get_desk, issue_token, verify_token
from kefu.api.deps import get_kefu
from kefu.desk import canned, ticket_work
from kefu.desk.errors import Invalid
from kefu.desk.events import is_supervisor, message_dict
from kefu.desk.passwords import demo_hash, verify_password
from kefu.desk.service import Desk
from kefu.domain.desk import Agent, AgentStatus, TicketStatus
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.limits import check_login, login_failed, login_succeeded
from kefu.edge.problems import Unauthorized
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1")


def _now() -> datetime:
    return datetime.now(UTC)


class LoginBody(BaseModel):
    agent_id: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=200)
    # the dashboard and admin pages sign in without taking chats
    keep_status: bool = False


class ConsoleClosedBody(BaseModel):
    token: str = Field(min_length=1, max_length=2000)


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class CloseBody(BaseModel):
    resolution: str = Field(default="", max_length=2000)


class TransferBody(BaseModel):
    to_agent: str | None = Field(default=None, max_length=32)
    to_skill: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=500)


class StatusBody(BaseModel):
    status: AgentStatus


class ProposeBody(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    answer: str = Field(min_length=1, max_length=4000)
    entry_id: str | None = Field(default=None, max_length=64)


class TicketUpdateBody(BaseModel):
    status: str | None = None
    assignee: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)
    fields: dict[str, Any] | None = None


class StepBody(BaseModel):
    department: str = Field(min_length=1, max_length=32)
    status: str = Field(default="pending", max_length=16)
    note: str = Field(default="", max_length=500)


class ReassignBody(BaseModel):
    agent_id: str = Field(min_length=1, max_length=32)


class RatingBody(BaseModel):
    customer_id: str = Field(min_length=1, max_length=32)
    score: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=2000)


def _agent_dict(agent: Agent) -> dict[str, Any]:
    return {
        "agent_id": agent.id,
        "name": agent.name,
        "role": agent.role.value,
        "status": agent.status.value,
        "skills": [s.value for s in agent.skills],
        "langs": list(agent.langs),
        "max_chats": agent.max_chats,
    }


# ---- session ------------------------------------------------------------------------------------


@router.post("/agent/login")
def login(body: LoginBody, request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    # locked per agent and address with backoff: a stranger's guesses never lock the agent out
    address = check_login(kefu, request, body.agent_id)
    desk: Desk = kefu.desk
    stored = desk.agents.password_hash(body.agent_id)
    # verify against a dummy hash for unknown ids so timing does not reveal which ids exist
    ok = verify_password(stored or demo_hash("not-a-password"), body.password)
    agent = desk.agents.get(body.agent_id) if ok and stored else None
    if agent is None:
        login_failed(kefu, body.agent_id, address)
        raise Unauthorized("wrong agent id or password")
    login_succeeded(kefu, body.agent_id, address)
    settings = kefu.settings
    token = issue_token(agent.id, agent.role.value, settings.secret_key, settings.agent_token_ttl_s)
    # an agent signing in to work is ready for chats; a supervisor or admin takes chats only
    # when they choose to (presence in the console), never by opening a page
    if agent.status is AgentStatus.OFFLINE and not body.keep_status and not is_supervisor(agent):
        desk.set_status(agent, AgentStatus.ONLINE, _now())
    return {
        "token": token,
        "agent_id": agent.id,
        "role": agent.role.value,
        "expires_in": settings.agent_token_ttl_s,
    }


@router.get("/agent/me")
def me(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> dict[str, Any]:
    load = next((a for a in desk.agent_loads() if a.agent.id == agent.id), None)
    return {
        **_agent_dict(agent),
        "active": load.active if load else 0,
        "offered": load.offered if load else 0,
    }


@router.get("/agent/colleagues")
def colleagues(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    """Who a chat can be transferred to: every other agent with status, skills and room."""
    return [
        {
            "agent_id": a.agent.id,
            "name": a.agent.name,
            "role": a.agent.role.value,
            "status": a.agent.status.value,
            "skills": [s.value for s in a.agent.skills],
            "langs": list(a.agent.langs),
            "load": a.load,
            "max_chats": a.agent.max_chats,
        }
        for a in desk.agent_loads()
        if a.agent.id != agent.id
    ]


@router.post("/agent/logout")
def logout(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> dict[str, Any]:
    """Signing out goes offline: no new chats, open ones go back to the queue for others."""
    desk.set_status(agent, AgentStatus.OFFLINE, _now())
    return {"status": AgentStatus.OFFLINE.value}


@router.post("/agent/console-closed")
def console_closed(body: ConsoleClosedBody, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    """The last console tab closed (a beacon, which cannot carry headers, so the token is in the
    body): offline for new chats, but the open chats stay the agent's for a reload or return."""
    claims = verify_token(body.token, kefu.settings.secret_key)
    desk: Desk = kefu.desk
    agent = desk.agents.get(claims.agent_id)
    if agent is None:
        raise Unauthorized("unknown agent")
    desk.set_status(agent, AgentStatus.OFFLINE, _now(), hand_back_chats=False)
    return {"status": AgentStatus.OFFLINE.value}


@router.post("/agent/status")
def set_status(
    body: StatusBody, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    desk.set_status(agent, body.status, _now())
    return {"status": body.status.value}


# ---- queue and conversations --------------------------------------------------------------------


@router.get("/agent/queue")
def queue(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    return desk.queue_for(agent, _now())


@router.get("/agent/conversations")
def my_conversations(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    """The agent's open chats: customer name, last message and unread count for each."""
    return desk.my_conversations(agent)


@router.post("/agent/next")
def take_next(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    conversation_id = desk.pick_next(agent, _now())
    if conversation_id is None:
        return Response(status_code=204)
    return {"conversation_id": conversation_id, "status": "with_agent"}


@router.post("/agent/conversations/{conversation_id}/accept")
def accept(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, str]:
    desk.accept(agent, conversation_id, _now())
    return {"status": "with_agent"}


@router.get("/agent/conversations/{conversation_id}")
def conversation(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return desk.view(agent, conversation_id, _now())


@router.get("/agent/conversations/{conversation_id}/suggestions")
def suggestions(
    conversation_id: str,
    message_id: str | None = None,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> Any:
    return desk.suggestions_for(agent, conversation_id, message_id, _now())


@router.get("/agent/conversations/{conversation_id}/llm-assist")
def llm_assist(
    conversation_id: str,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """The shop's model, when configured: a hand-over summary and a reply draft to edit (the
    draft is held to the chat's and the orders' facts like the bot's rewrites)."""
    from kefu.llm.desk import assist_for

    return assist_for(kefu, desk, agent, conversation_id)


@router.get("/agent/conversations/{conversation_id}/canned-replies")
def canned_replies(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> Any:
    """快捷语 for this conversation, its placeholders filled from the customer and the order."""
    return canned.for_conversation(desk, agent, conversation_id)


@router.post("/agent/conversations/{conversation_id}/messages")
def send(
    conversation_id: str,
    body: TextBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return message_dict(desk.send(agent, conversation_id, body.text, _now()))


@router.post("/agent/conversations/{conversation_id}/transfer")
def transfer(
    conversation_id: str,
    body: TransferBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    entry = desk.transfer(
        agent,
        conversation_id,
        _now(),
        to_agent=body.to_agent,
        to_skill=body.to_skill,
        note=body.note,
    )
    return {"status": "waiting_agent", "skill": entry.skill, "routed_to": entry.routed_to}


@router.post("/agent/conversations/{conversation_id}/close")
def close(
    conversation_id: str,
    body: CloseBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    survey = desk.close(agent, conversation_id, body.resolution, _now())
    return {"status": "closed", "survey_id": survey.id}


@router.post("/agent/conversations/{conversation_id}/propose", status_code=202)
def propose(
    conversation_id: str,
    body: ProposeBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    result = desk.propose_answer(agent, conversation_id, body.question, body.answer, body.entry_id)
    proposal_id = getattr(result, "id", result if isinstance(result, str) else None)
    return {"status": "proposed", "proposal_id": proposal_id}


# ---- tickets ------------------------------------------------------------------------------------


@router.get("/agent/tickets")
def tickets(
    status: str | None = None,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> Any:
    try:
        wanted = TicketStatus(status) if status else None
    except ValueError:
        raise Invalid(f"unknown ticket status {status}") from None
    return ticket_work.list_tickets(desk, agent, wanted)


@router.get("/agent/tickets/{ticket_id}")
def ticket(
    ticket_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return ticket_work.ticket_detail(desk, agent, ticket_id)


@router.patch("/agent/tickets/{ticket_id}")
def update_ticket(
    ticket_id: str,
    body: TicketUpdateBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return ticket_work.update_ticket(
        desk,
        agent,
        ticket_id,
        _now(),
        status=body.status,
        assignee=body.assignee,
        note=body.note,
        fields=body.fields,
    )


@router.post("/agent/tickets/{ticket_id}/steps", status_code=201)
def add_step(
    ticket_id: str,
    body: StepBody,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return ticket_work.add_step(
        desk, agent, ticket_id, body.department, body.status, body.note, _now()
    )


# ---- supervisors --------------------------------------------------------------------------------


def current_supervisor(
    agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> Agent:
    desk.require_supervisor(agent)
    return agent


@router.get("/agent/supervisor/queues")
def all_queues(
    _: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return desk.queue_overview(_now())


@router.get("/agent/supervisor/agents")
def all_agents(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    return [
        {**_agent_dict(a.agent), "active": a.active, "offered": a.offered, "load": a.load}
        for a in desk.agent_loads()
    ]


@router.get("/agent/supervisor/chats")
def live_chats(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    """Every chat being served now, with its agent, for the supervisor's view."""
    return desk.live_chats(_now())


@router.post("/agent/supervisor/conversations/{conversation_id}/reassign")
def reassign(
    conversation_id: str,
    body: ReassignBody,
    supervisor: Agent = Depends(current_supervisor),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    desk.reassign(supervisor, conversation_id, body.agent_id, _now())
    return {"conversation_id": conversation_id, "agent_id": body.agent_id}


@router.post("/agent/supervisor/jobs/run")
def run_jobs(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    return desk.run_jobs(_now())


# ---- the customer's side of the survey -----------------------------------------------------------


@router.post("/conversations/{conversation_id}/rating")
def rate(
    conversation_id: str,
    body: RatingBody,
    request: Request,
    desk: Desk = Depends(get_desk),
    kefu: Kefu = Depends(get_kefu),
) -> Any:
    # production: only the customer themself (their signed token) rates their conversation
    customer_id = identify_customer(kefu.settings, body.customer_id, token_from(request))
    survey = desk.rate(conversation_id, str(customer_id), body.score, body.comment, _now())
    return {"survey_id": survey.id, "score": survey.score, "comment": survey.comment}
