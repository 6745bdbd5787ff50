"""The dashboard over a date range and per agent: a chat an agent served and closed, and the
rating the customer gave, show up in that agent's figures for today's range and not for a past
one; a bad range is a clear 422; agents (not supervisors) are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient


def _login(client: TestClient, agent_id: str) -> dict[str, str]:
    r = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_per_agent_figures_over_a_date_range(client: TestClient) -> None:
    s01, a02 = _login(client, "S01"), _login(client, "A02")
    asked = client.post(
        "/api/v1/messages", json={"channel": "wechat", "customer_id": "C1006", "text": "转人工"}
    ).json()
    conv = asked["conversation_id"]
    base = f"/api/v1/agent/conversations/{conv}"
    moved = client.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/reassign",
        json={"agent_id": "A02"},
        headers=s01,
    )
    assert moved.status_code == 200, moved.text
    assert client.post(base + "/accept", headers=a02).status_code == 200
    assert client.post(base + "/messages", json={"text": "您好"}, headers=a02).status_code == 200
    assert client.post(base + "/messages", json={"text": "已处理"}, headers=a02).status_code == 200
    assert client.post(base + "/close", json={"resolution": "ok"}, headers=a02).status_code == 200
    rated = client.post(
        f"/api/v1/conversations/{conv}/rating", json={"customer_id": "C1006", "score": 5}
    )
    assert rated.status_code == 200, rated.text

    today = datetime.now(UTC).date()
    # a day either side: the shop's day (Beijing) may already be tomorrow in UTC terms
    span = {
        "start": (today - timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
    }
    figures = client.get("/api/v1/analytics/agents", params=span, headers=s01)
    assert figures.status_code == 200, figures.text
    mine = next(a for a in figures.json()["agents"] if a["agent_id"] == "A02")
    assert mine["chats_closed"] >= 1 and mine["replies"] >= 2 and mine["chats_replied"] >= 1
    assert mine["ratings"] >= 1 and mine["avg_score"] is not None
    assert mine["avg_handle_s"] is not None and mine["avg_handle_s"] >= 0
    idle = next(a for a in figures.json()["agents"] if a["agent_id"] == "A03")
    assert idle["replies"] == 0 and idle["avg_score"] is None

    # the overview over the same range counts the chat on its channel
    overview = client.get("/api/v1/analytics/overview", params=span, headers=s01).json()
    assert overview["channels"].get("wechat", 0) >= 1
    # a past range holds none of it
    past = {"start": "2020-01-01", "end": "2020-01-02"}
    old = client.get("/api/v1/analytics/agents", params=past, headers=s01).json()
    assert all(a["replies"] == 0 and a["chats_closed"] == 0 for a in old["agents"])
    assert (
        client.get("/api/v1/analytics/overview", params=past, headers=s01).json()["totals"][
            "conversations"
        ]
        == 0
    )

    for bad in (
        {"start": "2026-11-11"},
        {"start": "yesterday", "end": "2026-11-11"},
        {"start": "2026-11-12", "end": "2026-11-11"},
        {"start": "2026-01-01", "end": "2026-03-01"},
        {"start": "2026-11-11", "end": "2026-13-01"},
    ):
        for path in ("/api/v1/analytics/agents", "/api/v1/analytics/overview"):
            r = client.get(path, params=bad, headers=s01)
            assert r.status_code == 422, (path, bad, r.text)
            assert r.json()["error"]["message"]
    assert client.get("/api/v1/analytics/agents", headers=a02).status_code == 403
    assert client.get("/api/v1/analytics/agents").status_code == 401
