"""Cancelling an order: a confirmation first, with what the customer gets back; then the order
system cancels it. Shipped and foreign orders are never touched."""

from __future__ import annotations

from kefu.domain.aftersales import RequestKind
from kefu.domain.orders import OrderStatus
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    FRYER,
    JACKET,
    PHONE,
    ROBOT,
    kinds_of,
    requests,
    say,
    state_of,
    text_of,
)


def test_a_paid_order_is_cancelled_after_the_yes_with_a_full_refund(shop: Kefu) -> None:
    asked = say(shop, "C1004", "please cancel my order", intent="cancel_order", lang="en")
    assert FRYER in text_of(asked) and "399.00" in text_of(asked)
    assert kinds_of(asked) == ["clarify"]
    assert state_of(shop, asked)["pending"] == {"action": "cancel", "order_id": FRYER}
    assert shop.commerce.get_order("C1004", FRYER).status is OrderStatus.PAID
    done = say(shop, "C1004", "yes", lang="en")
    assert kinds_of(done) == ["action"] and "399.00" in text_of(done)
    assert shop.commerce.get_order("C1004", FRYER).status is OrderStatus.CANCELLED
    (cancel,) = requests(shop, "C1004", FRYER, RequestKind.CANCEL)
    assert str(cancel.amount) == "399.00"
    again = say(
        shop,
        "C1004",
        f"cancel {FRYER}",
        intent="cancel_order",
        lang="en",
        entities={"order_id": FRYER},
    )
    assert "already cancelled" in text_of(again)
    assert not state_of(shop, again)["pending"]
    assert len(requests(shop, "C1004", FRYER)) == 1


def test_a_no_keeps_the_order(shop: Kefu) -> None:
    say(shop, "C1004", "please cancel my order", intent="cancel_order", lang="en")
    declined = say(shop, "C1004", "no", lang="en")
    assert not state_of(shop, declined)["pending"]
    say(shop, "C1004", "yes", lang="en")  # too late: the offer was for the next message
    assert shop.commerce.get_order("C1004", FRYER).status is OrderStatus.PAID
    assert requests(shop, "C1004", FRYER) == []


def test_a_shipped_order_cannot_be_cancelled(shop: Kefu) -> None:
    result = say(shop, "C1001", "羽绒服那单取消", intent="cancel_order", product_skus=("P1001",))
    assert JACKET in text_of(result) and "无法取消" in text_of(result)
    assert not state_of(shop, result)["pending"]
    assert shop.commerce.get_order("C1001", JACKET).status is OrderStatus.SHIPPED


def test_cancelling_a_presale_warns_the_deposit_is_lost(shop: Kefu) -> None:
    asked = say(
        shop, "C1006", "扫地机器人那单不要了取消吧", intent="cancel_order", product_skus=("P4001",)
    )
    assert ROBOT in text_of(asked) and "定金不予退还" in text_of(asked)
    assert state_of(shop, asked)["pending"] == {"action": "cancel", "order_id": ROBOT}
    done = say(shop, "C1006", "确认")
    assert ROBOT in text_of(done) and "定金不予退还" in text_of(done)
    assert shop.commerce.get_order("C1006", ROBOT).status is OrderStatus.CANCELLED
    (cancel,) = requests(shop, "C1006", ROBOT, RequestKind.CANCEL)
    assert cancel.details.get("deposit_forfeited") is True


def test_another_customers_order_is_not_found_and_not_touched(shop: Kefu) -> None:
    result = say(shop, "C1002", f"取消{FRYER}", intent="cancel_order")
    assert "没有查到这个订单" in text_of(result) and FRYER not in text_of(result)
    assert not state_of(shop, result)["pending"]
    assert shop.commerce.get_order("C1004", FRYER).status is OrderStatus.PAID


def test_a_delivered_order_is_not_told_to_refuse_the_parcel(shop: Kefu) -> None:
    result = say(shop, "C1003", "手机那单取消", intent="cancel_order", product_skus=("P2001",))
    assert PHONE in text_of(result) and "拒收" not in text_of(result)
    assert "已经签收" in text_of(result) and "退货" in text_of(result)
    assert not state_of(shop, result)["pending"]
