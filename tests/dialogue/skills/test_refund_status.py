"""Where a refund stands: received by the warehouse (amount and timing), refunded on
cancellation, a return still open, or no refund at all; a general question gets the rule."""

from __future__ import annotations

import re

from kefu.wiring import Kefu
from tests.dialogue.skills.support import CREAM, FRYER, TEE, say, text_of


def test_a_received_return_gives_the_amount_and_when_it_arrives(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1002", "退款什么时候到", intent="refund_status"))
    assert TEE in reply and "118.50" in reply and "1-3个工作日" in reply
    assert CREAM not in reply


def test_a_cancelled_order_was_refunded_its_amount(shop: Kefu) -> None:
    say(shop, "C1004", "cancel my order", intent="cancel_order", lang="en")
    say(shop, "C1004", "yes", lang="en")
    reply = text_of(say(shop, "C1004", "where is my refund", intent="refund_status", lang="en"))
    assert FRYER in reply and "cancelled" in reply and "399.00" in reply


def test_an_open_return_is_in_progress(shop: Kefu) -> None:
    say(shop, "C1002", "面霜不想要了我要退", intent="return_refund", product_skus=("P5001",))
    reply = text_of(
        say(shop, "C1002", "面霜退款到哪了", intent="refund_status", product_skus=("P5001",))
    )
    assert CREAM in reply and "处理中" in reply and "没有退款记录" not in reply


def test_an_order_without_a_return_has_no_refund(shop: Kefu) -> None:
    reply = text_of(
        say(shop, "C1002", "面霜退款呢", intent="refund_status", product_skus=("P5001",))
    )
    assert CREAM in reply and "没有退款记录" in reply and "329.00" not in reply


def test_a_general_question_gets_the_refund_rule(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1002", "退款一般多久到账", intent="refund_status"))
    assert "24小时" in reply and not re.search(r"E\d{13}", reply)
