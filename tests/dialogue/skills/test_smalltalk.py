"""Greetings, thanks and goodbyes; payment questions from the knowledge base; a polite refusal
of what the shop does not do, unresolved so that it counts toward a person."""

from __future__ import annotations

import pytest

from kefu.wiring import Kefu
from tests.dialogue.skills.support import say, state_of, text_of


@pytest.mark.parametrize(
    ("text", "key"),
    [("你好", "greeting.hello"), ("谢谢你", "greeting.thanks"), ("没事了拜拜", "greeting.bye")],
)
def test_greetings_thanks_and_goodbyes_each_get_their_own_reply(
    shop: Kefu, text: str, key: str
) -> None:
    result = say(shop, "C1002", text, intent="greeting")
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", key)


def test_a_payment_question_is_answered_from_the_knowledge_base(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1002", "能用花呗分期吗", intent="payment"))
    assert "支付宝" in reply and "微信支付" in reply


def test_without_an_answer_a_payment_question_asks_for_details(shop: Kefu) -> None:
    shop.dialogue.knowledge = None
    result = say(shop, "C1002", "能用花呗分期吗", intent="payment")
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "payment.fallback")
    assert state_of(shop, result)["unresolved"] == 1


def test_an_out_of_scope_request_is_refused_and_counted_unresolved(shop: Kefu) -> None:
    result = say(shop, "C1002", "帮我写一篇作文", intent="other")
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "other.refuse")
    assert state_of(shop, result)["unresolved"] == 1
    assert not result.handoff
