"""The promotions admin over the running service: changes reach quotes and the bot at once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.promotions.service import PromotionService
from kefu.store.promotions_repo import REVISION_TTL_S, SqlRuleStore
from kefu.wiring import Kefu

ADMIN = "/api/v1/admin"
TEE = "SECOND-HALF-TEE"  # demo: the second P1003 T-shirt (79.00) at half price
TWO_TEES = {"customer_id": "C1005", "items": [{"sku": "P1003", "qty": 2}], "coupons": []}


def _token(client: TestClient, agent_id: str) -> str:
    login = client.post("/api/v1/agent/login", json={"agent_id": agent_id, "password": "demo"})
    assert login.status_code == 200
    return str(login.json()["token"])


@pytest.fixture(autouse=True)
def _as_supervisor(client: TestClient) -> None:
    client.headers["Authorization"] = f"Bearer {_token(client, 'S01')}"


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return str(error["message"])


def _tee_discount(client: TestClient) -> str | None:
    # the customer's quote, without the back office's agent token the client carries
    quote = client.post(
        "/api/v1/promotions/quote", json=TWO_TEES, headers={"Authorization": ""}
    ).json()
    assert "discounts" in quote, quote
    return next((d["amount"] for d in quote["discounts"] if d["id"] == TEE), None)


def _window(start_days: float, end_days: float) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "start": (now + timedelta(days=start_days)).isoformat(),
        "end": (now + timedelta(days=end_days)).isoformat(),
    }


def test_only_supervisors_reach_the_promotions_admin(client: TestClient) -> None:
    agent = {"Authorization": f"Bearer {_token(client, 'A01')}"}
    del client.headers["Authorization"]
    assert _error(client.get(f"{ADMIN}/promotions"), 401)
    assert _error(client.get(f"{ADMIN}/coupons", headers={"Authorization": "Bearer x.y.z"}), 401)
    assert _error(client.post(f"{ADMIN}/promotions/{TEE}/deactivate", headers=agent), 403)
    assert _error(client.post(f"{ADMIN}/promotions/import", json=[], headers=agent), 403)


def test_lists_every_rule_and_the_coupon_definitions(client: TestClient) -> None:
    rules = {r["id"]: r for r in client.get(f"{ADMIN}/promotions").json()}
    assert rules[TEE]["kind"] == "nth_item_discount" and rules[TEE]["category"] == "item"
    assert rules[TEE]["active"] is True and rules[TEE]["version"] == 1
    assert rules[TEE]["rule"]["rate"] == "0.5" and rules[TEE]["window"] is None
    assert rules["CROSS-300-40"]["window"]["start"] < rules["CROSS-300-40"]["window"]["end"]
    coupons = {c["id"]: c for c in client.get(f"{ADMIN}/coupons").json()}
    assert set(coupons) == {"CPN-STORE-50", "CPN-PLAT-20", "CPN-NEW-10"}
    assert coupons["CPN-STORE-50"]["slot"] == "store"
    assert coupons["CPN-STORE-50"]["rule"]["threshold"] == "200.00"


def test_a_new_version_changes_quotes_at_once_and_is_kept_in_history(client: TestClient) -> None:
    assert _tee_discount(client) == "39.50"
    changed = client.post(
        f"{ADMIN}/promotions",
        json={"id": TEE, "kind": "nth_item_discount", "sku": "P1003", "nth": 2, "rate": "0.3"},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert _tee_discount(client) == "55.30"  # 70% off the second tee now

    assert client.post(f"{ADMIN}/promotions/{TEE}/deactivate").json()["active"] is False
    assert _tee_discount(client) is None
    assert client.post(f"{ADMIN}/promotions/{TEE}/activate").json()["active"] is True
    assert _tee_discount(client) == "55.30"

    detail = client.get(f"{ADMIN}/promotions/{TEE}").json()
    assert [v["version"] for v in detail["history"]] == [1, 2, 3, 4]
    assert [v["active"] for v in detail["history"]] == [True, True, False, True]
    assert [v["updated_by"] for v in detail["history"]] == ["seed", "S01", "S01", "S01"]
    assert detail["history"][0]["rule"]["rate"] == "0.5"
    assert _error(client.get(f"{ADMIN}/promotions/NOPE"), 404)
    assert _error(client.post(f"{ADMIN}/promotions/NOPE/activate"), 404)


def test_a_new_rule_is_created_and_priced(client: TestClient) -> None:
    created = client.post(
        f"{ADMIN}/promotions",
        json={
            "id": "FLASH-MUG",
            "kind": "flash_sale",
            "sku": "P6002",
            "price": "59.00",
            "window": _window(-1, 1),
            "limit_per_customer": 2,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["in_effect"] is True and created.json()["updated_by"] == "S01"
    quote = client.post(
        "/api/v1/promotions/quote",
        json={"customer_id": "C1005", "items": [{"sku": "P6002", "qty": 1}], "coupons": []},
        headers={"Authorization": ""},  # the customer's own request, not the back office's
    ).json()
    assert quote["lines"][0]["item_promotion"] == "FLASH-MUG"
    assert quote["lines"][0]["amount_after_item"] == "59.00"


BAD_RULES: list[tuple[dict[str, Any], str]] = [
    (
        {
            "kind": "flash_sale",
            "sku": "P6002",
            "price": "59.00",
            "limit_per_customer": 1,
            "window": _window(1, -1),
        },
        "window",
    ),
    ({"kind": "store_coupon", "threshold": "30.00", "off": "30.00"}, "threshold"),
    ({"kind": "cross_store_threshold", "every": "100.00", "off": "100.00"}, "off"),
    ({"kind": "store_coupon", "threshold": "100.00", "off": "-5.00"}, "off"),
    ({"kind": "nth_item_discount", "sku": "P9999", "nth": 2, "rate": "0.5"}, "P9999"),
    ({"kind": "nth_item_discount", "sku": "P6002", "rate": "0.5"}, "nth"),
    ({"kind": "gift_card", "off": "5.00"}, "kind"),
    ({"sku": "P6002"}, "kind"),
    # a second rule pricing the tee at the same time as SECOND-HALF-TEE
    ({"kind": "buy_x_get_y", "sku": "P1003", "buy": 2, "get": 1}, "P1003"),
]


def test_a_contradictory_or_incomplete_rule_is_refused_naming_the_field(
    client: TestClient,
) -> None:
    for rule, names in BAD_RULES:
        message = _error(client.post(f"{ADMIN}/promotions", json={"id": "NEW-RULE", **rule}), 422)
        assert names in message, (rule, message)
    assert _error(client.get(f"{ADMIN}/promotions/NEW-RULE"), 404)
    not_json = client.post(f"{ADMIN}/promotions", content=b"{oops")
    assert "JSON" in _error(not_json, 422)


def test_import_stores_all_rules_or_none(client: TestClient) -> None:
    good = {"id": "CPN-STORE-5", "kind": "store_coupon", "threshold": "50.00", "off": "5.00"}
    bad = {"id": "CPN-BROKEN", "kind": "store_coupon", "threshold": "10.00", "off": "20.00"}
    refused = client.post(f"{ADMIN}/promotions/import", json={"rules": [good, bad]})
    assert "CPN-BROKEN" in _error(refused, 422)
    assert _error(client.get(f"{ADMIN}/promotions/CPN-STORE-5"), 404)
    twice = client.post(f"{ADMIN}/promotions/import", json=[good, good])
    assert "duplicate" in _error(twice, 422)

    tee = {"id": TEE, "kind": "nth_item_discount", "sku": "P1003", "nth": 2, "rate": "0.4"}
    dry = client.post(f"{ADMIN}/promotions/import?dry_run=true", json=[good, tee]).json()
    assert dry == {"imported": 0, "created": ["CPN-STORE-5"], "updated": [TEE], "dry_run": True}
    assert _tee_discount(client) == "39.50"
    done = client.post(f"{ADMIN}/promotions/import", json=[good, tee])
    assert done.status_code == 200 and done.json()["imported"] == 2
    assert _tee_discount(client) == "47.40"
    assert "CPN-STORE-5" in {c["id"] for c in client.get(f"{ADMIN}/coupons").json()}
    socks = {"id": "BOGO-SOCKS", "kind": "buy_x_get_y", "sku": "P1004", "buy": 2, "get": 1}
    uploaded = client.post(
        f"{ADMIN}/promotions/import",
        files={"file": ("rules.json", json.dumps([socks]).encode(), "application/json")},
    )
    assert uploaded.json()["updated"] == ["BOGO-SOCKS"]


def test_switching_a_rule_back_on_is_refused_when_it_clashes(client: TestClient) -> None:
    client.post(f"{ADMIN}/promotions/{TEE}/deactivate")
    bogo = {"id": "BOGO-TEE", "kind": "buy_x_get_y", "sku": "P1003", "buy": 1, "get": 1}
    assert client.post(f"{ADMIN}/promotions", json=bogo).status_code == 201
    clash = client.post(f"{ADMIN}/promotions/{TEE}/activate")
    assert "P1003" in _error(clash, 422)
    assert client.get(f"{ADMIN}/promotions/{TEE}").json()["active"] is False


def test_another_worker_sees_a_change_within_the_revision_ttl(
    client: TestClient, kefu: Kefu
) -> None:
    # a second worker: its own store and compiled rules over the same database
    other = PromotionService(SqlRuleStore(kefu.db), kefu.commerce)
    assert other.quote("C1005", TWO_TEES["items"], []).to_wire()["discounts"]
    client.post(f"{ADMIN}/promotions/{TEE}/deactivate")
    time.sleep(REVISION_TTL_S + 0.05)
    assert other.quote("C1005", TWO_TEES["items"], []).to_wire()["discounts"] == []


def test_the_bot_answers_with_the_changed_rule(client: TestClient) -> None:
    # the customer's messages carry no agent token (a bearer there would be a customer identity)
    admin = {"Authorization": client.headers.pop("Authorization")}
    ask = {"channel": "web", "customer_id": "C1005", "text": "纯棉圆领T恤买两件多少钱"}
    before = client.post("/api/v1/messages", json=ask).json()
    assert before["intent"] == "promotion"
    assert "39.50" in before["replies"][0]["text"]
    client.post(f"{ADMIN}/promotions/{TEE}/deactivate", headers=admin)
    after = client.post(
        "/api/v1/messages", json={**ask, "conversation_id": before["conversation_id"]}
    ).json()
    assert after["replies"] and "158" in after["replies"][0]["text"]
    assert "39.50" not in after["replies"][0]["text"]
