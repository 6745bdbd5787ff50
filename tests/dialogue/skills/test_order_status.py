"""Where an order stands, by its state: paid (when it ships), shipped (tracking), presale
(the balance), group buy (members and deadline), refunding (the refund); "my order" is one
still under way."""

from __future__ import annotations

from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    FRYER,
    JACKET,
    NUTS,
    PHONE,
    ROBOT,
    STROLLER,
    TEE,
    say,
    text_of,
)


def test_a_paid_order_says_when_it_ships(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1004", "what's the status of my order", intent="order_status", lang="en")
    )
    assert FRYER in reply and "48 hours" in reply and "72 hours" in reply


def test_a_shipped_order_gives_the_tracking_number(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1001", "羽绒服那单怎么样了", intent="order_status", product_skus=("P1001",))
    )
    assert JACKET in reply and "ZT7788990011" in reply and "上海浦东 派送中" in reply


def test_a_presale_order_names_the_balance_due(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1006", "扫地机器人那单怎么样了", intent="order_status", product_skus=("P4001",))
    )
    assert ROBOT in reply and "1799.00" in reply and NUTS not in reply


def test_a_group_buy_names_the_members_so_far(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1006", "坚果那单怎么样了", intent="order_status", product_skus=("P6001",))
    )
    assert NUTS in reply and "拼团中" in reply and "当前1人" in reply and ROBOT not in reply


def test_a_refunding_order_tells_the_refund(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1002", "T恤那单怎么样了", intent="order_status", product_skus=("P1003",))
    )
    assert TEE in reply and "118.50" in reply and "收到" in reply


def test_my_order_is_the_one_still_under_way(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1003", "我的订单怎么样了", intent="order_status"))
    assert STROLLER in reply and PHONE not in reply
