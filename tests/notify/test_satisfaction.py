"""Satisfaction after delivery and after bot-only conversations, answered by replying on any
channel (WeChat too, where no rating widget exists)."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from kefu.channels.hub import channels_of
from kefu.commerce.events import parse_shop_event
from kefu.dialogue import Turn
from kefu.dialogue.skills.rating import parse_score
from kefu.jobs.notices import ask_after_bot_conversations, receive_order_event
from kefu.store.conversation_repo import SqlConversations
from kefu.wiring import Kefu


def _daytime(kefu: Kefu) -> None:
    policy = kefu.notices.policy
    kefu.notices.policy = dataclasses.replace(policy, quiet_end=policy.quiet_start)


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), (" 4分", 4), ("五星！", 5), ("３", 3), ("2 stars", 2), ("1/5", 1)],
)
def test_a_score_is_read_from_a_short_reply(text: str, score: int) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize("text", ["6", "0", "我给5分但是快递太慢了", "E2026111100001", "12"])
def test_anything_else_is_not_a_score(text: str) -> None:
    assert parse_score(text) is None


def test_the_delivered_notice_asks_for_a_score_and_a_reply_answers_it(kefu: Kefu) -> None:
    _daytime(kefu)
    body = {
        "event_id": "evt-del",
        "type": "order.delivered",
        "order_id": "E2026111000006",
        "customer_id": "C1004",
        "at": datetime.now(UTC).isoformat(),
    }
    _, notice = receive_order_event(
        kefu, parse_shop_event(json.dumps(body).encode()), datetime.now(UTC)
    )
    assert notice is not None and notice.status == "sent"
    result = kefu.dialogue.handle(Turn("web", "5", customer_id="C1004"))
    assert result.conversation_id == notice.conversation_id
    assert "Thank you for your rating" in result.replies[0].text
    survey = kefu.desk.surveys.latest_for_conversation(result.conversation_id)
    assert survey is not None and survey.score == 5


def test_a_bot_only_wechat_conversation_is_asked_once_and_rated_by_reply(kefu: Kefu) -> None:
    _daytime(kefu)
    first = kefu.dialogue.handle(Turn("wechat", "你们周末发货吗", channel_user_id="oWx_c1001"))
    later = datetime.now(UTC) + timedelta(minutes=31)
    [asked] = ask_after_bot_conversations(kefu, later)
    assert (asked.status, asked.delivery) == ("sent", "wechat")  # inside the 48-hour window
    assert asked.conversation_id == first.conversation_id
    store = channels_of(kefu).store
    deadline = time.time() + 5
    while time.time() < deadline and not store.all("wechat"):
        time.sleep(0.05)
    assert any("1-5" in str(d.payload["text"]) for d in store.all("wechat"))
    assert ask_after_bot_conversations(kefu, later + timedelta(minutes=10)) == []
    rated = kefu.dialogue.handle(Turn("wechat", "4分", channel_user_id="oWx_c1001"))
    assert "评分" in rated.replies[0].text
    survey = kefu.desk.surveys.latest_for_conversation(first.conversation_id)
    assert survey is not None and survey.score == 4


def test_a_new_question_after_the_survey_question_is_answered_as_a_question(kefu: Kefu) -> None:
    _daytime(kefu)
    first = kefu.dialogue.handle(Turn("web", "你好", customer_id="C1003"))
    ask_after_bot_conversations(kefu, datetime.now(UTC) + timedelta(minutes=31))
    reply = kefu.dialogue.handle(Turn("web", "我的订单到哪了", customer_id="C1003"))
    assert reply.intent in ("logistics", "order_status")
    assert "评分" not in reply.replies[0].text
    survey = kefu.desk.surveys.latest_for_conversation(first.conversation_id)
    assert survey is not None and survey.score is None
    texts = [m.text for m in SqlConversations(kefu.db).messages(first.conversation_id)]
    assert any("1-5" in t for t in texts)
