"""Asking again for something under way refers to its open ticket instead of filing another;
an open ticket covers only its own order and its own kind."""

from __future__ import annotations

from kefu.domain.aftersales import RequestKind
from kefu.domain.desk import TicketKind
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    CREAM,
    EARBUDS,
    JACKET,
    requests,
    say,
    text_of,
    ticket_orders,
    tickets,
)


def test_a_repeated_request_names_the_open_ticket_and_what_it_is_for(shop: Kefu) -> None:
    say(shop, "C1002", "面霜那单开个发票", intent="invoice", product_skus=("P5001",))
    (ticket,) = tickets(shop, "C1002")
    again = text_of(
        say(shop, "C1002", "面霜发票呢再开一下", intent="invoice", product_skus=("P5001",))
    )
    assert ticket in again and CREAM in again and "开票申请" in again
    assert tickets(shop, "C1002") == [ticket]


def test_a_ticket_for_one_order_does_not_cover_another(shop: Kefu) -> None:
    say(shop, "C1001", "耳机那单开个发票", intent="invoice", product_skus=("P2002",))
    other = text_of(
        say(shop, "C1001", "羽绒服那单也开个发票", intent="invoice", product_skus=("P1001",))
    )
    assert JACKET in other and "已在处理" not in other
    assert sorted(ticket_orders(shop, "C1001", TicketKind.INVOICE)) == sorted([EARBUDS, JACKET])
    assert len(requests(shop, "C1001", JACKET, RequestKind.INVOICE)) == 1


def test_a_ticket_of_another_kind_does_not_stop_a_return(shop: Kefu) -> None:
    say(shop, "C1002", "面霜那单开个发票", intent="invoice", product_skus=("P5001",))
    result = say(
        shop, "C1002", "面霜不想要了我要退", intent="return_refund", product_skus=("P5001",)
    )
    (ret,) = requests(shop, "C1002", CREAM, RequestKind.RETURN)
    assert ret.id in text_of(result)
    assert ticket_orders(shop, "C1002", TicketKind.RETURN) == [CREAM]


def test_an_open_quality_case_covers_a_later_return_request(shop: Kefu) -> None:
    say(
        shop, "C1002", "面霜坏了，漏了一地，要退货", intent="return_refund", product_skus=("P5001",)
    )
    (ticket,) = tickets(shop, "C1002", TicketKind.QUALITY)
    again = text_of(
        say(shop, "C1002", "面霜帮我退了吧", intent="return_refund", product_skus=("P5001",))
    )
    assert ticket in again and "质量问题售后" in again
    assert len(requests(shop, "C1002", CREAM, RequestKind.RETURN)) == 1
    assert tickets(shop, "C1002") == [ticket]


def test_without_the_desk_the_order_system_still_refuses_a_second_return(shop: Kefu) -> None:
    shop.dialogue.desk = None
    first = text_of(
        say(shop, "C1002", "面霜不想要了我要退", intent="return_refund", product_skus=("P5001",))
    )
    assert "已为您提交" in first
    again = text_of(
        say(shop, "C1002", "面霜帮我退了吧", intent="return_refund", product_skus=("P5001",))
    )
    assert "处理中" in again and "已为您提交" not in again
    assert len(requests(shop, "C1002", CREAM, RequestKind.RETURN)) == 1
