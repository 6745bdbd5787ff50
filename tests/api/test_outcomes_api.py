"""The dashboard's true metrics and the rollout comparison, from real conversations."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kefu.wiring import Kefu
from tests.api.test_rollout import add_guests


def _login(client: TestClient, agent_id: str) -> dict[str, str]:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    return {"Authorization": f"Bearer {login.json()['token']}"}


def _say(client: TestClient, text: str, **who: str) -> dict[str, Any]:
    reply = client.post("/api/v1/messages", json={"channel": "web", "text": text, **who})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_a_refusal_is_not_a_resolution_and_a_needless_handoff_lowers_precision(
    client: TestClient,
) -> None:
    boss = _login(client, "S01")
    _say(client, "下单后多久发货？", customer_id="C1005")  # answered from the knowledge base
    refused = _say(client, "今天天气怎么样", customer_id="C1003")  # out of scope: refused
    assert refused["intent"] == "other" and not refused["handoff"]
    handed = _say(client, "转人工", customer_id="C1002")
    cid = handed["conversation_id"]
    assert client.post(f"/api/v1/agent/conversations/{cid}/accept", headers=boss).status_code == 200
    client.post(f"/api/v1/agent/conversations/{cid}/messages", json={"text": "您好"}, headers=boss)
    client.post(f"/api/v1/agent/conversations/{cid}/close", json={"resolution": "ok"}, headers=boss)
    rated = client.post(
        f"/api/v1/conversations/{cid}/rating", json={"customer_id": "C1002", "score": 5}
    )
    assert rated.status_code == 200, rated.text

    review = f"/api/v1/agent/conversations/{cid}/handoff-review"
    assert client.post(review, json={"needless": True}).status_code == 401
    assert client.post(review, json={"needless": "yes"}, headers=boss).status_code == 422
    other_agent = _login(client, "A03")  # never had this conversation
    assert client.post(review, json={"needless": True}, headers=other_agent).status_code == 403
    assert (
        client.post(review, json={"needless": True, "note": "FAQ 有答案"}, headers=boss).status_code
        == 200
    )

    assert client.get("/api/v1/analytics/outcomes").status_code == 401
    got = client.get("/api/v1/analytics/outcomes?hours=1", headers=boss)
    assert got.status_code == 200, got.text
    numbers = got.json()
    assert numbers["conversations"] == 3
    assert numbers["bot_resolution_rate"] == round(1 / 3, 4)  # only the answered question
    assert numbers["containment_rate"] == round(2 / 3, 4)  # the refusal was "contained"
    assert numbers["first_contact_resolution"] == round(2 / 3, 4)  # plus the agent's close
    assert numbers["handoff_precision"] == 0.0 and numbers["handoffs_reviewed"] == 1
    [s01] = [a for a in numbers["per_agent"] if a["agent_id"] == "S01"]
    assert s01["handled"] == 1 and s01["csat"] == 1.0 and s01["first_response_s"] is not None
    assert "bot_resolution_rate" in numbers["definitions"]


def test_the_rollout_comparison_shows_both_sides_with_intervals(
    client: TestClient, kefu: Kefu
) -> None:
    boss = _login(client, "S01")
    client.put("/api/v1/admin/rollout", json={"ai_share": 50}, headers=boss)
    for visitor in add_guests(kefu.db, 40):
        _say(client, "下单后多久发货？", channel_user_id=visitor)
    got = client.get("/api/v1/analytics/rollout?hours=1", headers=boss)
    assert got.status_code == 200, got.text
    sides = got.json()
    assert sides["config"]["ai_share"] == 50
    ai, people = sides["ai"], sides["people"]
    assert ai["conversations"] + people["conversations"] == 40
    assert ai["conversations"] > 5 and people["conversations"] > 5
    assert people["handoff_rate"]["value"] == 1.0 and ai["handoff_rate"]["value"] == 0.0
    assert ai["resolution"]["low"] <= ai["resolution"]["value"] <= ai["resolution"]["high"]
    assert ai["first_response_s"]["n"] == ai["conversations"]
    assert people["first_response_s"]["n"] == 0  # nobody answered them yet: no number
    assert sides["ai_minus_people"]["handoff_rate"]["value"] == -1.0


def test_complaint_rate_and_ticket_sla_compliance_from_a_small_history(
    client: TestClient, kefu: Kefu
) -> None:
    from datetime import UTC, datetime, timedelta

    from kefu.desk.ticket_work import update_ticket
    from kefu.domain.desk import TicketKind
    from kefu.domain.handoff import TicketRequest

    # four conversations, one of them a complaint
    _say(client, "下单后多久发货？", customer_id="C1005")
    _say(client, "可以开发票吗", customer_id="C1003")
    _say(client, "羽绒服有什么尺码", customer_id="C1001")
    angry = _say(client, "你们的快递员态度太差了，我要投诉！", customer_id="C1002")
    assert angry["intent"] == "complaint", angry

    # complaint tickets must be resolved within 4 hours of being opened
    now = datetime.now(UTC)
    supervisor = kefu.desk.agent("S01")

    def ticket(opened_h_ago: float, resolved_h_ago: float | None) -> str:
        opened = now - timedelta(hours=opened_h_ago)
        ticket_id = kefu.desk.open_ticket(
            TicketRequest(TicketKind.COMPLAINT, "C1006", "包裹破损", opened)
        )
        record = kefu.desk.tickets.get(ticket_id)
        assert record is not None and record.ticket.sla_due_at == opened + timedelta(hours=4)
        if resolved_h_ago is not None:
            at = now - timedelta(hours=resolved_h_ago)
            update_ticket(kefu.desk, supervisor, ticket_id, at, status="resolved")
        return ticket_id

    ticket(10, 7)  # due 6 h ago, resolved an hour before: met
    ticket(12, 9)  # met
    ticket(20, 17)  # met
    ticket(10, 3)  # resolved three hours late: missed
    ticket(10, None)  # overdue and still open: missed
    ticket(1, 0.5)  # resolved, but not due yet: not counted
    ticket(1, None)  # open, not due yet: not counted
    ticket(30, 29)  # due before the window: not counted

    got = client.get("/api/v1/analytics/outcomes?hours=24", headers=_login(client, "S01"))
    assert got.status_code == 200, got.text
    numbers = got.json()
    assert numbers["conversations"] == 4
    assert numbers["complaint_rate"] == 0.25
    assert numbers["ticket_sla"] == {"met": 3, "missed": 2, "compliance": 0.6}
    assert "complaint_rate" in numbers["definitions"]
    assert "ticket_sla_compliance" in numbers["definitions"]
