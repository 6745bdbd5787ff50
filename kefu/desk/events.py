"""What the desk publishes on SharedState so websocket layers can push it, and who may do what."""

from __future__ import annotations

from typing import Any

from kefu.domain.conversations import Message
from kefu.domain.desk import Agent, AgentRole

QUEUE_CHANNEL = "desk:queue"


def conversation_channel(conversation_id: str) -> str:
    """Everything the customer of this conversation should see, as it happens."""
    return f"conv:{conversation_id}"


def agent_channel(agent_id: str) -> str:
    """Offers, escalations and tickets for one agent's console."""
    return f"agent:{agent_id}"


def message_dict(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "seq": m.seq,
        "sender": m.sender.value,
        "text": m.text,
        "at": m.at.isoformat(),
        "kind": m.kind,
        "agent_id": m.agent_id,
        # a photo the customer sent: its id and type (the bytes come from the image routes)
        "image": m.meta.get("image") if m.meta else None,
    }


def is_supervisor(agent: Agent) -> bool:
    return agent.role in (AgentRole.SUPERVISOR, AgentRole.ADMIN)
