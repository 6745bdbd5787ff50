"""Price protection: within 15 days of payment, when the same product's price dropped, the
difference is refunded and a ticket opened; flash-sale, group-buy and presale prices and older
orders are refused with the reason, and nothing is filed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kefu.domain.aftersales import RequestKind, RequestStatus
from kefu.domain.desk import TicketKind
from kefu.store.tables.commerce import ProductRow
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    EARBUDS,
    JACKET,
    NUTS,
    PHONE,
    ROBOT,
    kinds_of,
    requests,
    say,
    text_of,
    tickets,
)


def _reprice(shop: Kefu, sku: str, price: str) -> None:
    with shop.db.session() as s:
        row = s.get(ProductRow, sku)
        assert row is not None
        row.price = Decimal(price)


def test_a_price_drop_refunds_the_difference_once(shop: Kefu) -> None:
    _reprice(shop, "P1001", "549.00")
    result = say(
        shop, "C1001", "羽绒服降价了能补差价吗", intent="price_protection", product_skus=("P1001",)
    )
    (request,) = requests(shop, "C1001", JACKET, RequestKind.PRICE_PROTECTION)
    assert request.amount == Decimal("50.00") and request.status is RequestStatus.APPROVED
    assert JACKET in text_of(result) and "50.00" in text_of(result)
    assert kinds_of(result) == ["action"]
    (ticket,) = tickets(shop, "C1001", TicketKind.PRICE_PROTECTION)
    again = say(
        shop, "C1001", "羽绒服差价退了吗", intent="price_protection", product_skus=("P1001",)
    )
    assert ticket in text_of(again)
    assert len(requests(shop, "C1001", JACKET, RequestKind.PRICE_PROTECTION)) == 1


def test_no_price_drop_shows_both_prices_and_files_nothing(shop: Kefu) -> None:
    result = say(
        shop, "C1001", "羽绒服降价了能补差价吗", intent="price_protection", product_skus=("P1001",)
    )
    assert "599.00" in text_of(result) and "没有低于" in text_of(result)
    assert requests(shop, "C1001", JACKET) == []
    assert tickets(shop, "C1001") == []


@pytest.mark.parametrize(
    ("customer", "sku", "order_id", "deal"),
    [
        ("C1001", "P2002", EARBUDS, "秒杀价"),
        ("C1006", "P6001", NUTS, "拼团价"),
        ("C1006", "P4001", ROBOT, "预售定金"),
    ],
)
def test_deal_prices_are_not_protected(
    shop: Kefu, customer: str, sku: str, order_id: str, deal: str
) -> None:
    _reprice(shop, sku, "9.90")  # even a real drop changes nothing
    result = say(shop, customer, "降价了能价保吗", intent="price_protection", product_skus=(sku,))
    assert order_id in text_of(result) and f"是{deal}购买的" in text_of(result)
    assert requests(shop, customer, order_id) == []
    assert tickets(shop, customer, TicketKind.PRICE_PROTECTION) == []


def test_an_order_paid_more_than_15_days_ago_is_out_of_the_window(shop: Kefu) -> None:
    _reprice(shop, "P2001", "3499.00")
    result = say(
        shop, "C1003", "手机降价了能价保吗", intent="price_protection", product_skus=("P2001",)
    )
    assert PHONE in text_of(result) and "超过15天" in text_of(result)
    assert requests(shop, "C1003", PHONE) == []
