"""A general policy question asked under an order intent is answered from the knowledge base,
and nothing happens to the customer's orders; once it names their order, it is about that order."""

from __future__ import annotations

import re

from kefu.domain.desk import TicketKind
from kefu.domain.orders import OrderStatus
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    FRYER,
    STROLLER,
    requests,
    say,
    state_of,
    text_of,
    tickets,
)


def test_a_delivery_time_question_opens_no_ticket_for_a_stalled_parcel(shop: Kefu) -> None:
    result = say(shop, "C1003", "寄到新疆一般要几天", intent="logistics")
    reply = text_of(result)
    assert "3-5天" in reply and not re.search(r"E\d{13}", reply)
    assert tickets(shop, "C1003", TicketKind.LOGISTICS) == []


def test_the_same_question_about_my_parcel_is_about_the_order(shop: Kefu) -> None:
    result = say(shop, "C1003", "我的快递寄到新疆一般要几天", intent="logistics")
    assert STROLLER in text_of(result)
    assert len(tickets(shop, "C1003", TicketKind.LOGISTICS)) == 1


def test_naming_a_product_of_an_order_makes_it_about_that_order(shop: Kefu) -> None:
    result = say(shop, "C1003", "推车一般要几天到", intent="logistics", product_skus=("P3001",))
    assert STROLLER in text_of(result)


def test_a_cancellation_rule_question_cancels_nothing(shop: Kefu) -> None:
    result = say(shop, "C1004", "取消订单一般多久退款", intent="cancel_order")
    assert "30分钟" in text_of(result) and FRYER not in text_of(result)
    assert not state_of(shop, result)["pending"]
    assert shop.commerce.get_order("C1004", FRYER).status is OrderStatus.PAID
    assert requests(shop, "C1004", FRYER) == []


def test_an_address_rule_question_asks_for_no_address(shop: Kefu) -> None:
    result = say(shop, "C1001", "地址一般能改吗", intent="change_address")
    assert "人工" in text_of(result)
    state = state_of(shop, result)
    assert not state["pending"] and not state["awaiting"]
