"""Where the parcel is: courier, tracking number and latest event; a stalled parcel opens one
chase ticket; an unshipped order says which courier will carry it; a tracking number that is
not the customer's finds nothing."""

from __future__ import annotations

from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    CREAM,
    EARBUDS,
    JACKET,
    PHONE,
    STROLLER,
    kinds_of,
    say,
    text_of,
    ticket_orders,
    tickets,
)


def test_a_parcel_in_transit_gets_courier_tracking_and_latest_event(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1001", "羽绒服到哪了", intent="logistics", product_skus=("P1001",)))
    assert JACKET in reply and "中通" in reply and "ZT7788990011" in reply
    assert "上海浦东 派送中" in reply
    assert tickets(shop, "C1001") == []


def test_a_stalled_parcel_opens_a_chase_ticket_named_in_the_reply(shop: Kefu) -> None:
    result = say(
        shop,
        "C1003",
        "ZT5566778899到哪了",
        intent="logistics",
        entities={"tracking_no": "ZT5566778899"},
    )
    (ticket,) = tickets(shop, "C1003", TicketKind.LOGISTICS)
    reply = text_of(result)
    assert STROLLER in reply and ticket in reply and "到达 杭州转运中心" in reply
    assert kinds_of(result) == ["action"]
    assert ticket_orders(shop, "C1003", TicketKind.LOGISTICS) == [STROLLER]


def test_a_delivered_parcel_says_when_it_was_signed_for(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1002", "面霜物流", intent="logistics", product_skus=("P5001",)))
    assert CREAM in reply and "签收" in reply and "ZT1122334455" in reply
    assert tickets(shop, "C1002") == []


def test_an_unshipped_order_names_the_courier_it_will_ship_with(shop: Kefu) -> None:
    electronics = text_of(
        say(shop, "C1001", "耳机用什么快递", intent="logistics", product_skus=("P2002",))
    )
    assert EARBUDS in electronics and "顺丰" in electronics and "48" in electronics
    home = text_of(
        say(
            shop,
            "C1004",
            "which courier will deliver my air fryer",
            intent="logistics",
            product_skus=("P4002",),
            lang="en",
        )
    )
    assert "ZTO" in home and "SF" not in home


def test_another_customers_tracking_number_finds_nothing(shop: Kefu) -> None:
    result = say(
        shop,
        "C1001",
        "SF1400000005到哪了",
        intent="logistics",
        entities={"tracking_no": "SF1400000005"},
    )
    reply = text_of(result)
    assert "没有查到" in reply and PHONE not in reply and JACKET not in reply
    assert tickets(shop, "C1001") == []
