"""Properties of every quote: money exact and non-negative, best choice optimal, all explained."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.demo.promotions import demo_rule_store, load_demo_products
from kefu.domain.catalog import Product
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import quote
from kefu.promotions.explain import Explainer
from kefu.promotions.ports import CustomerWallet
from kefu.promotions.quote import CartItem
from kefu.promotions.texts import LANGS
from tests.promotions.conftest import NOW

PRODUCTS: dict[str, Product] = load_demo_products()
BOOK = RuleBook(demo_rule_store(NOW).list_rules())
EXPLAINER = Explainer()
COUPONS = ("CPN-STORE-50", "CPN-PLAT-20", "CPN-NEW-10")

carts = st.lists(
    st.tuples(st.sampled_from(sorted(PRODUCTS)), st.integers(min_value=1, max_value=6)),
    min_size=1,
    max_size=6,
)
wallets = st.builds(
    lambda held, new: CustomerWallet("X", tuple(held), new),
    st.lists(st.sampled_from(COUPONS), unique=True),
    st.booleans(),
)
# around the flash sale, inside the campaign and the presale phases
moments = st.sampled_from(
    [NOW, NOW - timedelta(days=2, minutes=-5), NOW - timedelta(days=3), NOW + timedelta(days=2)]
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cart(items: list[tuple[str, int]]) -> list[CartItem]:
    return [CartItem(sku, qty) for sku, qty in items]


def _two_places(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


@FAST
@given(carts, wallets, moments)
def test_totals_are_never_negative_and_money_has_two_places(
    items: list[tuple[str, int]], wallet: CustomerWallet, now: datetime
) -> None:
    result = quote(_cart(items), wallet, BOOK, PRODUCTS, now)
    amounts = [result.subtotal, result.goods_total, result.shipping, result.total]
    amounts += [d.amount for d in result.discounts]
    for line in result.lines:
        amounts += [line.total, line.amount_after_item, *line.order_discounts.values()]
    assert all(a >= 0 and _two_places(a) for a in amounts)
    assert sum(line.total for line in result.lines) == result.goods_total


@FAST
@given(carts, wallets, moments)
def test_best_choice_is_never_worse_than_any_valid_choice(
    items: list[tuple[str, int]], wallet: CustomerWallet, now: datetime
) -> None:
    best = quote(_cart(items), wallet, BOOK, PRODUCTS, now)
    for size in (1, 2):
        for chosen in itertools.combinations(wallet.coupon_ids, size):
            try:
                other = quote(_cart(items), wallet, BOOK, PRODUCTS, now, list(chosen))
            except Exception:  # conflicting coupons are not a valid choice
                continue
            assert best.total <= other.total
            if best.total == other.total and not other.coupons_rejected:
                assert len(best.coupons_used) <= len(other.coupons_used)


@FAST
@given(carts, st.sampled_from(sorted(PRODUCTS)), moments)
def test_adding_an_item_never_lowers_the_cross_store_base(
    items: list[tuple[str, int]], extra: str, now: datetime
) -> None:
    wallet = CustomerWallet("X")
    before = quote(_cart(items), wallet, BOOK, PRODUCTS, now)
    after = quote(_cart([*items, (extra, 1)]), wallet, BOOK, PRODUCTS, now)
    assert after.cross_store_base >= before.cross_store_base


@settings(max_examples=60, deadline=None)
@given(carts, wallets, moments)
def test_every_discount_is_explained_in_every_language(
    items: list[tuple[str, int]], wallet: CustomerWallet, now: datetime
) -> None:
    result = quote(_cart(items), wallet, BOOK, PRODUCTS, now)
    for lang in LANGS:
        for discount in result.discounts:
            assert EXPLAINER.discount(discount, lang, PRODUCTS).strip()
        assert EXPLAINER.quote(result, lang, PRODUCTS).strip()
