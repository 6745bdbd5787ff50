"""The chat page's WebSocket (``/api/v1/ws/chat``) and the typing signals around it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, WebSocket
from fastapi.concurrency import run_in_threadpool

from kefu.api.auth import current_agent, get_desk
from kefu.api.deps import get_kefu
from kefu.api.schemas.shop import AgentTypingOut, CustomerTypingOut, TypingIn, errors
from kefu.channels.web_chat import ChatSession, typing_key
from kefu.desk.events import conversation_channel
from kefu.desk.service import Desk
from kefu.domain.desk import Agent
from kefu.wiring import Kefu

router = APIRouter()


@router.websocket("/api/v1/ws/chat")
async def chat_socket(websocket: WebSocket) -> None:
    """The customer's live chat. A WebSocket, so outside the OpenAPI document: its frames are
    JSON objects with a ``type`` (``ready``, ``ack``, ``message``, ``typing``, ``read``,
    ``error``...), defined and handled in ``kefu.channels.web_chat.ChatSession``."""
    await ChatSession(websocket, websocket.app.state.kefu).run()


# an agent's calls: no or a bad token, a conversation the agent may not see (or none)
_AGENT_ERRORS = errors(401, 403, 404)


@router.get(
    "/api/v1/agent/conversations/{conversation_id}/typing",
    response_model=CustomerTypingOut,
    responses=_AGENT_ERRORS,
)
async def customer_typing(
    conversation_id: str,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """Whether the customer is typing now (the console polls it or listens on the socket)."""
    await run_in_threadpool(desk.check_access, agent, conversation_id)
    typing = await run_in_threadpool(kefu.state.get, typing_key(conversation_id))
    return {"conversation_id": conversation_id, "customer_typing": bool(typing)}


@router.post(
    "/api/v1/agent/conversations/{conversation_id}/typing",
    response_model=AgentTypingOut,
    responses={**_AGENT_ERRORS, **errors(422)},
)
async def agent_typing(
    conversation_id: str,
    body: TypingIn,
    agent: Agent = Depends(current_agent),
    desk: Desk = Depends(get_desk),
    kefu: Kefu = Depends(get_kefu),
) -> dict[str, Any]:
    """The agent is typing: the customer's chat page shows it."""
    await run_in_threadpool(desk.check_access, agent, conversation_id)
    event = json.dumps({"type": "typing", "sender": "agent", "on": body.on})
    await run_in_threadpool(kefu.state.publish, conversation_channel(conversation_id), event)
    return {"conversation_id": conversation_id, "on": body.on}
