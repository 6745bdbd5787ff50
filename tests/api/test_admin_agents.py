"""The agents admin: supervisors create and change agents; the changes take effect at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

AGENTS = "/api/v1/admin/agents"
NEW = {
    "id": "A10",
    "name": "陈晨",
    "password": "s3cret-pass",
    "role": "agent",
    "skills": ["after_sales", "logistics"],
    "langs": ["zh-CN"],
    "max_chats": 4,
}


def _login(client: TestClient, agent_id: str, password: str = "demo") -> Any:
    return client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": password})


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {_login(client, 'S01').json()['token']}"}


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


def test_lists_agents_with_profile_and_current_load(
    client: TestClient, admin: dict[str, str]
) -> None:
    agents = {a["id"]: a for a in client.get(AGENTS, headers=admin).json()}
    assert set(agents) == {"A01", "A02", "A03", "A04", "A05", "A06", "S01"}
    assert agents["A03"]["langs"] == ["en"] and "english" in agents["A03"]["skills"]
    assert (
        agents["S01"]["role"] == "supervisor" and agents["S01"]["status"] == "offline"
    )  # a supervisor is not routed chats by signing in
    assert agents["A01"]["load"] == 0 and agents["A01"]["max_chats"] == 5
    known = client.get(f"{AGENTS}/skills", headers=admin).json()
    assert "vip" in known["skills"] and known["langs"][:3] == ["zh-CN", "zh-TW", "en"]
    assert {"ja", "es", "ar"} <= set(known["langs"])  # agents of the cross-border languages


def test_a_created_agent_logs_in_with_its_password_and_appears_offline(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = client.post(AGENTS, json=NEW, headers=admin)
    assert created.status_code == 201
    assert created.json()["status"] == "offline" and "password" not in created.json()
    assert _login(client, "A10", "wrong-password").status_code == 401
    assert _login(client, "A10", "s3cret-pass").json()["role"] == "agent"
    assert _error(client.post(AGENTS, json=NEW, headers=admin), 409)


def test_changes_skills_limits_role_status_and_password(
    client: TestClient, admin: dict[str, str]
) -> None:
    changed = client.patch(
        f"{AGENTS}/A01",
        json={"skills": ["pre_sales", "english"], "langs": ["zh-CN", "en"], "max_chats": 8},
        headers=admin,
    ).json()
    assert changed["skills"] == ["pre_sales", "english"] and changed["max_chats"] == 8
    assert changed["name"] == "张敏" and changed["langs"] == ["zh-CN", "en"]

    promoted = client.patch(f"{AGENTS}/A01", json={"role": "supervisor"}, headers=admin)
    assert promoted.json()["role"] == "supervisor"
    token = _login(client, "A01").json()["token"]  # the new supervisor reaches the admin now
    assert client.get(AGENTS, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    away = client.patch(f"{AGENTS}/A01", json={"status": "away"}, headers=admin)
    assert away.json()["status"] == "away"

    client.patch(f"{AGENTS}/A02", json={"password": "a-new-password"}, headers=admin)
    assert _login(client, "A02").status_code == 401
    assert _login(client, "A02", "a-new-password").status_code == 200


INVALID_CHANGES: list[tuple[dict[str, Any], str]] = [
    ({"skills": ["cooking"]}, "skills"),
    ({"skills": []}, "skills"),
    ({"skills": ["vip", "vip"]}, "skills"),
    ({"langs": ["xx"]}, "langs"),
    ({"max_chats": 0}, "max_chats"),
    ({"max_chats": 51}, "max_chats"),
    ({"max_chats": "5"}, "max_chats"),
    ({"role": "owner"}, "role"),
    ({"status": "asleep"}, "status"),
    ({"password": "short"}, "password"),
    ({"salary": 100}, "salary"),
]


def test_invalid_changes_are_refused_naming_the_field(
    client: TestClient, admin: dict[str, str]
) -> None:
    for change, field in INVALID_CHANGES:
        message = _error(client.patch(f"{AGENTS}/A02", json=change, headers=admin), 422)
        assert field in message, (change, message)
    a02 = next(a for a in client.get(AGENTS, headers=admin).json() if a["id"] == "A02")
    assert a02["skills"] == ["after_sales", "logistics", "vip"] and a02["max_chats"] == 5


def test_unknown_agents_own_role_and_plain_agents_are_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert _error(client.patch(f"{AGENTS}/A99", json={"max_chats": 3}, headers=admin), 404)
    assert "own role" in _error(
        client.patch(f"{AGENTS}/S01", json={"role": "agent"}, headers=admin), 422
    )
    bad_id = client.post(AGENTS, json={**NEW, "id": "no spaces"}, headers=admin)
    assert "id" in _error(bad_id, 422)
    agent = {"Authorization": f"Bearer {_login(client, 'A01').json()['token']}"}
    assert _error(client.get(AGENTS, headers=agent), 403)
    assert _error(client.patch(f"{AGENTS}/A01", json={"max_chats": 50}, headers=agent), 403)
    assert _error(client.post(AGENTS, json=NEW), 401)
