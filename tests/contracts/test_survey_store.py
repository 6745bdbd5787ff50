"""SurveyStore (kefu.desk.ports): satisfaction surveys, answered once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kefu.desk.ports import Survey
from kefu.store.db import Database
from kefu.store.desk_repo import SqlSurveys
from tests.contracts.conftest import unique

T0 = datetime(2026, 11, 11, 4, 0, tzinfo=UTC)


def _survey(customer_id: str, conversation_id: str, sent_at: datetime) -> Survey:
    return Survey(
        id=unique("S"),
        customer_id=customer_id,
        sent_at=sent_at,
        conversation_id=conversation_id,
        agent_id="A01",
    )


def test_the_latest_survey_of_a_conversation_is_the_last_one_sent(
    store_db: Database, new_customer: Callable[[], str], new_conversation: Callable[..., str]
) -> None:
    surveys, customer = SqlSurveys(store_db), new_customer()
    conversation = new_conversation(customer)
    first = _survey(customer, conversation, T0)
    second = _survey(customer, conversation, T0 + timedelta(days=1))
    surveys.add(second)
    surveys.add(first)
    assert surveys.latest_for_conversation(conversation) == second
    assert surveys.latest_for_conversation(new_conversation(customer)) is None


def test_a_survey_is_answered_once(
    store_db: Database, new_customer: Callable[[], str], new_conversation: Callable[..., str]
) -> None:
    surveys, customer = SqlSurveys(store_db), new_customer()
    conversation = new_conversation(customer)
    survey = _survey(customer, conversation, T0)
    surveys.add(survey)
    assert surveys.answer(survey.id, 5, "很满意", T0 + timedelta(minutes=2)) is True
    assert surveys.answer(survey.id, 1, "改主意了", T0 + timedelta(minutes=3)) is False
    answered = surveys.latest_for_conversation(conversation)
    assert answered is not None
    assert (answered.score, answered.comment, answered.answered_at) == (
        5,
        "很满意",
        T0 + timedelta(minutes=2),
    )
    assert surveys.answer(unique("S"), 5, None, T0) is False
