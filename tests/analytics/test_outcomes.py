"""True outcomes: what counts as resolved, and the rollout sides' intervals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kefu.analytics.outcomes import (
    ConversationOutcome,
    Reviews,
    compare_sides,
    headline,
    judge,
    mean_interval,
    wilson,
)

T = datetime(2026, 11, 11, 10, tzinfo=UTC)
ANSWERED = ConversationOutcome(
    id="c1",
    customer_id="C1",
    started_at=T,
    last_at=T + timedelta(minutes=2),
    needs=frozenset({"logistics"}),
    handed_off=False,
    fallback=False,
    closed_by_agent=False,
    complaint=False,
)


def test_only_a_need_met_by_the_bot_counts_as_bot_resolved() -> None:
    sorry = replace(ANSWERED, id="c2", customer_id="C2", fallback=True)
    handed = replace(ANSWERED, id="c3", customer_id="C3", handed_off=True)
    angry = replace(ANSWERED, id="c4", customer_id="C4", score=1)
    back = replace(ANSWERED, id="c5", customer_id="C5", returned=frozenset({"logistics"}))
    judged = {j.outcome.id: j for j in judge([ANSWERED, sorry, handed, angry, back])}
    assert judged["c1"].bot_resolved
    assert not any(judged[c].bot_resolved for c in ("c2", "c3", "c4", "c5"))
    numbers = headline(list(judged.values()))
    assert numbers["bot_resolution_rate"] == 0.2
    assert numbers["containment_rate"] == 0.8  # the old number: "sorry" counted as solved


def test_the_same_need_again_within_a_day_is_a_repeat_and_a_different_one_is_not() -> None:
    again = replace(
        ANSWERED, id="c2", started_at=T + timedelta(hours=5), last_at=T + timedelta(hours=5)
    )
    other = replace(again, id="c3", needs=frozenset({"invoice"}))
    late = replace(again, id="c4", started_at=T + timedelta(hours=30))
    assert judge([ANSWERED], [again])[0].repeated
    assert not judge([ANSWERED], [other])[0].repeated
    assert not judge([ANSWERED], [late])[0].repeated
    someone_else = replace(again, customer_id="C9")
    assert not judge([ANSWERED], [someone_else])[0].repeated


def test_an_agent_closing_a_handoff_counts_for_first_contact_resolution() -> None:
    handled = replace(ANSWERED, handed_off=True, closed_by_agent=True, score=5)
    [j] = judge([handled])
    assert j.agent_resolved and j.resolved and not j.bot_resolved
    numbers = headline([j], Reviews(reviewed=4, needless=1))
    assert numbers["first_contact_resolution"] == 1.0 and numbers["bot_resolution_rate"] == 0.0
    assert numbers["handoff_precision"] == 0.75


def test_intervals_are_sound_at_the_edges() -> None:
    assert wilson(0, 0).value is None
    none = wilson(0, 20)
    assert none.value == 0 and none.low == 0 and 0 < (none.high or 0) < 0.2
    half = wilson(50, 100)
    assert half.low is not None and half.high is not None
    assert half.low < 0.5 < half.high and half.high - half.low == pytest.approx(0.19, abs=0.01)
    m = mean_interval([1.0, 2.0, 3.0])
    assert m.value == 2.0 and m.low is not None and m.low < 2 < (m.high or 0)


def test_sides_are_compared_with_their_difference() -> None:
    ai = [
        replace(
            ANSWERED,
            id=f"a{i}",
            customer_id=f"A{i}",
            side="ai",
            first_response_s=1.0,
            fallback=i % 4 == 0,
        )
        for i in range(40)
    ]
    people = [
        replace(
            ANSWERED,
            id=f"p{i}",
            customer_id=f"P{i}",
            side="people",
            handed_off=True,
            closed_by_agent=i % 2 == 0,
            first_response_s=120.0 + i,
        )
        for i in range(40)
    ]
    result = compare_sides(judge([*ai, *people]))
    assert result["ai"]["conversations"] == 40 and result["people"]["conversations"] == 40
    assert result["ai"]["resolution"]["value"] == 0.75
    assert result["people"]["resolution"]["value"] == 0.5
    assert result["people"]["handoff_rate"]["value"] == 1.0
    diff = result["ai_minus_people"]["resolution"]
    assert diff["value"] == 0.25 and diff["low"] < 0.25 < diff["high"]
    assert result["ai_minus_people"]["first_response_s"]["value"] < -100
