"""Rules are versioned in the store; the live version is the newest active one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kefu.promotions.errors import InvalidRule
from kefu.promotions.rules import CrossStoreThreshold, parse_rule
from kefu.promotions.service import PromotionService
from kefu.promotions.store import InMemoryRuleStore
from tests.promotions.conftest import NOW


def test_putting_a_rule_adds_a_version_and_keeps_history(store: InMemoryRuleStore) -> None:
    old = store.list_rules()
    cross = next(r for r in old if isinstance(r, CrossStoreThreshold))
    store.put_rule(cross.model_copy(update={"every": Decimal("400.00")}), NOW)
    history = store.history(cross.id)
    assert [v.version for v in history] == [1, 2]
    live = next(r for r in store.list_rules() if r.id == cross.id)
    assert live.every == Decimal("400.00")  # type: ignore[union-attr]


def test_a_switched_off_rule_is_not_live_but_still_listed_as_inactive(
    store: InMemoryRuleStore,
) -> None:
    store.set_active("BOGO-SOCKS", False, NOW)
    assert "BOGO-SOCKS" not in {r.id for r in store.list_rules()}
    assert "BOGO-SOCKS" in {r.id for r in store.list_rules(include_inactive=True)}


def test_a_new_campaign_applies_without_a_restart(service: PromotionService) -> None:
    before = service.quote("C1005", [{"sku": "P5002", "qty": 1}]).quote.goods_total
    flash = parse_rule(
        {
            "id": "FLASH-LIPSTICK",
            "kind": "flash_sale",
            "sku": "P5002",
            "price": "199.00",
            "limit_per_customer": 2,
            "window": {"start": NOW - timedelta(hours=1), "end": NOW + timedelta(hours=1)},
        }
    )
    service.put_rule(flash)
    after = service.quote("C1005", [{"sku": "P5002", "qty": 1}]).quote.goods_total
    assert (before, after) == (Decimal("299.00"), Decimal("199.00"))


def test_service_refuses_a_rule_that_clashes_with_the_live_ones(service: PromotionService) -> None:
    clash = parse_rule(
        {"id": "HALF-SOCKS", "kind": "nth_item_discount", "sku": "P1004", "nth": 2, "rate": "0.5"}
    )
    with pytest.raises(InvalidRule):
        service.put_rule(clash)
