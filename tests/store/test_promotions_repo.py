"""Rules stored in the database are versioned, and a change reaches other workers' quotes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from kefu.promotions.rules import parse_rule
from kefu.promotions.service import PromotionService
from kefu.store.db import Database
from kefu.store.promotions_repo import REVISION_TTL_S, SqlRuleStore
from kefu.wiring import Kefu


def test_putting_a_rule_adds_a_version_and_keeps_history(db: Database) -> None:
    store = SqlRuleStore(db)
    now = datetime.now(UTC)
    old = next(r for r in store.list_rules() if r.id == "CROSS-300-40")
    data = old.model_dump(mode="json") | {"every": "400.00", "off": "50.00"}
    stored = store.put_rule(parse_rule(data), now, created_by="admin")
    assert stored.version == 2
    assert [v.version for v in store.history("CROSS-300-40")] == [1, 2]
    live = next(r for r in store.list_rules() if r.id == "CROSS-300-40")
    assert str(live.model_dump(mode="json")["every"]) == "400.00"
    store.set_active("CROSS-300-40", False, now)
    assert all(r.id != "CROSS-300-40" for r in store.list_rules())
    assert any(r.id == "CROSS-300-40" for r in store.list_rules(include_inactive=True))


def test_wallet_lists_held_coupons_and_unknown_customers_have_none(db: Database) -> None:
    store = SqlRuleStore(db)
    wallet = store.wallet("C1002")
    assert wallet is not None and wallet.coupon_ids == ("CPN-NEW-10",) and wallet.is_new_customer
    two = store.wallet("C1001")  # two coupons held, in a stable order
    assert two is not None and two.coupon_ids == ("CPN-PLAT-20", "CPN-STORE-50")
    assert not two.is_new_customer
    empty = store.wallet("C1005")  # a customer holding none still has a wallet
    assert empty is not None and empty.coupon_ids == () and not empty.is_new_customer
    assert store.wallet("C9999") is None


def test_a_rule_change_on_one_worker_changes_quotes_on_another(kefu: Kefu) -> None:
    other = PromotionService(SqlRuleStore(Database(kefu.db.engine)), kefu.commerce)
    cart = [{"sku": "P4002", "qty": 1}]  # 399.00: one full 300 of cross-store discount
    before = other.quote("C1005", cart, []).to_wire()
    assert before["total"] == "359.00"
    store = SqlRuleStore(kefu.db)
    rule = next(r for r in store.list_rules() if r.id == "CROSS-300-40")
    data = rule.model_dump(mode="json") | {"every": "400.00", "off": "50.00"}
    store.put_rule(parse_rule(data), datetime.now(UTC))
    time.sleep(REVISION_TTL_S + 0.1)
    after = other.quote("C1005", cart, []).to_wire()
    assert after["total"] == "399.00"  # below the new 400 threshold
