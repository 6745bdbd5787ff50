"""``POST /api/v1/promotions/quote`` over a tiny app with the promotion router only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kefu.api.errors import install_error_handlers
from kefu.api.routes.promotions import router
from kefu.config import Settings
from kefu.demo.promotions import demo_rule_store, load_demo_products
from kefu.domain.catalog import Product
from kefu.promotions.service import PromotionService

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


class _Catalog:
    def __init__(self) -> None:
        self.products = load_demo_products()

    def list_products(self) -> list[Product]:
        return list(self.products.values())


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    service = PromotionService(demo_rule_store(NOW), _Catalog(), lambda: NOW)
    # per-address limits are tested in test_limits; off here (0), as a load test would set them
    app.state.kefu = SimpleNamespace(
        promotions=service, settings=Settings(ip_messages_per_minute=0)
    )

    install_error_handlers(app)  # the service's own mapping of errors to statuses

    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


def test_quote_in_the_contract_shape(client: TestClient) -> None:
    response = client.post(
        "/api/v1/promotions/quote",
        json={"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 2}], "coupons": []},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["subtotal"] == "158.00" and body["goods_total"] == "118.50"
    assert body["total"] == "118.50" and body["shipping"] == "0.00"
    assert body["discounts"] == [
        {
            "id": "SECOND-HALF-TEE",
            "kind": "nth_item_discount",
            "amount": "39.50",
            "explanation": body["discounts"][0]["explanation"],
            "explanation_zh_tw": body["discounts"][0]["explanation_zh_tw"],
            "explanation_en": body["discounts"][0]["explanation_en"],
        }
    ]
    assert body["coupons_used"] == [] and body["lines"][0]["total"] == "118.50"
    assert body["explanation_zh"] and body["explanation_en"] and body["explanation_zh_tw"]


def test_omitted_coupons_pick_the_best_held(client: TestClient) -> None:
    body = client.post(
        "/api/v1/promotions/quote",
        json={"customer_id": "C1006", "items": [{"sku": "P3001", "qty": 1}]},
    ).json()
    assert body["total"] == "1069.00"
    assert body["coupons_used"] == ["CPN-PLAT-20", "CPN-STORE-50"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"customer_id": "C1001", "items": [{"sku": "NOPE", "qty": 1}]}, 404, "unknown_sku"),
        (
            {"customer_id": "C9999", "items": [{"sku": "P1003", "qty": 1}]},
            404,
            "customer_not_found",
        ),
        ({"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 0}]}, 422, "invalid_quantity"),
        (
            {"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 1.5}]},
            422,
            "invalid_quantity",
        ),
        (
            {"customer_id": "C1001", "items": [{"sku": "P1003", "qty": "2"}]},
            422,
            "invalid_quantity",
        ),
        (
            {"customer_id": "C1001", "items": [{"sku": "P1003", "qty": 100}]},
            422,
            "quantity_too_large",
        ),
        ({"customer_id": "C1001", "items": []}, 422, "empty_cart"),
        ({"customer_id": "C1001"}, 422, "empty_cart"),
        (
            {
                "customer_id": "C1001",
                "items": [{"sku": "P1003", "qty": 1}],
                "coupons": ["CPN-NEW-10"],
            },
            422,
            "coupon_not_held",
        ),
        (
            {
                "customer_id": "C1001",
                "items": [{"sku": "P1003", "qty": 1}],
                "coupons": ["CPN-STORE-50", "CPN-STORE-50"],
            },
            422,
            "duplicate_coupon",
        ),
        ({"items": [{"sku": "P1003", "qty": 1}]}, 422, "invalid_customer"),
        ([1, 2], 422, "invalid_json"),
    ],
)
def test_bad_carts_get_a_4xx_json_error(
    client: TestClient, payload: Any, status: int, code: str
) -> None:
    response = client.post("/api/v1/promotions/quote", json=payload)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_a_body_that_is_not_json_is_a_client_error(client: TestClient) -> None:
    response = client.post(
        "/api/v1/promotions/quote", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_json"
