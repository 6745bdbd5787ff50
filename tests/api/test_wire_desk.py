"""The desk's wire models say exactly what the agent, supervisor and admin routes answer: every
route is called as a client would, and its body must validate against the declared model in
strict mode with no key left over (a key the model forgets, renames or retypes fails here), and
the OpenAPI document declares each JSON route's success schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from kefu.api.routes import admin_agents, admin_words, agent, desk_notes
from kefu.api.schemas import ErrorOut
from kefu.api.schemas import desk as wire
from kefu.config import Settings
from kefu.dialogue.safety import CATEGORY_KINDS
from kefu.domain.handoff import HandoffReason
from kefu.wiring import Kefu
from tests.desk.support import desk_of, handoff, new_conversation
from tests.web.test_chat_image import png

DESK_MODULES = (agent, desk_notes, admin_agents, admin_words)


@pytest.fixture
def api(kefu: Kefu) -> Iterator[TestClient]:
    desk_of(kefu)
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


def _valid(model: Any, response: httpx.Response, status: int = 200) -> Any:
    """The body, validated strictly (no int for a string, no float for an int, no extra key)."""
    assert response.status_code == status, response.text
    return TypeAdapter(model).validate_json(response.content, strict=True)


def _login(api: TestClient, agent_id: str) -> dict[str, str]:
    r = api.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    login = _valid(wire.LoginOut, r)
    assert login.agent_id == agent_id
    return {"Authorization": f"Bearer {login.token}"}


def _waiting(kefu: Kefu, customer_id: str, text: str, **kw: Any) -> str:
    now = datetime.now(UTC)
    conv = new_conversation(kefu.db, customer_id, now, text=text)
    kefu.desk.hand_off(handoff(conv, now, **kw))
    return conv.id


def test_the_agents_session_answers_as_declared(kefu: Kefu, api: TestClient) -> None:
    a01 = _login(api, "A01")
    me = _valid(wire.MeOut, api.get("/api/v1/agent/me", headers=a01))
    assert me.agent_id == "A01" and me.status == "online"
    others = _valid(list[wire.ColleagueOut], api.get("/api/v1/agent/colleagues", headers=a01))
    assert {c.agent_id for c in others} >= {"A02", "A03"} and "A01" not in {
        c.agent_id for c in others
    }
    away = api.post("/api/v1/agent/status", headers=a01, json={"status": "away"})
    assert _valid(wire.StatusOut, away).status == "away"
    # nothing waits: 204 with no body, as before the models
    api.post("/api/v1/agent/status", headers=a01, json={"status": "online"})
    nothing = api.post("/api/v1/agent/next", headers=a01)
    assert nothing.status_code == 204 and nothing.content == b""
    conv = _waiting(kefu, "C1002", "优惠券怎么用", intent="coupon")
    taken = _valid(wire.TakenOut, api.post("/api/v1/agent/next", headers=a01))
    assert taken.conversation_id == conv and taken.status == "with_agent"
    chats = _valid(list[wire.OpenChatOut], api.get("/api/v1/agent/conversations", headers=a01))
    assert chats[0].conversation_id == conv and chats[0].last_message is not None
    token = a01["Authorization"].removeprefix("Bearer ")
    closed_tab = api.post("/api/v1/agent/console-closed", json={"token": token})
    assert _valid(wire.StatusOut, closed_tab).status == "offline"
    assert _valid(wire.StatusOut, api.post("/api/v1/agent/logout", headers=a01)).status == (
        "offline"
    )


def test_a_conversation_from_queue_to_rating_answers_as_declared(
    kefu: Kefu, api: TestClient
) -> None:
    conv = _waiting(
        kefu,
        "C1003",
        "我的订单E2026110100004到哪了",
        intent="logistics",
        vip="platinum",
        entities={"order_id": "E2026110100004"},
    )
    photo = api.post(
        f"/api/v1/conversations/{conv}/images",
        params={"customer_id": "C1003"},
        content=png(),
        headers={"content-type": "image/png"},
    )
    assert photo.status_code == 201, photo.text
    a02, s01 = _login(api, "A02"), _login(api, "S01")
    base = f"/api/v1/agent/conversations/{conv}"

    queue = _valid(list[wire.QueueEntryOut], api.get("/api/v1/agent/queue", headers=a02))
    assert conv in {q.conversation_id for q in queue}
    overview = _valid(
        wire.QueueOverviewOut, api.get("/api/v1/agent/supervisor/queues", headers=s01)
    )
    assert overview.groups and conv in {e.conversation_id for e in overview.entries}
    assert _valid(wire.AcceptedOut, api.post(base + "/accept", headers=a02)).status == (
        "with_agent"
    )

    view = _valid(wire.ConversationViewOut, api.get(base, headers=a02))
    assert view.conversation.agent_id == "A02" and view.customer is not None
    assert any(m.image is not None for m in view.messages)
    assert view.orders and view.orders[0].items and view.tickets
    suggested = _valid(list[wire.SuggestionOut], api.get(base + "/suggestions", headers=a02))
    assert all(s.text for s in suggested)
    assist = _valid(wire.LlmAssistOut, api.get(base + "/llm-assist", headers=a02))
    assert assist.available is False  # no model configured in tests
    canned = _valid(list[wire.CannedReplyOut], api.get(base + "/canned-replies", headers=a02))
    assert canned and all(c.shortcut for c in canned)
    sent = _valid(
        wire.DeskMessageOut, api.post(base + "/messages", headers=a02, json={"text": "您好"})
    )
    assert sent.sender == "agent" and sent.image is None

    note = _valid(
        wire.NoteOut, api.post(base + "/notes", headers=a02, json={"text": "老客户"}), 201
    )
    assert note.kind == "note" and note.to_agent is None
    tags = _valid(wire.TagsOut, api.put(base + "/tags", headers=a02, json={"tags": ["物流"]}))
    assert tags.tags == ["物流"]
    whisper = api.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/whisper",
        headers=s01,
        json={"text": "先查物流"},
    )
    assert _valid(wire.NoteOut, whisper, 201).to_agent == "A02"
    notes = _valid(wire.NotesOut, api.get(base + "/notes", headers=a02))
    assert [n.kind for n in notes.notes] == ["note", "whisper"] and notes.tags == ["物流"]

    proposed = api.post(
        base + "/propose", headers=a02, json={"question": "多久到", "answer": "两到三天。"}
    )
    assert _valid(wire.ProposedOut, proposed, 202).proposal_id

    tickets = _valid(list[wire.TicketOut], api.get("/api/v1/agent/tickets", headers=a02))
    ticket = next(t for t in tickets if t.conversation_id == conv)
    filtered = api.get("/api/v1/agent/tickets", headers=s01, params={"status": ticket.status.value})
    assert ticket.id in {t.id for t in _valid(list[wire.TicketOut], filtered)}
    step = api.post(
        f"/api/v1/agent/tickets/{ticket.id}/steps",
        headers=a02,
        json={"department": "courier", "status": "pending", "note": "催件"},
    )
    assert _valid(wire.StepAddedOut, step, 201).customer_message_id
    detail = _valid(
        wire.TicketDetailOut, api.get(f"/api/v1/agent/tickets/{ticket.id}", headers=a02)
    )
    assert detail.steps and detail.events and detail.status == "in_progress"
    patched = api.patch(
        f"/api/v1/agent/tickets/{ticket.id}",
        headers=a02,
        json={"note": "已联系快递", "fields": {"courier_ticket": "K1"}},
    )
    assert _valid(wire.TicketOut, patched).fields["courier_ticket"] == "K1"

    live = _valid(list[wire.LiveChatOut], api.get("/api/v1/agent/supervisor/chats", headers=s01))
    assert conv in {c.conversation_id for c in live}
    loads = _valid(list[wire.AgentLoadOut], api.get("/api/v1/agent/supervisor/agents", headers=s01))
    assert next(a for a in loads if a.agent_id == "A02").active >= 1
    ran = _valid(wire.JobsRunOut, api.post("/api/v1/agent/supervisor/jobs/run", headers=s01))
    assert ran.escalated >= 0 and ran.reassigned >= 0
    a03 = _login(api, "A03")
    moved = api.post(
        f"/api/v1/agent/supervisor/conversations/{conv}/reassign",
        headers=s01,
        json={"agent_id": "A03"},
    )
    assert _valid(wire.ReassignedOut, moved).agent_id == "A03"
    transferred = api.post(
        base + "/transfer", headers=a03, json={"to_agent": "A02", "note": "物流问题"}
    )
    assert _valid(wire.TransferredOut, transferred).routed_to == "A02"
    api.post(base + "/accept", headers=a02)
    closed = _valid(
        wire.ClosedOut, api.post(base + "/close", headers=a02, json={"resolution": "ok"})
    )
    rated = api.post(
        f"/api/v1/conversations/{conv}/rating",
        json={"customer_id": "C1003", "score": 5, "comment": "很快"},
    )
    assert _valid(wire.RatedOut, rated).survey_id == closed.survey_id


def test_another_agents_conversation_is_refused_in_the_declared_error_shape(
    kefu: Kefu, api: TestClient
) -> None:
    conv = _waiting(
        kefu, "C1001", "我要投诉", intent="return_refund", reason=HandoffReason.COMPLAINT
    )
    # routed to A02 (after-sales), who takes it: the pre-sales agent may not read it
    api.post(f"/api/v1/agent/conversations/{conv}/accept", headers=_login(api, "A02"))
    refused = api.get(f"/api/v1/agent/conversations/{conv}", headers=_login(api, "A01"))
    assert _valid(ErrorOut, refused, 403).error.code == "forbidden"


def test_the_admin_of_agents_and_words_answers_as_declared(api: TestClient) -> None:
    s01 = _login(api, "S01")
    agents = "/api/v1/admin/agents"
    listed = _valid(list[wire.ManagedAgentOut], api.get(agents, headers=s01))
    assert {"A01", "S01"} <= {a.id for a in listed}
    options = _valid(wire.AgentOptionsOut, api.get(agents + "/skills", headers=s01))
    assert "zh-CN" in options.langs and "offline" in options.statuses
    body = {"id": "A90", "name": "小周", "password": "long-enough-1", "skills": ["pre_sales"]}
    created = _valid(wire.ManagedAgentOut, api.post(agents, headers=s01, json=body), 201)
    assert created.status == "offline" and created.load == 0
    changed = api.patch(agents + "/A90", headers=s01, json={"max_chats": 3, "langs": ["en"]})
    assert _valid(wire.ManagedAgentOut, changed).max_chats == 3

    words = "/api/v1/admin/sensitive-words"
    shown = _valid(list[wire.WordOut], api.get(words, headers=s01))
    assert {w.source for w in shown} == {"shipped"}
    word = {"word": "Lightning", "category": "custom"}
    added = _valid(wire.WordOut, api.post(words, headers=s01, json=word), 201)
    assert added.word == "lightning" and added.replacement is None and added.source == "shop"
    again = api.post(words, headers=s01, json={**word, "replacement": "fast"})
    assert _valid(wire.WordOut, again).replacement == "fast"
    gone = api.delete(words + "/lightning", headers=s01)
    assert gone.status_code == 204 and gone.content == b""


def test_the_word_categories_of_the_wire_are_the_filters_categories() -> None:
    assert set(get_args(wire.WordCategory)) == set(CATEGORY_KINDS)


def test_the_openapi_document_declares_each_desk_routes_answer(tmp_path: Path) -> None:
    from kefu.api.app import create_app

    doc = create_app(settings=Settings(data_dir=tmp_path)).openapi()
    # included as they are (no extra prefix): each module's routes are the app's
    routes = [r for m in DESK_MODULES for r in m.router.routes if isinstance(r, APIRoute)]
    assert len(routes) == 39
    for route in routes:
        for method in route.methods:
            answers = doc["paths"][route.path_format][method.lower()]["responses"]
            status = str(route.status_code or 200)
            if status == "204":  # no body: nothing to declare but the status
                assert route.response_model is None and status in answers
                continue
            assert route.response_model is not None, route.path
            schema = answers[status]["content"]["application/json"]["schema"]
            assert schema.get("$ref") or schema.get("items"), (route.path, schema)
            assert "401" in answers and "$ref" in str(answers["401"]), route.path
