"""The operations side's answers match their declared wire models, key for key.

Each route is called as a client would, after real traffic (messages, a handoff handled by a
supervisor, a photo, an order event, an import), and its JSON body is validated against the model
the route declares. The models forbid extra keys, so a key a handler adds, renames or forgets
fails here instead of silently changing what clients receive.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from kefu.api.app import create_app
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import (
    AgentFiguresOut,
    AlertOut,
    AuditEventOut,
    CustomerExportOut,
    ErasedOut,
    HandoffReviewOut,
    HealthOut,
    ImageMessageOut,
    ImportReportOut,
    LiveOut,
    NoticeNumbersOut,
    OrderEventOut,
    OutcomesOut,
    OverviewOut,
    PlanOut,
    PreferencesOut,
    PromisesOut,
    ReadyOut,
    RetentionOut,
    RevealOut,
    RolloutAuditOut,
    RolloutOut,
    RolloutSidesOut,
    StaffingOut,
)
from kefu.channels.webhook import signed_headers
from kefu.config import Settings
from kefu.resources import data_path
from kefu.store.alerts_repo import SqlAlerts
from kefu.wiring import Kefu
from tests.web.test_chat_image import png

SECRET = "kefu-webhook-demo-secret"  # the demo shop's webhook secret


def _login(client: TestClient, agent_id: str) -> dict[str, str]:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def _valid(model: type[BaseModel], response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    model.model_validate(body)  # extra="forbid": an undeclared key fails
    return body


def _valid_list(model: type[BaseModel], response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
    return body


def _error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    ErrorOut.model_validate(response.json())
    found: str = response.json()["error"]["code"]
    assert found == code
    message: str = response.json()["error"]["message"]
    return message


def _event(event_id: str, kind: str, **data: str) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "type": kind,
            "order_id": "E2026111000006",  # C1004's, paid, not shipped
            "customer_id": "C1004",
            "at": datetime.now(UTC).isoformat(),
            "data": data,
        },
        ensure_ascii=False,
    ).encode()


def test_every_answer_of_the_operations_routes_matches_its_model(
    client: TestClient, kefu: Kefu
) -> None:
    boss = _login(client, "S01")

    # the rollout, changed and read back; bad bodies keep the rollout's own error
    rollout = "/api/v1/admin/rollout"
    changed = _valid(RolloutOut, client.put(rollout, json={"ai_share": 100}, headers=boss))
    assert changed["ai_share"] == 100 and changed["updated_by"] == "S01"
    assert _valid(RolloutOut, client.get(rollout, headers=boss)) == changed
    message = _error(client.put(rollout, json={"nope": 1}, headers=boss), 422, "invalid_rollout")
    assert message == "unknown fields: nope"
    _error(client.put(rollout, json={"ai_share": True}, headers=boss), 422, "invalid_rollout")
    _error(client.put(rollout, content=b"{", headers=boss), 422, "invalid_rollout")
    [entry] = _valid_list(RolloutAuditOut, client.get(f"{rollout}/audit", headers=boss))
    assert entry["after"]["ai_share"] == 100

    # a conversation handed to a person, with a photo, closed, rated and reviewed
    for text, customer in (("下单后多久发货？", "C1005"), ("转人工", "C1002")):
        said = client.post(
            "/api/v1/messages", json={"channel": "web", "text": text, "customer_id": customer}
        )
        assert said.status_code == 200, said.text
    conversation = said.json()["conversation_id"]
    agent_side = f"/api/v1/agent/conversations/{conversation}"
    assert client.post(f"{agent_side}/accept", headers=boss).status_code == 200
    client.post(f"{agent_side}/messages", json={"text": "您好"}, headers=boss)
    photo = _valid(
        ImageMessageOut,
        client.post(
            f"/api/v1/conversations/{conversation}/images",
            params={"customer_id": "C1002"},
            content=png(),
            headers={"content-type": "image/png"},
        ),
        201,
    )
    assert photo["sender"] == "customer" and photo["image"]["content_type"] == "image/png"
    shown = client.get(f"/api/v1/images/{photo['image']['id']}", params={"customer_id": "C1002"})
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    revealed = _valid(
        RevealOut,
        client.post(
            f"{agent_side}/reveal", json={"field": "phone", "reason": "courier"}, headers=boss
        ),
    )
    assert revealed["field"] == "phone" and revealed["value"]
    client.post(f"{agent_side}/close", json={"resolution": "ok"}, headers=boss)
    client.post(
        f"/api/v1/conversations/{conversation}/rating", json={"customer_id": "C1002", "score": 5}
    )
    review = f"{agent_side}/handoff-review"
    reviewed = _valid(
        HandoffReviewOut, client.post(review, json={"needless": True, "note": "FAQ"}, headers=boss)
    )
    assert reviewed == {"conversation_id": conversation, "needless": True}
    _error(client.post(review, json={"needless": "yes"}, headers=boss), 422, "invalid_request")

    # the dashboard
    overview = _valid(OverviewOut, client.get("/api/v1/analytics/overview?hours=1", headers=boss))
    assert overview["totals"]["handoffs"] == 1
    agents = _valid(AgentFiguresOut, client.get("/api/v1/analytics/agents?hours=1", headers=boss))
    assert any(a["agent_id"] == "S01" and a["chats_closed"] == 1 for a in agents["agents"])
    staffing = "/api/v1/analytics/staffing?arrivals_per_hour=100"
    assert _valid(StaffingOut, client.get(staffing, headers=boss))["agents"] >= 1
    plan = _valid(PlanOut, client.get("/api/v1/analytics/plan?hours=3", headers=boss))
    assert len(plan["hours"]) == 3
    SqlAlerts(kefu.db).raise_once("wire-test", "staff_short", datetime.now(UTC), {"short": 2})
    [alert] = _valid_list(AlertOut, client.get("/api/v1/analytics/alerts", headers=boss))
    assert alert["kind"] == "staff_short" and alert["detail"] == {"short": 2}
    promises = _valid(PromisesOut, client.get("/api/v1/analytics/promises", headers=boss))
    assert promises["urgent_tickets"]["tier"] == "urgent_ticket"
    outcomes = _valid(OutcomesOut, client.get("/api/v1/analytics/outcomes?hours=1", headers=boss))
    assert outcomes["conversations"] == 2 and outcomes["handoffs_reviewed"] == 1
    sides = _valid(RolloutSidesOut, client.get("/api/v1/analytics/rollout?hours=1", headers=boss))
    assert sides["config"]["ai_share"] == 100

    # order events, notice preferences and their numbers
    body = _event("evt-wire", "order.shipped", carrier="顺丰速运", tracking_no="SF1234567890")
    headers = signed_headers(SECRET, body, time.time())
    applied = _valid(
        OrderEventOut, client.post("/api/v1/events/orders", content=body, headers=headers), 202
    )
    assert applied["order_status"] == "shipped" and not applied["duplicate"]
    preferences = "/api/v1/notices/preferences"
    prefs = _valid(
        PreferencesOut,
        client.put(preferences, json={"customer_id": "C1004", "opted_out": ["satisfaction"]}),
    )
    assert prefs == {"customer_id": "C1004", "time_zone": None, "opted_out": ["satisfaction"]}
    bad = client.put(preferences, json={"customer_id": "C1004", "opted_out": ["spam"]})
    assert _error(bad, 400, "invalid_request").startswith("opted_out must list categories")
    numbers = _valid(NoticeNumbersOut, client.get("/api/v1/analytics/notices", headers=boss))
    assert numbers["sent"] + numbers["held"] == 1  # held when the suite runs in quiet hours

    # an import
    products = data_path("import", "products.csv").read_bytes()
    imported = _valid(
        ImportReportOut,
        client.post(
            "/api/v1/admin/import/products",
            content=products,
            headers={**boss, "Content-Type": "text/csv"},
        ),
    )
    assert imported["kind"] == "products" and imported["imported"] == 3

    # privacy: the audit log, a customer's export and erasure, retention
    audit = _valid_list(AuditEventOut, client.get("/api/v1/admin/audit", headers=boss))
    assert any(e["action"] == "view_personal_data" for e in audit)
    export = _valid(
        CustomerExportOut, client.get("/api/v1/admin/customers/C1002/export", headers=boss)
    )
    assert export["customer"]["id"] == "C1002" and export["conversations"]
    erased = _valid(ErasedOut, client.post("/api/v1/admin/customers/C1003/erase", headers=boss))
    assert erased == {"customer_id": "C1003", "erased": True}
    retention = _valid(RetentionOut, client.post("/api/v1/admin/retention/run", headers=boss))
    assert set(retention) == {"messages", "orders", "requests", "customers"}

    # health
    assert _valid(HealthOut, client.get("/healthz")) == {"status": "ok"}
    assert _valid(LiveOut, client.get("/livez")) == {"status": "alive"}
    ready = _valid(ReadyOut, client.get("/readyz"))
    assert ready["checks"]["database"] == {"ok": True}  # no "error" key when the check passed


# (method, path, success status) of every route answering JSON
JSON_ROUTES = [
    ("get", "/api/v1/analytics/overview", "200"),
    ("get", "/api/v1/analytics/agents", "200"),
    ("get", "/api/v1/analytics/staffing", "200"),
    ("get", "/api/v1/analytics/plan", "200"),
    ("get", "/api/v1/analytics/alerts", "200"),
    ("get", "/api/v1/analytics/promises", "200"),
    ("get", "/api/v1/analytics/outcomes", "200"),
    ("get", "/api/v1/analytics/rollout", "200"),
    ("post", "/api/v1/agent/conversations/{conversation_id}/handoff-review", "200"),
    ("get", "/api/v1/admin/rollout", "200"),
    ("put", "/api/v1/admin/rollout", "200"),
    ("get", "/api/v1/admin/rollout/audit", "200"),
    ("get", "/healthz", "200"),
    ("get", "/livez", "200"),
    ("get", "/readyz", "200"),
    ("post", "/api/v1/agent/conversations/{conversation_id}/reveal", "200"),
    ("get", "/api/v1/admin/audit", "200"),
    ("get", "/api/v1/admin/customers/{customer_id}/export", "200"),
    ("post", "/api/v1/admin/customers/{customer_id}/erase", "200"),
    ("post", "/api/v1/admin/retention/run", "200"),
    ("post", "/api/v1/events/orders", "202"),
    ("put", "/api/v1/notices/preferences", "200"),
    ("get", "/api/v1/analytics/notices", "200"),
    ("post", "/api/v1/admin/import/{kind}", "200"),
    ("post", "/api/v1/conversations/{conversation_id}/images", "201"),
]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app(settings=Settings()).openapi()
    return document


@pytest.mark.parametrize(("method", "path", "status"), JSON_ROUTES)
def test_the_openapi_document_declares_each_json_answer(
    openapi: dict[str, Any], method: str, path: str, status: str
) -> None:
    responses = openapi["paths"][path][method]["responses"]
    schema = responses[status]["content"]["application/json"]["schema"]
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    assert ref, schema  # a named model, not FastAPI's empty schema
    declared = openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert declared["additionalProperties"] is False and declared["properties"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/admin/rollout"),
        ("put", "/api/v1/notices/preferences"),
        ("post", "/api/v1/agent/conversations/{conversation_id}/handoff-review"),
        ("post", "/api/v1/agent/conversations/{conversation_id}/reveal"),
        ("post", "/api/v1/events/orders"),
    ],
)
def test_the_openapi_document_declares_each_json_request_body(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    body = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]
    assert body["schema"], path


def test_photos_are_documented_as_images_not_json(openapi: dict[str, Any]) -> None:
    for path in ("/api/v1/images/{upload_id}", "/api/v1/agent/images/{upload_id}"):
        content = openapi["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"image/jpeg", "image/png"} <= set(content) and "application/json" not in content
