"""Dashboard metrics on hand-made records whose right answers are known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.analytics import metrics
from kefu.analytics.records import EventRecord, MessageRecord, QueueRecord, SurveyRecord
from kefu.analytics.records import UncoveredRecord as Q

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def msg(cid: str, seq: int, sender: str, s: float, intent: str | None = None) -> MessageRecord:
    return MessageRecord(cid, seq, sender, at(s), intent)


CHATS = [
    # c1: the bot answers in 0.5 s and that is the end of it
    msg("c1", 1, "customer", 0, "logistics"),
    msg("c1", 2, "bot", 0.5),
    # c2: handed off; the bot answers in 1 s, an agent 90 s after the handoff
    msg("c2", 1, "customer", 10, "human_agent"),
    msg("c2", 2, "bot", 11),
    msg("c2", 3, "agent", 100),
    # c3: the bot takes 2 s
    msg("c3", 1, "customer", 70, "logistics"),
    msg("c3", 2, "bot", 72),
    # c4: a system notice only, no customer: not a conversation the bot had to answer
    msg("c4", 1, "system", 80),
]
EVENTS = [EventRecord("c2", "handoff", at(10)), EventRecord("c2", "accepted", at(60))]


def test_rates_count_only_conversations_where_the_customer_spoke() -> None:
    talked = metrics.customer_conversations(CHATS)
    handoffs = metrics.handed_off(EVENTS)
    assert talked == {"c1", "c2", "c3"}
    assert metrics.handoff_rate(talked, handoffs) == pytest.approx(1 / 3, abs=1e-4)
    assert metrics.bot_resolution_rate(talked, handoffs) == pytest.approx(2 / 3, abs=1e-4)


def test_rates_are_unknown_rather_than_zero_without_conversations() -> None:
    assert metrics.handoff_rate(set(), set()) is None
    assert metrics.bot_resolution_rate(set(), {"c9"}) is None


def test_first_response_is_the_first_reply_after_the_customers_first_message() -> None:
    assert sorted(metrics.first_response_seconds(CHATS)) == [0.5, 1.0, 2.0]
    summary = metrics.summarize(metrics.first_response_seconds(CHATS))
    assert (
        summary.count == 3
        and summary.median == 1.0
        and summary.mean == pytest.approx(7 / 6, abs=1e-3)
    )


def test_agent_first_response_runs_from_the_handoff() -> None:
    assert metrics.agent_first_response_seconds(CHATS, EVENTS) == [90.0]


def test_messages_fall_into_minute_buckets_by_sender() -> None:
    size = timedelta(minutes=1)
    buckets = metrics.volume_buckets(CHATS, T0, at(180), size)
    assert [b.total for b in buckets] == [4, 4, 0]
    assert buckets[0].counts == {"customer": 2, "bot": 2}
    assert buckets[1].counts == {"customer": 1, "bot": 1, "agent": 1, "system": 1}
    assert metrics.per_minute(buckets[0], size) == 4.0
    assert metrics.per_minute(metrics.Bucket(T0, {"bot": 10}), timedelta(minutes=5)) == 2.0


def test_a_day_window_gets_at_most_120_whole_minute_buckets() -> None:
    assert metrics.bucket_size(T0, T0 + timedelta(hours=24)) == timedelta(minutes=12)
    assert metrics.bucket_size(T0, T0 + timedelta(minutes=30)) == timedelta(minutes=1)


def test_queue_waits_and_who_is_waiting_now() -> None:
    now = at(600)
    entries = [
        QueueRecord("a", "waiting", "after_sales", at(300), None),
        QueueRecord("b", "waiting", "pre_sales", at(500), None),
        QueueRecord("c", "active", "after_sales", at(0), at(30)),
        QueueRecord("d", "closed", "after_sales", at(100), at(190)),
    ]
    stats = metrics.queue_stats(iter(entries), now)
    assert (stats.waiting, stats.active, stats.longest_wait_s) == (2, 1, 300.0)
    assert stats.waits.count == 2 and stats.waits.mean == 60.0
    assert stats.waiting_by_skill == {"after_sales": 1, "pre_sales": 1}


def test_satisfaction_counts_answered_surveys_only() -> None:
    surveys = [SurveyRecord(s, at(0)) for s in (5, 4, 2, None)]
    result = metrics.satisfaction(surveys)
    assert (result.sent, result.answered) == (4, 3)
    assert result.average == pytest.approx(11 / 3, abs=1e-3)
    assert result.csat == pytest.approx(2 / 3, abs=1e-4)
    assert result.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}


def test_top_intents_are_the_customers_most_frequent_needs() -> None:
    assert metrics.top_intents(CHATS) == [("logistics", 2), ("human_agent", 1)]


def test_uncovered_questions_group_by_normalized_text_latest_wording_first() -> None:
    found = metrics.uncovered(
        [
            Q("能寄到火星吗", "能寄到火星吗", at(1)),
            Q("能寄到火星吗？", "能寄到火星吗", at(5)),
            Q("支持分期吗", "支持分期吗", at(3)),
        ]
    )
    assert [(g.text, g.count) for g in found] == [("能寄到火星吗？", 2), ("支持分期吗", 1)]


def test_percentiles_interpolate_between_ranks() -> None:
    assert metrics.percentile([1, 2, 3, 4], 50) == 2.5
    assert metrics.percentile([10], 90) == 10
    assert metrics.percentile([], 50) is None
