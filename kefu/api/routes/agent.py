"""The agent side of the contract (section 3): login, queue, accept, read, reply, close;
plus transfer, status, tickets, supervisor views, and the customer's satisfaction rating."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kefu.api.auth import current_agent, get_desk, issue_token, verify_token
from kefu.api.deps import get_kefu
from kefu.api.schemas.desk import (
    AcceptedOut,
    AgentLoadOut,
    CannedReplyOut,
    ClosedOut,
    CloseIn,
    ColleagueOut,
    ConsoleClosedIn,
    ConversationViewOut,
    DeskMessageOut,
    JobsRunOut,
    LiveChatOut,
    LlmAssistOut,
    LoginIn,
    LoginOut,
    MeOut,
    OpenChatOut,
    ProposedOut,
    ProposeIn,
    QueueEntryOut,
    QueueOverviewOut,
    RatedOut,
    RatingIn,
    ReassignedOut,
    ReassignIn,
    StatusIn,
    StatusOut,
    StepAddedOut,
    StepIn,
    SuggestionOut,
    TakenOut,
    TextIn,
    TicketDetailOut,
    TicketOut,
    TicketUpdateIn,
    TransferIn,
    TransferredOut,
    error_responses,
)
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


@router.post("/agent/login", response_model=LoginOut, responses=error_responses(401, 422, 429, 503))
def login(body: LoginIn, request: Request, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
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


@router.get("/agent/me", response_model=MeOut, responses=error_responses(401))
def me(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> dict[str, Any]:
    load = next((a for a in desk.agent_loads() if a.agent.id == agent.id), None)
    return {
        **_agent_dict(agent),
        "active": load.active if load else 0,
        "offered": load.offered if load else 0,
    }


@router.get("/agent/colleagues", response_model=list[ColleagueOut], responses=error_responses(401))
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


@router.post("/agent/logout", response_model=StatusOut, responses=error_responses(401))
def logout(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> dict[str, Any]:
    """Signing out goes offline: no new chats, open ones go back to the queue for others."""
    desk.set_status(agent, AgentStatus.OFFLINE, _now())
    return {"status": AgentStatus.OFFLINE.value}


@router.post("/agent/console-closed", response_model=StatusOut, responses=error_responses(401, 422))
def console_closed(body: ConsoleClosedIn, kefu: Kefu = Depends(get_kefu)) -> dict[str, Any]:
    """The last console tab closed (a beacon, which cannot carry headers, so the token is in the
    body): offline for new chats, but the open chats stay the agent's for a reload or return."""
    claims = verify_token(body.token, kefu.settings.secret_key)
    desk: Desk = kefu.desk
    agent = desk.agents.get(claims.agent_id)
    if agent is None:
        raise Unauthorized("unknown agent")
    desk.set_status(agent, AgentStatus.OFFLINE, _now(), hand_back_chats=False)
    return {"status": AgentStatus.OFFLINE.value}


@router.post("/agent/status", response_model=StatusOut, responses=error_responses(401, 422))
def set_status(
    body: StatusIn, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    desk.set_status(agent, body.status, _now())
    return {"status": body.status.value}


# ---- queue and conversations --------------------------------------------------------------------


@router.get("/agent/queue", response_model=list[QueueEntryOut], responses=error_responses(401))
def queue(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    return desk.queue_for(agent, _now())


@router.get(
    "/agent/conversations", response_model=list[OpenChatOut], responses=error_responses(401, 503)
)
def my_conversations(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    """The agent's open chats: customer name, last message and unread count for each."""
    return desk.my_conversations(agent)


@router.post(
    "/agent/next",
    response_model=TakenOut,
    responses={204: {"description": "nothing is waiting for this agent"}, **error_responses(401)},
)
def take_next(agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)) -> Any:
    conversation_id = desk.pick_next(agent, _now())
    if conversation_id is None:
        return Response(status_code=204)
    return {"conversation_id": conversation_id, "status": "with_agent"}


@router.post(
    "/agent/conversations/{conversation_id}/accept",
    response_model=AcceptedOut,
    responses=error_responses(401, 403, 404, 409),
)
def accept(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, str]:
    desk.accept(agent, conversation_id, _now())
    return {"status": "with_agent"}


@router.get(
    "/agent/conversations/{conversation_id}",
    response_model=ConversationViewOut,
    responses=error_responses(401, 403, 404, 503),
)
def conversation(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return desk.view(agent, conversation_id, _now())


@router.get(
    "/agent/conversations/{conversation_id}/suggestions",
    response_model=list[SuggestionOut],
    responses=error_responses(401, 403, 404),
)
def suggestions(
    conversation_id: str,
    message_id: str | None = None,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> Any:
    return desk.suggestions_for(agent, conversation_id, message_id, _now())


@router.get(
    "/agent/conversations/{conversation_id}/llm-assist",
    response_model=LlmAssistOut,
    responses=error_responses(401, 403, 404),
)
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


@router.get(
    "/agent/conversations/{conversation_id}/canned-replies",
    response_model=list[CannedReplyOut],
    responses=error_responses(401, 403, 404),
)
def canned_replies(
    conversation_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> Any:
    """快捷语 for this conversation, its placeholders filled from the customer and the order."""
    return desk.canned.for_conversation(agent, conversation_id)


@router.post(
    "/agent/conversations/{conversation_id}/messages",
    response_model=DeskMessageOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def send(
    conversation_id: str,
    body: TextIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return message_dict(desk.send(agent, conversation_id, body.text, _now()))


@router.post(
    "/agent/conversations/{conversation_id}/transfer",
    response_model=TransferredOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def transfer(
    conversation_id: str,
    body: TransferIn,
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


@router.post(
    "/agent/conversations/{conversation_id}/close",
    response_model=ClosedOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def close(
    conversation_id: str,
    body: CloseIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    survey = desk.close(agent, conversation_id, body.resolution, _now())
    return {"status": "closed", "survey_id": survey.id}


@router.post(
    "/agent/conversations/{conversation_id}/propose",
    status_code=202,
    response_model=ProposedOut,
    responses=error_responses(401, 403, 404, 422, 503),
)
def propose(
    conversation_id: str,
    body: ProposeIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    result = desk.propose_answer(agent, conversation_id, body.question, body.answer, body.entry_id)
    proposal_id = getattr(result, "id", result if isinstance(result, str) else None)
    return {"status": "proposed", "proposal_id": proposal_id}


# ---- tickets ------------------------------------------------------------------------------------


@router.get("/agent/tickets", response_model=list[TicketOut], responses=error_responses(401, 422))
def tickets(
    status: str | None = None,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> Any:
    try:
        wanted = TicketStatus(status) if status else None
    except ValueError:
        raise Invalid(f"unknown ticket status {status}") from None
    return desk.ticket_work.visible_to(agent, wanted)


@router.get(
    "/agent/tickets/{ticket_id}",
    response_model=TicketDetailOut,
    responses=error_responses(401, 403, 404),
)
def ticket(
    ticket_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return desk.ticket_work.detail(agent, ticket_id)


@router.patch(
    "/agent/tickets/{ticket_id}",
    response_model=TicketOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def update_ticket(
    ticket_id: str,
    body: TicketUpdateIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return desk.ticket_work.update(
        agent,
        ticket_id,
        _now(),
        status=body.status,
        assignee=body.assignee,
        note=body.note,
        fields=body.fields,
    )


@router.post(
    "/agent/tickets/{ticket_id}/steps",
    status_code=201,
    response_model=StepAddedOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def add_step(
    ticket_id: str,
    body: StepIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    return desk.ticket_work.add_step(
        agent, ticket_id, body.department, body.status, body.note, _now()
    )


# ---- supervisors --------------------------------------------------------------------------------


def current_supervisor(
    agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> Agent:
    desk.require_supervisor(agent)
    return agent


@router.get(
    "/agent/supervisor/queues", response_model=QueueOverviewOut, responses=error_responses(401, 403)
)
def all_queues(
    _: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)
) -> dict[str, Any]:
    return desk.queue_overview(_now())


@router.get(
    "/agent/supervisor/agents",
    response_model=list[AgentLoadOut],
    responses=error_responses(401, 403),
)
def all_agents(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    return [
        {**_agent_dict(a.agent), "active": a.active, "offered": a.offered, "load": a.load}
        for a in desk.agent_loads()
    ]


@router.get(
    "/agent/supervisor/chats", response_model=list[LiveChatOut], responses=error_responses(401, 403)
)
def live_chats(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    """Every chat being served now, with its agent, for the supervisor's view."""
    return desk.live_chats(_now())


@router.post(
    "/agent/supervisor/conversations/{conversation_id}/reassign",
    response_model=ReassignedOut,
    responses=error_responses(401, 403, 404, 409, 422),
)
def reassign(
    conversation_id: str,
    body: ReassignIn,
    supervisor: Agent = Depends(current_supervisor),
    desk: Desk = Depends(get_desk),
) -> dict[str, Any]:
    desk.reassign(supervisor, conversation_id, body.agent_id, _now())
    return {"conversation_id": conversation_id, "agent_id": body.agent_id}


@router.post(
    "/agent/supervisor/jobs/run", response_model=JobsRunOut, responses=error_responses(401, 403)
)
def run_jobs(_: Agent = Depends(current_supervisor), desk: Desk = Depends(get_desk)) -> Any:
    return desk.run_jobs(_now())


# ---- the customer's side of the survey -----------------------------------------------------------


@router.post(
    "/conversations/{conversation_id}/rating",
    response_model=RatedOut,
    responses=error_responses(401, 404, 409, 422),
)
def rate(
    conversation_id: str,
    body: RatingIn,
    request: Request,
    desk: Desk = Depends(get_desk),
    kefu: Kefu = Depends(get_kefu),
) -> Any:
    # production: only the customer themself (their signed token) rates their conversation
    customer_id = identify_customer(kefu.settings, body.customer_id, token_from(request))
    survey = desk.rate(conversation_id, str(customer_id), body.score, body.comment, _now())
    return {"survey_id": survey.id, "score": survey.score, "comment": survey.comment}
