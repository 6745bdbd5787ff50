"""The shop side's answers on the wire are exactly what their models in ``kefu.api.schemas.shop``
declare: every key, nothing more (the models forbid extra keys), values unchanged by a round trip
through the model; and the OpenAPI document says what each JSON route answers.

Each route is called through the real app as a client calls it. SQLite by default; the tests over
stored rules and entries also run on PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from kefu.api.app import create_app
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.shop import (
    AgentTypingOut,
    CouponOut,
    CustomerTypingOut,
    DemoConversationOut,
    DemoCustomerOut,
    EntryOut,
    EntryVersionOut,
    GapOut,
    ImportResultOut,
    LeftMessageOut,
    OrderCardOut,
    ParseOut,
    PromotionDetailOut,
    PromotionImportOut,
    PromotionOut,
    ProposalOut,
    QuoteOut,
    SearchOut,
    ShadowOut,
    WebhookAcceptedOut,
    WebhookReplyOut,
    WidgetConfigOut,
    WidgetProductOut,
    WidgetRatingOut,
)
from kefu.channels.hub import channels_of
from kefu.config import Settings
from kefu.wiring import Kefu
from tests.channels.support import BOTH_BACKENDS, database_url, login, post_webhook

__all__ = ["database_url"]  # the fixture: SQLite, or both backends where BOTH_BACKENDS says

KB = "/api/v1/admin/kb"
ADMIN = "/api/v1/admin"
ENTRY = {
    "id": "gift-wrap",
    "question": "可以礼品包装吗？",
    "variants": ["能帮我包成礼物吗"],
    "answers": {"zh-CN": "可以，下单时备注即可。", "en": "Yes, add a note when ordering."},
    "tags": ["service"],
    "valid_from": "2026-01-01T00:00:00Z",
}


def wire(shape: Any, response: httpx.Response, status: int = 200) -> Any:
    """The body of ``response``, held to ``shape``: strictly typed as JSON, no key the model lacks,
    and the model gives back exactly what was sent (no key added, no value changed)."""
    assert response.status_code == status, response.text
    adapter: TypeAdapter[Any] = TypeAdapter(shape)
    parsed = adapter.validate_json(response.content, strict=True)
    body = response.json()
    assert adapter.dump_python(parsed, mode="json", exclude_unset=True) == body
    return body


# ---- knowledge base -----------------------------------------------------------------------------


@BOTH_BACKENDS
def test_the_knowledge_admin_answers_as_its_models_say(client: TestClient) -> None:
    client.headers.update(login(client, "S01"))
    entries = wire(list[EntryOut], client.get(f"{KB}/entries"))
    assert entries and all(e["deleted"] is False for e in entries)
    created = wire(EntryOut, client.post(f"{KB}/entries", json=ENTRY), 201)
    assert created["valid_from"] == "2026-01-01T00:00:00+00:00" and created["valid_to"] is None
    wire(EntryOut, client.get(f"{KB}/entries/gift-wrap"))
    updated = client.put(f"{KB}/entries/gift-wrap", json={"tags": ["service", "gift"]})
    assert wire(EntryOut, updated)["version"] == 2
    versions = wire(list[EntryVersionOut], client.get(f"{KB}/entries/gift-wrap/versions"))
    assert [v["version"] for v in versions] == [1, 2]
    rolled = client.post(f"{KB}/entries/gift-wrap/rollback", json={"version": 1})
    assert wire(EntryOut, rolled)["tags"] == ["service"]

    exported = client.get(f"{KB}/export?format=json")
    assert exported.headers["content-type"].startswith("application/json")
    result = client.post(f"{KB}/import?format=json", content=exported.content)
    assert wire(ImportResultOut, result) == {
        "created": 0,
        "updated": 0,
        "unchanged": len(entries) + 1,
    }

    found = wire(SearchOut, client.post(f"{KB}/search", json={"text": "可以礼品包装吗"}))
    assert found["hits"] and found["hits"][0]["entry_id"] == "gift-wrap"
    # nothing else answers a gift-wrapping question: the bare answer, no other key
    alone = client.post(f"{KB}/shadow", json={"questions": ["可以礼品包装吗"]})
    assert wire(ShadowOut, alone) == {"shadowed": False}
    shadowed = client.post(f"{KB}/shadow", json={"questions": ["纯棉圆领T恤买两件多少钱"]})
    assert set(wire(ShadowOut, shadowed)) == {
        "shadowed",
        "question",
        "intent",
        "source",
        "bot_answer",
    }

    kb = client.app.state.kefu.knowledge  # type: ignore[attr-defined]
    for text in ("你们有实体店吗", "线下有实体门店吗"):
        kb.search(text)
    gaps = wire(list[GapOut], client.get(f"{KB}/gaps"))
    assert gaps and gaps[0]["count"] == 2
    ask = {"question": "有实体店吗", "answer": "目前只有网店。", "lang": "zh-CN", "agent_id": "A01"}
    first = wire(ProposalOut, client.post(f"{KB}/proposals", json=ask), 201)
    second = wire(ProposalOut, client.post(f"{KB}/proposals", json=ask), 201)
    assert first["status"] == "pending" and first["reviewed_at"] is None
    assert len(wire(list[ProposalOut], client.get(f"{KB}/proposals"))) == 2
    wire(EntryOut, client.post(f"{KB}/proposals/{first['id']}/approve"))
    rejected = wire(ProposalOut, client.post(f"{KB}/proposals/{second['id']}/reject"))
    assert rejected["status"] == "rejected" and rejected["reviewed_by"]

    deleted = client.delete(f"{KB}/entries/gift-wrap")
    assert deleted.status_code == 204 and deleted.content == b""
    wire(ErrorOut, client.get(f"{KB}/entries/gift-wrap"), 404)


# ---- promotions ---------------------------------------------------------------------------------


def test_a_quote_answers_as_its_model_says(client: TestClient) -> None:
    quote = client.post(
        "/api/v1/promotions/quote",
        json={"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 2}]},
    )
    body = wire(QuoteOut, quote)
    assert body["discounts"] and body["lines"][0]["item_promotion"] == "SECOND-HALF-TEE"
    # a coupon the cart does not reach: it comes back as not used, with the reason
    best = client.post(
        "/api/v1/promotions/quote",
        json={
            "customer_id": "C1006",
            "items": [{"sku": "P1004", "qty": 1}],
            "coupons": ["CPN-STORE-50"],
        },
    )
    assert wire(QuoteOut, best)["coupons_not_used"]
    refused = client.post("/api/v1/promotions/quote", json={"customer_id": "C1001", "items": []})
    assert wire(ErrorOut, refused, 422)["error"]["code"] == "empty_cart"


@BOTH_BACKENDS
def test_the_promotions_admin_answers_as_its_models_say(client: TestClient) -> None:
    client.headers.update(login(client, "S01"))
    rules = wire(list[PromotionOut], client.get(f"{ADMIN}/promotions"))
    assert any(r["window"] is not None for r in rules) and any(r["window"] is None for r in rules)
    tee = {"id": "SECOND-HALF-TEE", "kind": "nth_item_discount", "sku": "P1003", "nth": 2}
    changed = client.post(f"{ADMIN}/promotions", json={**tee, "rate": "0.3"})
    assert wire(PromotionOut, changed)["version"] == 2
    coupon = {"id": "CPN-STORE-5", "kind": "store_coupon", "threshold": "50.00", "off": "5.00"}
    assert wire(PromotionOut, client.post(f"{ADMIN}/promotions", json=coupon), 201)["active"]
    dry = client.post(f"{ADMIN}/promotions/import?dry_run=true", json={"rules": [coupon]})
    assert wire(PromotionImportOut, dry)["updated"] == ["CPN-STORE-5"]
    off = wire(PromotionOut, client.post(f"{ADMIN}/promotions/CPN-STORE-5/deactivate"))
    on = wire(PromotionOut, client.post(f"{ADMIN}/promotions/CPN-STORE-5/activate"))
    assert off["active"] is False and on["active"] is True
    detail = wire(PromotionDetailOut, client.get(f"{ADMIN}/promotions/CPN-STORE-5"))
    assert [v["version"] for v in detail["history"]] == [1, 2, 3]
    coupons = wire(list[CouponOut], client.get(f"{ADMIN}/coupons"))
    assert {c["slot"] for c in coupons} == {"store", "platform"}
    bad = client.post(f"{ADMIN}/promotions", json={"id": "X-1", "kind": "gift_card"})
    assert wire(ErrorOut, bad, 422)["error"]["code"] == "invalid_rule"


# ---- NLU, channels ------------------------------------------------------------------------------


def test_the_nlu_preview_and_the_webhook_answer_as_their_models_say(
    client: TestClient, kefu: Kefu, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = client.post("/api/v1/nlu/parse", json={"text": "订单E2026111100001的50元优惠券"})
    assert wire(ParseOut, parsed)["entities"]["order_id"] == "E2026111100001"
    blank = client.post("/api/v1/nlu/parse", json={"text": None})
    assert wire(ErrorOut, blank, 422)["error"]["message"] == "text is required"

    event = {"event_id": "ev-w1", "user_id": "app-u-88001", "text": "ZT7788990011 到哪了"}
    assert wire(WebhookReplyOut, post_webhook(client, "app", event))["intent"] == "logistics"
    # a turn that fails in the request is taken for the recovery task: 202 and the event id
    webhook = channels_of(kefu).webhook

    def fails(*_: Any, **__: Any) -> None:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(webhook, "process", fails)
    taken = post_webhook(client, "app", {**event, "event_id": "ev-w2"})
    assert wire(WebhookAcceptedOut, taken, 202) == {"status": "accepted", "event_id": "ev-w2"}


# ---- widget, typing, demo pages -----------------------------------------------------------------


def test_the_widget_answers_as_its_models_say(client: TestClient) -> None:
    config = wire(WidgetConfigOut, client.get("/api/v1/widget/config?lang=en"))
    assert config["lang"] == "en" and config["hours"]["opens"] == "09:00"
    product = wire(WidgetProductOut, client.get("/api/v1/widget/products/P1003"))
    assert product["price"] == "79.00"
    cards = wire(list[OrderCardOut], client.get("/api/v1/widget/orders?customer_id=C1001"))
    assert cards and all(c["total"] for c in cards)
    left = client.post(
        "/api/v1/widget/left-messages",
        json={"text": "请回电", "phone": "13800000000", "customer_id": "C1002"},
    )
    assert wire(LeftMessageOut, left, 201)["ticket_id"]

    chat = client.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1002", "text": "我要转人工"}
    ).json()
    conversation_id = chat["conversation_id"]
    supervisor = login(client, "S01")
    typing = f"/api/v1/agent/conversations/{conversation_id}/typing"
    heard = wire(CustomerTypingOut, client.get(typing, headers=supervisor))
    assert heard == {"conversation_id": conversation_id, "customer_typing": False}
    said = client.post(typing, headers=supervisor, json={"on": True})
    assert wire(AgentTypingOut, said) == {"conversation_id": conversation_id, "on": True}

    base = f"/api/v1/agent/conversations/{conversation_id}"
    assert client.post(f"{base}/accept", headers=supervisor).status_code == 200
    closed = client.post(f"{base}/close", headers=supervisor, json={"resolution": "done"})
    assert closed.status_code == 200, closed.text
    rating = {"conversation_id": conversation_id, "customer_id": "C1002", "score": 5}
    rated = wire(WidgetRatingOut, client.post("/api/v1/widget/rating", json=rating))
    assert rated["resolved"] is None and rated["comment"] is None and rated["score"] == 5
    missing = client.get("/api/v1/widget/products/NOPE")
    assert wire(ErrorOut, missing, 404)["error"]["code"] == "not_found"

    customers = wire(list[DemoCustomerOut], client.get("/api/v1/demo/customers"))
    assert "C1002" in {c["id"] for c in customers}
    status = client.get(f"/api/v1/demo/conversations/{conversation_id}?customer_id=C1002")
    assert wire(DemoConversationOut, status)["status"] == "closed"


# ---- the OpenAPI document -----------------------------------------------------------------------

# (method, path, status of success): every JSON route of the shop side
JSON_ROUTES = [
    ("get", f"{KB}/entries", 200),
    ("post", f"{KB}/entries", 201),
    ("get", f"{KB}/entries/{{entry_id}}", 200),
    ("put", f"{KB}/entries/{{entry_id}}", 200),
    ("get", f"{KB}/entries/{{entry_id}}/versions", 200),
    ("post", f"{KB}/entries/{{entry_id}}/rollback", 200),
    ("post", f"{KB}/import", 200),
    ("post", f"{KB}/search", 200),
    ("post", f"{KB}/shadow", 200),
    ("get", f"{KB}/gaps", 200),
    ("get", f"{KB}/proposals", 200),
    ("post", f"{KB}/proposals", 201),
    ("post", f"{KB}/proposals/{{proposal_id}}/approve", 200),
    ("post", f"{KB}/proposals/{{proposal_id}}/reject", 200),
    ("post", "/api/v1/promotions/quote", 200),
    ("get", f"{ADMIN}/promotions", 200),
    ("post", f"{ADMIN}/promotions", 201),
    ("post", f"{ADMIN}/promotions/import", 200),
    ("get", f"{ADMIN}/promotions/{{rule_id}}", 200),
    ("post", f"{ADMIN}/promotions/{{rule_id}}/activate", 200),
    ("post", f"{ADMIN}/promotions/{{rule_id}}/deactivate", 200),
    ("get", f"{ADMIN}/coupons", 200),
    ("post", "/api/v1/nlu/parse", 200),
    ("post", "/channels/webhook/{platform}", 200),
    ("post", "/channels/webhook/{platform}", 202),
    ("get", "/api/v1/widget/config", 200),
    ("get", "/api/v1/widget/products/{sku}", 200),
    ("get", "/api/v1/widget/orders", 200),
    ("post", "/api/v1/widget/left-messages", 201),
    ("post", "/api/v1/widget/rating", 200),
    ("get", "/api/v1/agent/conversations/{conversation_id}/typing", 200),
    ("post", "/api/v1/agent/conversations/{conversation_id}/typing", 200),
    ("get", "/api/v1/demo/customers", 200),
    ("get", "/api/v1/demo/conversations/{conversation_id}", 200),
]
# bodies the routes read themselves (their own error codes): documented all the same
READ_BY_HAND = [
    "/api/v1/promotions/quote",
    "/api/v1/nlu/parse",
    f"{ADMIN}/promotions",
    f"{ADMIN}/promotions/import",
    "/channels/webhook/{platform}",
]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    app: FastAPI = create_app(settings=Settings(ip_messages_per_minute=0))
    return app.openapi()


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


@pytest.mark.parametrize(("method", "path", "status"), JSON_ROUTES)
def test_the_openapi_document_declares_each_json_answer(
    openapi: dict[str, Any], method: str, path: str, status: int
) -> None:
    responses = openapi["paths"][path][method]["responses"]
    schema = _schema(openapi, responses[str(status)]["content"]["application/json"]["schema"])
    # an object with its keys, closed to others (or a list of such objects)
    assert schema["properties"] and schema["additionalProperties"] is False
    # the statuses the route answers with the contract's error body (Error: the whole
    # document's 4XX and 422, kefu.api.openapi_errors)
    errors = [code for code in responses if code.startswith("4") and code != "4XX"]
    refs = {responses[c]["content"]["application/json"]["schema"]["$ref"] for c in errors}
    assert errors and {ref.rsplit("/", 1)[1] for ref in refs} <= {"ErrorOut", "Error"}


@pytest.mark.parametrize("path", READ_BY_HAND)
def test_the_openapi_document_describes_bodies_read_by_hand(
    openapi: dict[str, Any], path: str
) -> None:
    body = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "$defs" not in str(body) and ("properties" in body or "anyOf" in body)


def test_the_openapi_document_gives_other_answers_their_media_types(
    openapi: dict[str, Any],
) -> None:
    export = openapi["paths"][f"{KB}/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/json", "text/csv"}
    wechat = openapi["paths"]["/channels/wechat"]["post"]["responses"]["200"]["content"]
    assert set(wechat) == {"application/xml", "text/plain"}
    deleted = openapi["paths"][f"{KB}/entries/{{entry_id}}"]["delete"]["responses"]
    assert "content" not in deleted["204"]
