"""Changing the delivery address: shown and confirmed first, done only on a yes, only while the
order is paid and not shipped; a shipped order goes to a person, a cancelled one is refused."""

from __future__ import annotations

from kefu.domain.aftersales import RequestKind
from kefu.wiring import Kefu
from tests.dialogue.skills.support import (
    EARBUDS,
    FRYER,
    JACKET,
    kinds_of,
    requests,
    say,
    state_of,
    text_of,
)

NEW = "北京市海淀区中关村大街1号"
OLD_EARBUDS = "上海市浦东新区世纪大道100号"


def test_a_new_address_is_shown_masked_and_changed_only_after_the_yes(shop: Kefu) -> None:
    asked = say(
        shop, "C1001", f"耳机那单地址改成{NEW}", intent="change_address", product_skus=("P2002",)
    )
    reply = text_of(asked)
    assert EARBUDS in reply and NEW in reply
    assert OLD_EARBUDS not in reply and "***" in reply  # the old one only recognisable
    assert kinds_of(asked) == ["clarify"]
    assert state_of(shop, asked)["pending"]["action"] == "change_address"
    assert shop.commerce.get_order("C1001", EARBUDS).address == OLD_EARBUDS
    done = say(shop, "C1001", "确认")
    assert kinds_of(done) == ["action"] and NEW in text_of(done)
    assert shop.commerce.get_order("C1001", EARBUDS).address == NEW
    (change,) = requests(shop, "C1001", EARBUDS, RequestKind.ADDRESS_CHANGE)
    assert change.details["old"] == OLD_EARBUDS and change.details["new"] == NEW


def test_the_bot_asks_for_the_address_and_a_no_leaves_it_as_it_was(shop: Kefu) -> None:
    old = shop.commerce.get_order("C1004", FRYER).address
    ask = say(
        shop, "C1004", "I need to change my delivery address", intent="change_address", lang="en"
    )
    assert FRYER in text_of(ask) and kinds_of(ask) == ["clarify"]
    assert state_of(shop, ask)["awaiting"]["slot"] == "address"
    new = "Flat 3B, 20 Nathan Road, Kowloon"
    confirm = say(shop, "C1004", new, lang="en")  # the NLU knows nothing: the slot does
    assert new in text_of(confirm)
    assert state_of(shop, confirm)["pending"]["address"] == new
    declined = say(shop, "C1004", "no", lang="en")
    assert not state_of(shop, declined)["pending"]
    assert shop.commerce.get_order("C1004", FRYER).address == old
    assert requests(shop, "C1004", FRYER) == []


def test_a_shipped_order_is_not_changed_and_a_person_is_offered(shop: Kefu) -> None:
    old = shop.commerce.get_order("C1001", JACKET).address
    result = say(
        shop, "C1001", f"羽绒服那单地址改成{NEW}", intent="change_address", product_skus=("P1001",)
    )
    assert JACKET in text_of(result) and "已经发货" in text_of(result)
    assert state_of(shop, result)["pending"] == {
        "action": "handoff",
        "reason": "needs_person",
        "order_id": JACKET,
    }
    assert not result.handoff
    handed = say(shop, "C1001", "好的")
    assert handed.handoff and handed.status == "waiting_agent"
    assert shop.commerce.get_order("C1001", JACKET).address == old
    assert requests(shop, "C1001", JACKET) == []


def test_a_cancelled_order_keeps_its_address(shop: Kefu) -> None:
    say(shop, "C1004", "cancel my order", intent="cancel_order", lang="en")
    say(shop, "C1004", "yes", lang="en")
    old = shop.commerce.get_order("C1004", FRYER).address
    result = say(
        shop,
        "C1004",
        "change the address to Flat 1, 2 Nathan Road",
        intent="change_address",
        lang="en",
    )
    assert FRYER in text_of(result) and "cancelled" in text_of(result)
    assert not state_of(shop, result)["pending"]
    assert shop.commerce.get_order("C1004", FRYER).address == old


def test_changing_the_phone_keeps_the_delivery_address(shop: Kefu) -> None:
    result = say(
        shop,
        "C1001",
        "耳机那单收货电话改成13912345678",
        intent="change_address",
        product_skus=("P2002",),
        entities={"phone": "13912345678"},
    )
    pending = state_of(shop, result)["pending"]
    assert pending["address"].startswith(OLD_EARBUDS) and "13912345678" in pending["address"]
