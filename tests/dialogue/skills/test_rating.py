"""A satisfaction score given by replying to the bot's survey question: recorded once, thanked;
anything that is not a score is a new question, and a bare number unasked is no rating."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from kefu.jobs.notices import ask_after_bot_conversations
from kefu.wiring import Kefu
from tests.dialogue.skills.support import say, state_of, text_of


def _asked(shop: Kefu, customer: str) -> str:
    """A bot-only conversation the survey question was sent into; its id."""
    policy = shop.notices.policy
    shop.notices.policy = dataclasses.replace(policy, quiet_end=policy.quiet_start)  # daytime
    first = say(shop, customer, "你好", intent="greeting")
    ask_after_bot_conversations(shop, datetime.now(UTC) + timedelta(minutes=31))
    assert state_of(shop, first)["awaiting"] == {"slot": "rating", "intent": "greeting"}
    return first.conversation_id


def _score(shop: Kefu, conversation_id: str) -> int | None:
    survey = shop.desk.surveys.latest_for_conversation(conversation_id)
    assert survey is not None
    return survey.score


@pytest.mark.parametrize(("text", "score"), [("4分", 4), ("五星", 5), ("1", 1)])
def test_a_score_reply_is_recorded_and_thanked(shop: Kefu, text: str, score: int) -> None:
    conversation = _asked(shop, "C1003")
    result = say(shop, "C1003", text)
    assert text_of(result) == shop.dialogue.templates.say("zh-CN", "rating_thanks")
    assert _score(shop, conversation) == score
    assert not state_of(shop, result)["awaiting"]


def test_only_the_first_score_counts(shop: Kefu) -> None:
    conversation = _asked(shop, "C1003")
    say(shop, "C1003", "4分")
    later = say(shop, "C1003", "5")
    assert "评分" not in text_of(later)
    assert _score(shop, conversation) == 4


def test_a_question_instead_of_a_score_is_answered_as_a_question(shop: Kefu) -> None:
    conversation = _asked(shop, "C1003")
    result = say(shop, "C1003", "我的订单到哪了", intent="logistics")
    assert "E2026110100004" in text_of(result) and "评分" not in text_of(result)
    assert _score(shop, conversation) is None


def test_a_number_nobody_asked_for_is_no_rating(shop: Kefu) -> None:
    result = say(shop, "C1002", "5")
    assert "评分" not in text_of(result)
    assert shop.desk.surveys.latest_for_conversation(result.conversation_id) is None
