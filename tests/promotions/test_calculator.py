"""Prices of the demo shop's carts, rule by rule, and the dev table of the shared eval set."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kefu.domain.catalog import Category, Product
from kefu.domain.money import ZERO
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import quote
from kefu.promotions.errors import CouponConflict, CouponNotHeld, InvalidCart, UnknownProduct
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.quote import CartItem, Quote
from kefu.promotions.rules import PlatformCoupon
from kefu.promotions.store import InMemoryRuleStore
from tests.promotions.conftest import NOW

# the shared dev set when it is mounted, else the copy kept with the tests (a CI clone may stand
# alone); measured on, never trained on
_SHARED_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "promo_dev.jsonl"
_KEPT_DEV = Path(__file__).parent / "data" / "promo_dev.jsonl"
DEV_SET = _SHARED_DEV if _SHARED_DEV.exists() else _KEPT_DEV
NOBODY = CustomerWallet("C1005")


def _cases() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]


def _quote(
    book: RuleBook,
    products: dict[str, Product],
    items: list[tuple[str, int]],
    wallet: CustomerWallet = NOBODY,
    coupons: list[str] | None = None,
    now: Any = NOW,
) -> Quote:
    return quote([CartItem(s, q) for s, q in items], wallet, book, products, now, coupons)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: json.dumps(c["items"]))
def test_dev_cart_is_priced_exactly(
    case: dict[str, Any], store: InMemoryRuleStore, book: RuleBook, products: dict[str, Product]
) -> None:
    wallet = store.wallet(case["customer_id"])
    assert wallet is not None
    items = [(i["sku"], i["qty"]) for i in case["items"]]
    result = _quote(book, products, items, wallet, case.get("coupons"))
    expect = case["expect"]
    assert str(result.subtotal) == expect["subtotal"]
    assert f"{result.discount_of_kind('cross_store_threshold'):.2f}" == expect["cross_store_off"]
    assert str(result.goods_total) == expect["goods_total"]
    assert str(result.shipping) == expect["shipping"]
    assert str(result.total) == expect["total"]
    assert sorted(result.coupons_used) == sorted(expect["coupons_used"])


def test_second_tee_is_half_price_for_every_pair(
    book: RuleBook, products: dict[str, Product]
) -> None:
    assert _quote(book, products, [("P1003", 2)]).goods_total == Decimal("118.50")
    assert _quote(book, products, [("P1003", 4)]).lines[0].amount_after_item == Decimal("237.00")


def test_socks_buy_one_get_one_pays_for_half_rounded_up(
    book: RuleBook, products: dict[str, Product]
) -> None:
    assert _quote(book, products, [("P1004", 3)]).goods_total == Decimal("59.80")


def test_cross_store_takes_40_for_every_full_300(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P1001", 1)])  # 599
    assert result.discount("CROSS-300-40") == Decimal("40.00")
    assert _quote(book, products, [("P1001", 1), ("P1003", 1)]).discount("CROSS-300-40") == Decimal(
        "80.00"
    )


def test_phone_is_not_part_of_the_cross_store_base(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P2001", 1), ("P1003", 1)])
    assert result.cross_store_base == Decimal("79.00")
    assert result.discount("CROSS-300-40") == Decimal("0.00")


def test_cross_store_stops_when_the_campaign_ends(
    book: RuleBook, products: dict[str, Product]
) -> None:
    later = NOW + timedelta(days=2)
    assert _quote(book, products, [("P1001", 1)], now=later).goods_total == Decimal("599.00")


def test_flash_sale_outside_its_window_is_the_normal_price(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P2002", 1)])
    assert result.lines[0].item_rule_id is None
    assert result.goods_total == Decimal("459.00")  # 499 with the cross-store 40 off


def test_flash_sale_in_its_window_one_unit_at_flash_price_and_no_other_discount(
    book: RuleBook, products: dict[str, Product]
) -> None:
    during = NOW - timedelta(days=2) + timedelta(minutes=5)
    result = _quote(book, products, [("P2002", 1)], now=during)
    assert result.goods_total == Decimal("299.00")
    assert result.cross_store_base == Decimal("0.00")
    two = _quote(book, products, [("P2002", 2)], now=during)
    # the second unit is over the limit: list price, and it joins the cross-store discount
    assert two.lines[0].amount_after_item == Decimal("798.00")
    assert two.cross_store_base == Decimal("499.00")


def test_flash_sale_item_takes_no_coupon(
    store: InMemoryRuleStore, book: RuleBook, products: dict[str, Product]
) -> None:
    during = NOW - timedelta(days=2) + timedelta(minutes=5)
    wallet = store.wallet("C1003")
    assert wallet is not None
    result = _quote(book, products, [("P2002", 1)], wallet, ["CPN-STORE-50"], now=during)
    assert result.coupons_used == ()
    assert result.coupons_rejected[0].reason == "no_eligible_items"


def test_presale_balance_counts_the_deposit_at_its_worth_and_takes_discounts(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P4001", 1)])
    line = result.lines[0]
    assert line.amount_after_item == Decimal("1799.00")
    assert result.discount("CROSS-300-40") == Decimal("200.00")
    assert result.total == Decimal("1599.00")
    assert result.deposit_paid == Decimal("100.00")


def test_presale_before_the_balance_window_asks_for_the_deposit_only(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P4001", 1)], now=NOW - timedelta(days=3))
    assert result.goods_total == Decimal("100.00")
    assert result.discount("CROSS-300-40") == Decimal("0.00")


def test_presale_after_the_balance_window_is_the_list_price(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P4001", 1)], now=NOW + timedelta(days=1, minutes=1))
    assert result.lines[0].item_rule_id is None


def test_group_price_takes_no_cross_store_discount_or_coupon(
    store: InMemoryRuleStore, book: RuleBook, products: dict[str, Product]
) -> None:
    wallet = store.wallet("C1001")
    assert wallet is not None
    result = _quote(book, products, [("P6001", 4)], wallet)
    assert result.goods_total == Decimal("396.00")
    assert result.coupons_used == () and result.cross_store_base == Decimal("0.00")


def test_store_coupon_threshold_checked_after_cross_store_discount(
    store: InMemoryRuleStore, book: RuleBook, products: dict[str, Product]
) -> None:
    wallet = store.wallet("C1003")
    assert wallet is not None
    # 230 -> no cross-store; 320 -> 280 after 40 off, still above 200
    assert _quote(book, products, [("P5001", 1)], wallet).coupons_used == ("CPN-STORE-50",)
    result = _quote(book, products, [("P1003", 3)], wallet, ["CPN-STORE-50"])
    assert result.coupons_rejected[0].reason == "threshold_not_reached"
    assert result.coupons_rejected[0].facts["short"] == Decimal("2.50")


def test_new_customer_coupon_needs_a_new_customer(
    book: RuleBook, products: dict[str, Product]
) -> None:
    returning = CustomerWallet("X", ("CPN-NEW-10",), is_new_customer=False)
    assert _quote(book, products, [("P1002", 1)], returning).coupons_used == ()


def test_best_choice_prefers_fewer_coupons_when_the_price_is_the_same(
    book: RuleBook, products: dict[str, Product]
) -> None:
    # 105 of goods: a 10 coupon would drop it below free shipping and cost 10 shipping
    wallet = CustomerWallet("X", ("CPN-NEW-10",), is_new_customer=True)
    result = _quote(book, products, [("P1003", 1), ("P1004", 1)], wallet)
    assert result.subtotal == Decimal("108.90")
    assert result.coupons_used == ()
    assert result.total == Decimal("108.90")


def test_lines_add_up_to_the_goods_total(
    store: InMemoryRuleStore, book: RuleBook, products: dict[str, Product]
) -> None:
    wallet = store.wallet("C1001")
    assert wallet is not None
    result = _quote(book, products, [("P1001", 1), ("P1003", 3), ("P1004", 3)], wallet)
    assert sum(line.total for line in result.lines) == result.goods_total
    assert result.subtotal - sum(d.amount for d in result.discounts) == result.goods_total


def test_repeated_sku_lines_are_merged_before_counting_items(
    book: RuleBook, products: dict[str, Product]
) -> None:
    result = _quote(book, products, [("P1003", 1), ("P1003", 1)])
    assert len(result.lines) == 1 and result.goods_total == Decimal("118.50")


@pytest.mark.parametrize(
    ("items", "coupons", "error", "code"),
    [
        ([], None, InvalidCart, "empty_cart"),
        ([("NOPE", 1)], None, UnknownProduct, "unknown_sku"),
        ([("P1003", 0)], None, InvalidCart, "invalid_quantity"),
        ([("P1003", 100)], None, InvalidCart, "quantity_too_large"),
        ([("P1003", 1)], ["CPN-NEW-10"], CouponNotHeld, "coupon_not_held"),
        ([("P1003", 1)], ["CPN-STORE-50", "CPN-STORE-50"], InvalidCart, "duplicate_coupon"),
    ],
)
def test_bad_carts_are_refused_with_a_code(
    store: InMemoryRuleStore,
    book: RuleBook,
    products: dict[str, Product],
    items: list[tuple[str, int]],
    coupons: list[str] | None,
    error: type[Exception],
    code: str,
) -> None:
    wallet = store.wallet("C1001")
    assert wallet is not None
    with pytest.raises(error) as caught:
        _quote(book, products, items, wallet, coupons)
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_exclusive_coupons_together_are_a_conflict(
    book: RuleBook, products: dict[str, Product]
) -> None:
    wallet = CustomerWallet("X", ("CPN-NEW-10", "CPN-PLAT-20"), is_new_customer=True)
    with pytest.raises(CouponConflict):
        _quote(book, products, [("P1002", 1)], wallet, ["CPN-NEW-10", "CPN-PLAT-20"])


def test_one_rule_book_follows_the_clock_across_a_flash_sale_window(
    book: RuleBook, products: dict[str, Product]
) -> None:
    # the book caches the rules in force between window bounds; quotes may go back in time too
    (flash,) = book.item_rules_for("P2002")
    assert flash.window is not None
    start, end = flash.window.start, flash.window.end
    moments = [NOW, start, end - timedelta(microseconds=1), end, start - timedelta(seconds=1)]
    in_sale = [_quote(book, products, [("P2002", 1)], now=t).lines[0].item_rule_id for t in moments]
    assert in_sale == [None, flash.id, flash.id, None, None]


def test_coupon_cents_no_single_line_can_take_are_spread_over_the_next_lines(
    products: dict[str, Product],
) -> None:
    tiny = {
        sku: Product(sku, sku, sku, Category.FOOD, Decimal("0.01"), 10)
        for sku in ("T1", "T2", "T3")
    }
    coupon = PlatformCoupon(id="CPN-TWO-CENTS", off=Decimal("0.02"))
    wallet = CustomerWallet("C9", ("CPN-TWO-CENTS",))
    result = _quote(RuleBook([coupon]), tiny, [("T1", 1), ("T2", 1), ("T3", 1)], wallet)
    assert result.coupons_used == ("CPN-TWO-CENTS",)
    assert [line.total for line in result.lines] == [ZERO, ZERO, Decimal("0.01")]
    assert result.goods_total == Decimal("0.01")
