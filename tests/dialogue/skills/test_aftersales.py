"""Returns and exchanges: a stated wish or a quality problem files the request and its ticket;
the 7-day window, the excluded products and an order not yet delivered say why not, and an
unshipped order is offered a cancellation instead."""

from __future__ import annotations

from kefu.domain.aftersales import RequestKind
from kefu.domain.desk import TicketKind
from kefu.domain.orders import OrderStatus
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    CREAM,
    EARBUDS,
    FLASK,
    JACKET,
    PHONE,
    kinds_of,
    requests,
    say,
    state_of,
    text_of,
    ticket_orders,
)


def test_a_quality_problem_files_a_return_the_shop_pays_for_and_asks_for_a_photo(
    shop: Kefu,
) -> None:
    result = say(
        shop,
        "C1002",
        "面霜坏了，漏了一地，帮我退货",
        intent="return_refund",
        product_skus=("P5001",),
    )
    (request,) = requests(shop, "C1002", CREAM, RequestKind.RETURN)
    assert request.details["quality_problem"] and request.details["shop_pays_return_shipping"]
    reply = text_of(result)
    assert request.id in reply and "329.00" in reply and "照片" in reply
    assert kinds_of(result)[:2] == ["action", "action"]
    assert ticket_orders(shop, "C1002", TicketKind.QUALITY) == [CREAM]
    assert ticket_orders(shop, "C1002", TicketKind.RETURN) == []


def test_a_quality_problem_told_without_asking_is_offered_then_filed_on_yes(shop: Kefu) -> None:
    offered = say(
        shop, "C1002", "面霜坏了，漏了一地", intent="return_refund", product_skus=("P5001",)
    )
    assert "15天内可以免费退货" in text_of(offered) and "确认" in text_of(offered)
    assert requests(shop, "C1002", CREAM, RequestKind.RETURN) == []
    say(shop, "C1002", "确认", intent="greeting")
    (request,) = requests(shop, "C1002", CREAM, RequestKind.RETURN)
    assert request.details["quality_problem"] and request.details["shop_pays_return_shipping"]
    assert ticket_orders(shop, "C1002", TicketKind.QUALITY) == [CREAM]


def test_a_customized_product_is_refused_a_no_reason_return(shop: Kefu) -> None:
    result = say(
        shop, "C1005", "保温杯不想要了，帮我退了", intent="return_refund", product_skus=("P6002",)
    )
    assert "定制刻字保温杯" in text_of(result) and "不支持7天无理由" in text_of(result)
    assert requests(shop, "C1005", FLASK) == []
    assert ticket_orders(shop, "C1005", TicketKind.RETURN) == []


def test_past_the_window_the_reply_counts_the_days_and_files_nothing(shop: Kefu) -> None:
    result = say(
        shop, "C1003", "手机不想要了，我要退货", intent="return_refund", product_skus=("P2001",)
    )
    assert PHONE in text_of(result) and "22天" in text_of(result)
    assert requests(shop, "C1003", PHONE) == []
    assert not state_of(shop, result)["pending"]


def test_an_unshipped_order_is_offered_a_cancellation_with_a_full_refund(shop: Kefu) -> None:
    offer = say(
        shop, "C1001", "耳机不想要了，我要退货", intent="return_refund", product_skus=("P2002",)
    )
    assert EARBUDS in text_of(offer) and kinds_of(offer) == ["clarify"]
    assert state_of(shop, offer)["pending"] == {"action": "cancel", "order_id": EARBUDS}
    assert requests(shop, "C1001", EARBUDS) == []
    done = say(shop, "C1001", "确认")
    assert "299.00" in text_of(done)
    assert shop.commerce.get_order("C1001", EARBUDS).status is OrderStatus.CANCELLED
    assert [r.kind for r in requests(shop, "C1001", EARBUDS)] == [RequestKind.CANCEL]


def test_a_parcel_still_on_its_way_cannot_be_returned_yet(shop: Kefu) -> None:
    result = say(shop, "C1001", "羽绒服我要退货", intent="return_refund", product_skus=("P1001",))
    assert JACKET in text_of(result) and "拒收" in text_of(result)
    assert requests(shop, "C1001", JACKET) == []
    assert not state_of(shop, result)["pending"]
    assert shop.commerce.get_order("C1001", JACKET).status is OrderStatus.SHIPPED


def test_an_exchange_is_filed_with_its_own_ticket(shop: Kefu) -> None:
    result = say(shop, "C1002", "面霜太大了想换个小的", intent="exchange", product_skus=("P5001",))
    (request,) = requests(shop, "C1002", CREAM)
    assert request.kind is RequestKind.EXCHANGE and request.details["sku"] == "P5001"
    assert request.id in text_of(result) and "换货" in text_of(result)
    assert "退款" not in text_of(result)  # an exchange refunds nothing
    assert ticket_orders(shop, "C1002", TicketKind.EXCHANGE) == [CREAM]
