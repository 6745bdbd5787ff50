"""Steps the console tests share: a customer handed to the desk afresh, an agent's status, a
console signed in. The live server is shared by the whole session, so each step first clears
what earlier tests may have left (an open chat of the same customer)."""

from __future__ import annotations

import time
from typing import Any

from tests.web.conftest import LiveServer


def say(live: LiveServer, customer_id: str, text: str) -> dict[str, Any]:
    body = {"channel": "web", "customer_id": customer_id, "text": text}
    r = live.api("POST", "/api/v1/messages", json=body)
    assert r.status_code == 200, r.text
    reply: dict[str, Any] = r.json()
    return reply


def fresh_handoff(live: LiveServer, customer_id: str, text: str) -> dict[str, Any]:
    """The customer starts over and asks for a person: their queue entry, as routed now."""
    hello = say(live, customer_id, "hello" if customer_id == "C1004" else "你好")
    if hello["status"] in ("waiting_agent", "with_agent"):
        closed = live.api(
            "POST",
            f"/api/v1/agent/conversations/{hello['conversation_id']}/close",
            headers=live.login("S01"),
            json={"resolution": "test reset"},
        )
        assert closed.status_code == 200, closed.text
    asked = say(live, customer_id, text)
    assert asked["status"] == "waiting_agent", asked
    entries = live.api("GET", "/api/v1/agent/supervisor/queues", headers=live.login("S01")).json()[
        "entries"
    ]
    entry = next(e for e in entries if e["conversation_id"] == asked["conversation_id"])
    return dict(entry)


def give_to(live: LiveServer, conversation_id: str, agent_id: str) -> None:
    """A supervisor hands the chat to the agent, who accepts it (through the API)."""
    r = live.api(
        "POST",
        f"/api/v1/agent/supervisor/conversations/{conversation_id}/reassign",
        headers=live.login("S01"),
        json={"agent_id": agent_id},
    )
    assert r.status_code == 200, r.text
    r = live.api(
        "POST",
        f"/api/v1/agent/conversations/{conversation_id}/accept",
        headers=live.login(agent_id),
    )
    assert r.status_code == 200, r.text


def status_of(live: LiveServer, agent_id: str) -> str:
    agents = live.api("GET", "/api/v1/agent/supervisor/agents", headers=live.login("S01")).json()
    return str(next(a["status"] for a in agents if a["agent_id"] == agent_id))


def wait_status(live: LiveServer, agent_id: str, wanted: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while status_of(live, agent_id) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"{agent_id} is {status_of(live, agent_id)}, not {wanted}")
        time.sleep(0.1)


def set_status(live: LiveServer, agent_id: str, status: str) -> None:
    r = live.api(
        "POST", "/api/v1/agent/status", headers=live.login(agent_id), json={"status": status}
    )
    assert r.status_code == 200, r.text


def sign_in(console: Any, agent: str, path: str = "/console") -> None:
    console.goto(path)
    console.fill("[data-testid=login-agent]", agent)
    console.fill("[data-testid=login-password]", "demo")
    console.click("[data-testid=login-submit]")
    console.locator("[data-testid=queue]").wait_for()


def close_chat(live: LiveServer, conversation_id: str) -> None:
    """Leave the shared server as found: the customer's next message goes to the bot again."""
    r = live.api(
        "POST",
        f"/api/v1/agent/conversations/{conversation_id}/close",
        headers=live.login("S01"),
        json={"resolution": "test done"},
    )
    assert r.status_code in (200, 409), r.text
