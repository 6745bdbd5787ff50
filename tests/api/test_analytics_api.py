"""The dashboard's API: supervisors only, and numbers that follow real messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kefu.wiring import Kefu


@pytest.fixture
def api(kefu: Kefu) -> Iterator[TestClient]:
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


def _login(api: TestClient, agent_id: str) -> dict[str, str]:
    r = api.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _say(api: TestClient, customer: str, text: str) -> dict[str, object]:
    r = api.post("/api/v1/messages", json={"channel": "web", "customer_id": customer, "text": text})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_only_supervisors_and_admins_see_analytics(api: TestClient) -> None:
    assert api.get("/api/v1/analytics/overview").status_code == 401
    refused = api.get("/api/v1/analytics/overview", headers=_login(api, "A01"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert api.get("/api/v1/analytics/overview", headers=_login(api, "S01")).status_code == 200
    assert api.get("/api/v1/analytics/staffing?arrivals_per_hour=10").status_code == 401


def test_the_overview_counts_real_messages_and_handoffs(api: TestClient) -> None:
    s01 = _login(api, "S01")
    before = api.get("/api/v1/analytics/overview?hours=1", headers=s01).json()
    _say(api, "C1001", "我的订单到哪了")
    handed = _say(api, "C1002", "我要找人工")
    assert handed["status"] == "waiting_agent"

    after = api.get("/api/v1/analytics/overview?hours=1", headers=s01).json()
    totals = after["totals"]
    assert totals["customer_messages"] == before["totals"]["customer_messages"] + 2
    assert totals["handoffs"] == before["totals"]["handoffs"] + 1
    assert after["handoff_rate"] == pytest.approx(
        totals["handoffs"] / totals["conversations_with_customer_messages"], abs=1e-4
    )
    assert after["bot_resolution_rate"] == pytest.approx(1 - after["handoff_rate"], abs=1e-4)
    assert after["first_response_s"]["count"] >= 2
    assert after["queue"]["waiting"] >= 1
    assert sum(b["customer"] for b in after["series"]) == totals["customer_messages"]
    intents = {i["intent"] for i in after["top_intents"]}
    assert "human_agent" in intents


def test_ratings_show_in_satisfaction(api: TestClient) -> None:
    conversation = str(_say(api, "C1002", "我要找人工")["conversation_id"])
    s01 = _login(api, "S01")
    assert api.post(f"/api/v1/agent/conversations/{conversation}/accept", headers=s01).is_success
    closed = api.post(
        f"/api/v1/agent/conversations/{conversation}/close", headers=s01, json={"resolution": "ok"}
    )
    assert closed.status_code == 200, closed.text
    rated = api.post(
        f"/api/v1/conversations/{conversation}/rating",
        json={"customer_id": "C1002", "score": 4},
    )
    assert rated.status_code == 200, rated.text
    satisfaction = api.get("/api/v1/analytics/overview", headers=s01).json()["satisfaction"]
    assert satisfaction["answered"] == 1 and satisfaction["average"] == 4.0
    assert satisfaction["csat"] == 1.0


def test_staffing_answers_a_planners_what_if(api: TestClient) -> None:
    s01 = _login(api, "S01")
    plan = api.get(
        "/api/v1/analytics/staffing?arrivals_per_hour=600&aht_s=240&concurrency=3", headers=s01
    )
    assert plan.status_code == 200
    assert plan.json()["agents"] >= 14 // 3 and plan.json()["service_level"] >= 0.8
    too_big = api.get(
        "/api/v1/analytics/staffing?arrivals_per_hour=10000000&aht_s=3600", headers=s01
    )
    assert too_big.status_code == 400 and "erlangs" in too_big.json()["error"]["message"]
    bad = api.get("/api/v1/analytics/overview?hours=0", headers=s01)
    assert bad.status_code == 422 or bad.status_code == 400
