"""The sensitive-words admin: the shop's words are masked in what the bot says, at once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

WORDS = "/api/v1/admin/sensitive-words"
# the demo knowledge base answers this with "付款后48小时内发货。大促高峰期……"
ASK = {"channel": "web", "customer_id": "C1005", "text": "下单后多久发货？"}


def _token(client: TestClient, agent_id: str) -> str:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert login.status_code == 200
    return str(login.json()["token"])


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(client, 'S01')}"}


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


def _bot_says(client: TestClient) -> str:
    reply = client.post("/api/v1/messages", json=ASK).json()
    return "".join(r["text"] for r in reply["replies"])


def test_an_added_word_is_masked_in_bot_replies_and_removal_restores_it(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert "48小时" in _bot_says(client)
    replaced = {"word": "48小时", "category": "custom", "replacement": "两天"}
    assert client.post(WORDS, json=replaced, headers=admin).status_code == 201
    masked = {"word": "大促", "category": "absolute_claim"}
    assert client.post(WORDS, json=masked, headers=admin).status_code == 201

    said = _bot_says(client)
    assert "付款后两天内发货" in said and "**高峰期" in said
    assert "48小时" not in said and "大促" not in said

    assert client.delete(f"{WORDS}/48小时", headers=admin).status_code == 204
    assert client.delete(f"{WORDS}/大促", headers=admin).status_code == 204
    said = _bot_says(client)
    assert "48小时" in said and "大促高峰期" in said


def test_the_list_shows_shipped_and_shop_words_with_their_source(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.post(WORDS, json={"word": "Lightning", "category": "custom"}, headers=admin)
    listed = {w["word"]: w for w in client.get(WORDS, headers=admin).json()}
    assert listed["最好"] == {
        "word": "最好",
        "category": "absolute_claim",
        "replacement": "很好",
        "source": "shipped",
    }
    assert listed["傻逼"]["category"] == "profanity" and listed["傻逼"]["source"] == "shipped"
    assert listed["lightning"]["source"] == "shop"  # stored as matched: lower case
    assert "第一次" not in listed  # allowed phrases are not sensitive words
    changed = client.post(
        WORDS,
        json={"word": "lightning", "category": "custom", "replacement": "fast"},
        headers=admin,
    )
    assert changed.status_code == 200 and changed.json()["replacement"] == "fast"


def test_bad_words_and_shipped_words_are_refused_with_a_reason(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert "word" in _error(client.post(WORDS, json={"category": "custom"}, headers=admin), 422)
    blank = client.post(WORDS, json={"word": "  ", "category": "custom"}, headers=admin)
    assert "empty" in _error(blank, 422)
    long = client.post(WORDS, json={"word": "长" * 65, "category": "custom"}, headers=admin)
    assert "64" in _error(long, 422)
    unknown = client.post(WORDS, json={"word": "x", "category": "rude"}, headers=admin)
    assert "category" in _error(unknown, 422)
    not_text = client.post(WORDS, json={"word": 5, "category": "custom"}, headers=admin)
    assert "string" in _error(not_text, 422)
    shipped = client.post(WORDS, json={"word": "最好", "category": "custom"}, headers=admin)
    assert "shipped" in _error(shipped, 409)
    assert "shipped" in _error(client.delete(f"{WORDS}/最好", headers=admin), 409)
    assert _error(client.delete(f"{WORDS}/never-added", headers=admin), 404)


def test_only_supervisors_manage_words(client: TestClient) -> None:
    agent = {"Authorization": f"Bearer {_token(client, 'A02')}"}
    assert _error(client.get(WORDS), 401)
    body = {"word": "x", "category": "custom"}
    assert _error(client.post(WORDS, json=body, headers=agent), 403)
    assert _error(client.delete(f"{WORDS}/x", headers=agent), 403)
