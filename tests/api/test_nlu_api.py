"""``POST /api/v1/nlu/parse`` (contract 3): what the bot understands from a text."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PARSE = "/api/v1/nlu/parse"


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["code"])


def test_parses_intent_entities_sentiment_and_language(client: TestClient) -> None:
    body = client.post(PARSE, json={"text": "我的订单E2026111100001到哪了"}).json()
    assert set(body) == {"intent", "confidence", "entities", "sentiment", "lang", "normalized"}
    assert body["intent"] in {"logistics", "order_status"}
    assert body["entities"]["order_id"] == "E2026111100001"
    assert 0 < body["confidence"] <= 1 and body["lang"] == "zh-CN"
    assert body["sentiment"] in {"negative", "neutral", "positive"}

    english = client.post(PARSE, json={"text": "I want to talk to a real person"}).json()
    assert english["intent"] == "human_agent" and english["lang"] == "en"
    traditional = client.post(PARSE, json={"text": "可以開公司發票嗎"}).json()
    assert traditional["intent"] == "invoice" and traditional["lang"] == "zh-TW"
    quantity = client.post(PARSE, json={"text": "纯棉圆领T恤买两件多少钱"}).json()
    assert quantity["entities"]["quantity"] == 2 and quantity["intent"] == "promotion"


def test_bad_text_gets_a_4xx_json_error(client: TestClient) -> None:
    limit = client.app.state.kefu.settings.max_message_chars  # type: ignore[attr-defined]
    assert _error(client.post(PARSE, json={}), 422) == "invalid_message"
    assert _error(client.post(PARSE, json={"text": 42}), 422) == "invalid_message"
    assert _error(client.post(PARSE, json={"text": "   "}), 422) == "invalid_message"
    assert _error(client.post(PARSE, json=["text"]), 422) == "invalid_message"
    assert _error(client.post(PARSE, content=b"{not json"), 422) == "invalid_message"
    too_long = client.post(PARSE, json={"text": "好" * (limit + 1)})
    assert _error(too_long, 413) == "message_too_long"
    assert client.post(PARSE, json={"text": "好" * limit}).status_code == 200
