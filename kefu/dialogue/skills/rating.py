"""A satisfaction score given by replying to the question (after delivery, after a bot-only
conversation): "5", "4分", "五星" on any channel, WeChat included, where no rating widget exists."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from kefu.dialogue.context import Outcome, TurnContext

_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_SCORE = re.compile(
    r"^\s*([1-5１-５一二两三四五])\s*(分|星|颗星|顆星|stars?|points?|/\s*5)?\s*[。.!！~～]*\s*$",
    re.IGNORECASE,
)


class SurveyAnswers(Protocol):
    """The survey store's side the dialogue needs (kefu.desk.ports.SurveyStore has it)."""

    def latest_for_conversation(self, conversation_id: str) -> object | None: ...
    def answer(self, survey_id: str, score: int, comment: str | None, at: datetime) -> bool: ...


def parse_score(text: str) -> int | None:
    match = _SCORE.match(text)
    if match is None:
        return None
    digit = match.group(1)
    if digit in _DIGITS:
        return _DIGITS[digit]
    return int(digit.translate(str.maketrans("１２３４５", "12345")))


def answer_rating(ctx: TurnContext, surveys: SurveyAnswers | None) -> Outcome | None:
    """The score when this message answers the satisfaction question the conversation asked;
    None otherwise (the question lapses: anything else is a new need)."""
    awaiting = ctx.state.awaiting or {}
    if awaiting.get("slot") != "rating":
        return None
    ctx.state.awaiting = None
    score = parse_score(ctx.text)
    if score is None or surveys is None:
        return None
    survey = surveys.latest_for_conversation(ctx.conversation.id)
    survey_id = getattr(survey, "id", None)
    if isinstance(survey_id, str):
        surveys.answer(survey_id, score, None, ctx.now)  # a second answer is ignored
    return Outcome([ctx.say("rating_thanks")], resolved=True)
