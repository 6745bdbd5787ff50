"""Account questions: the membership level comes from the customer's profile, the rest (login,
points) from the knowledge base; with neither, the bot asks what the problem is."""

from __future__ import annotations

from kefu.wiring import Kefu
from tests.dialogue.skills.support import say, text_of


def test_the_level_is_read_from_the_profile(shop: Kefu) -> None:
    gold = text_of(say(shop, "C1001", "我是什么会员等级", intent="account"))
    assert "金卡会员" in gold
    platinum = text_of(say(shop, "C1003", "我是什么会员等级", intent="account"))
    assert "铂金会员" in platinum and "金卡会员" not in platinum


def test_the_level_is_told_in_english_to_an_english_customer(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1004", "what is my membership level", intent="account", lang="en"))
    assert "Silver member" in reply


def test_a_login_question_gets_the_knowledge_base_answer_without_the_level(shop: Kefu) -> None:
    reply = text_of(say(shop, "C1002", "怎么修改登录密码", intent="account"))
    assert "忘记密码" in reply
    assert "普通会员" not in reply and "您当前是" not in reply


def test_without_level_words_or_an_answer_the_bot_asks_for_details(shop: Kefu) -> None:
    shop.dialogue.knowledge = None
    result = say(shop, "C1003", "积分怎么用", intent="account")
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "account.fallback")
    assert "铂金会员" not in text_of(result)
