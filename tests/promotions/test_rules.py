"""Rules are data: contradictory or incomplete ones are refused with a clear error."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.domain.catalog import Product
from kefu.promotions.errors import InvalidRule
from kefu.promotions.rules import dump_rule, parse_rule, validate_rule_set
from kefu.promotions.store import InMemoryRuleStore

WINDOW = {"start": "2026-11-01T00:00:00+00:00", "end": "2026-11-12T00:00:00+00:00"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "N", "kind": "nth_item_discount", "sku": "P1003", "nth": 1, "rate": "0.5"}, "nth"),
        ({"id": "N", "kind": "nth_item_discount", "sku": "P1003", "nth": 2, "rate": "1"}, "rate"),
        ({"id": "N", "kind": "nth_item_discount", "sku": "P1003", "nth": 2, "rate": "0"}, "rate"),
        ({"id": "C", "kind": "cross_store_threshold", "every": "300", "off": "300"}, "below every"),
        ({"id": "C", "kind": "store_coupon", "threshold": "200", "off": "0"}, "above 0"),
        ({"id": "C", "kind": "store_coupon", "threshold": "200"}, "off"),
        ({"id": "C", "kind": "store_coupon", "off": "1.005"}, "two decimal"),
        (
            {
                "id": "F",
                "kind": "flash_sale",
                "sku": "P2002",
                "price": "299",
                "limit_per_customer": 1,
                "window": {"start": WINDOW["end"], "end": WINDOW["start"]},
            },
            "end must be after",
        ),
        ({"id": "F", "kind": "flash_sale", "sku": "P2002", "price": "299"}, "window"),
        (
            {
                "id": "P",
                "kind": "presale",
                "sku": "P4001",
                "deposit": "100",
                "deposit_worth": "50",
                "balance_window": WINDOW,
            },
            "deposit_worth",
        ),
        (
            {
                "id": "G",
                "kind": "group_buy",
                "sku": "P6001",
                "group_size": 1,
                "group_price": "99",
                "fill_within_hours": 24,
            },
            "group_size",
        ),
        ({"id": "X", "kind": "mystery"}, "kind"),
        ({"id": "bad id!", "kind": "free_shipping", "threshold": "99", "fee": "10"}, "id"),
    ],
)
def test_contradictory_or_incomplete_rule_is_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRule) as caught:
        parse_rule(data)
    assert message in str(caught.value)
    assert caught.value.code == "invalid_rule"


def test_unknown_sku_is_rejected_against_the_catalogue(products: dict[str, Product]) -> None:
    rule = parse_rule({"id": "B", "kind": "buy_x_get_y", "sku": "P9999", "buy": 1, "get": 1})
    with pytest.raises(InvalidRule, match="unknown SKU 'P9999'"):
        validate_rule_set([rule], products)


def test_flash_price_above_list_price_is_rejected(products: dict[str, Product]) -> None:
    rule = parse_rule(
        {
            "id": "F",
            "kind": "flash_sale",
            "sku": "P2002",
            "price": "599",
            "limit_per_customer": 1,
            "window": WINDOW,
        }
    )
    with pytest.raises(InvalidRule, match="not below the list price"):
        validate_rule_set([rule], products)


def test_two_item_rules_on_one_sku_at_one_time_are_rejected(products: dict[str, Product]) -> None:
    first = parse_rule({"id": "A", "kind": "buy_x_get_y", "sku": "P1004", "buy": 1, "get": 1})
    second = parse_rule(
        {"id": "B", "kind": "nth_item_discount", "sku": "P1004", "nth": 2, "rate": "0.5"}
    )
    with pytest.raises(InvalidRule, match="both price P1004"):
        validate_rule_set([first, second], products)


def test_exclusivity_must_name_a_known_coupon(products: dict[str, Product]) -> None:
    rule = parse_rule({"id": "C", "kind": "platform_coupon", "off": "5", "not_with": ["GHOST"]})
    with pytest.raises(InvalidRule, match="GHOST"):
        validate_rule_set([rule], products)


def test_every_demo_rule_round_trips_through_its_json_form(store: InMemoryRuleStore) -> None:
    for rule in store.list_rules():
        assert parse_rule(dump_rule(rule)) == rule


def test_two_cross_store_thresholds_at_one_time_are_rejected(products: dict[str, Product]) -> None:
    first = parse_rule({"id": "C1", "kind": "cross_store_threshold", "every": "300", "off": "40"})
    second = parse_rule(
        {"id": "C2", "kind": "cross_store_threshold", "every": "200", "off": "20", "window": WINDOW}
    )
    with pytest.raises(InvalidRule, match="C1 and C2"):
        validate_rule_set([first, second], products)
