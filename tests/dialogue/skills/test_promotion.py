"""Promotions and coupons, answered by the promotion engine from the live rules: a quote with
the offers that apply, the customer's own coupons, an open group-buy or presale order before
the rules; an engine failure still gets an answer."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.wiring import Kefu
from tests.dialogue.skills.support import NUTS, say, text_of


def test_a_quote_applies_the_second_item_offer_and_the_new_customer_coupon(shop: Kefu) -> None:
    reply = text_of(
        say(
            shop,
            "C1002",
            "T恤买两件多少钱",
            intent="promotion",
            product_skus=("P1003",),
            entities={"quantity": 2},
        )
    )
    assert "158" in reply and "39.50" in reply and "108.50" in reply


def test_coupons_are_the_customers_own(shop: Kefu) -> None:
    new = text_of(say(shop, "C1002", "我有什么优惠券", intent="coupon"))
    assert "新人券" in new and "店铺券" not in new
    store = text_of(say(shop, "C1003", "我有什么优惠券", intent="coupon"))
    assert "店铺券" in store and "新人券" not in store


def test_an_open_group_buy_order_is_told_before_the_rules(shop: Kefu) -> None:
    result = say(shop, "C1006", "坚果拼上了没", intent="promotion", product_skus=("P6001",))
    assert NUTS in result.replies[0].text and "当前1人" in result.replies[0].text
    assert len(result.replies) >= 2


def test_a_general_rule_question_leaves_the_order_out(shop: Kefu) -> None:
    result = say(shop, "C1006", "拼团规则一般是怎样的", intent="promotion", product_skus=("P6001",))
    assert "99" in text_of(result) and NUTS not in text_of(result)


def test_an_engine_failure_still_answers(shop: Kefu, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("rules unreadable")

    monkeypatch.setattr(shop.dialogue.promotions, "answer", broken)
    shop.dialogue.knowledge = None
    result = say(shop, "C1002", "T恤买两件多少钱", intent="promotion", product_skus=("P1003",))
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "fallback")
    assert not result.handoff


def test_an_english_customer_gets_the_rules_in_english(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1004", "any promotions now?", intent="promotion", lang="en"))
    assert "Cross-store discount" in reply and "跨店" not in reply
