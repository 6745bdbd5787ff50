"""The dashboard's numbers computed by the database, on SQLite and PostgreSQL: checked against
figures worked out by hand on a small shop hour, and against the pure reference computation on
a generated busy day."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kefu.analytics.aggregates import aggregate
from kefu.analytics.report import overview
from kefu.store.analytics_repo import SqlAnalytics
from kefu.store.db import Database
from kefu.store.tables.commerce import CustomerRow
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow
from kefu.store.tables.knowledge import UncoveredQuestionRow

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)
END = T0 + timedelta(hours=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    database.migrate()
    with database.session() as s:
        s.add(CustomerRow(id="C1", name="测试", phone="13800000000", created_at=at(-86400)))
    yield database
    database.dispose()


def _conversation(cid: str, channel: str, created: datetime) -> ConversationRow:
    return ConversationRow(
        id=cid, customer_id="C1", channel=channel, created_at=created, updated_at=created
    )


def _message(cid: str, seq: int, sender: str, when: datetime, intent: str | None = None) -> Any:
    return MessageRow(
        id=f"{cid}-{seq}",
        conversation_id=cid,
        seq=seq,
        sender=sender,
        text="…",
        intent=intent,
        at=when,
    )


def _event(cid: str, kind: str, when: datetime) -> ConversationEventRow:
    return ConversationEventRow(conversation_id=cid, kind=kind, at=when)


def _queued(
    cid: str, state: str, skill: str, since: datetime, accepted: datetime | None = None
) -> DeskQueueRow:
    return DeskQueueRow(
        conversation_id=cid,
        customer_id="C1",
        state=state,
        skill=skill,
        lang="zh-CN",
        reason="asked",
        virtual_arrival=since.timestamp(),
        waiting_since=since,
        accepted_at=accepted,
        updated_at=since,
    )


def _survey(n: int, score: int | None, sent: datetime) -> SurveyRow:
    return SurveyRow(id=f"S{n}", customer_id="C1", score=score, sent_at=sent)


def _uncovered(text: str, normalized: str, when: datetime) -> UncoveredQuestionRow:
    return UncoveredQuestionRow(text=text, normalized=normalized, lang="zh-CN", at=when)


def _shop_hour(db: Database) -> None:
    """11 November, 00:00-01:00 UTC, with a few rows on either side of the hour."""
    rows: list[Any] = [
        _conversation("c1", "web", at(0)),
        _conversation("c2", "wechat", at(10)),
        _conversation("c3", "web", at(70)),
        _conversation("c4", "app", at(80)),
        _conversation("c5", "web", at(-3600)),  # started the hour before
        _conversation("c6", "web", at(3000)),
        _conversation("c7", "web", at(190)),
    ]
    rows += [
        # c1: the bot answers in 0.5 s
        _message("c1", 1, "customer", at(0), "logistics"),
        _message("c1", 2, "bot", at(0.5)),
        # c2: the bot answers in 1 s, hands off; an agent writes 89 s after the handoff
        _message("c2", 1, "customer", at(10), "human_agent"),
        _message("c2", 2, "bot", at(11)),
        _message("c2", 3, "agent", at(100)),
        # c3: two customer messages, one reply 3 s after the first
        _message("c3", 1, "customer", at(70), "logistics"),
        _message("c3", 2, "customer", at(71), "logistics"),
        _message("c3", 3, "bot", at(73)),
        # c4: a system notice only: not a conversation the bot had to answer
        _message("c4", 1, "system", at(80)),
        # c5: spoke before the hour too; in the hour it asks at exactly 00:02:00, answered in 5 s
        _message("c5", 1, "customer", at(-1800), "logistics"),
        _message("c5", 2, "bot", at(-1799)),
        _message("c5", 3, "customer", at(120), "refund"),
        _message("c5", 4, "bot", at(125)),
        # c6: asks, is handed off and no one has answered when the hour ends
        _message("c6", 1, "customer", at(3000), "logistics"),
        _message("c6", 2, "agent", at(3700)),
    ]
    rows += [
        _event("c2", "handoff", at(11)),
        _event("c2", "accepted", at(60)),
        _event("c2", "closed", at(400)),  # handled 340 s
        _event("c4", "handoff", at(85)),  # c4's customer never spoke: not in the rates
        _event("c6", "handoff", at(3001)),
        _event("c7", "closed", at(190)),  # closed before anyone accepted it: no handle time
        _event("c7", "accepted", at(200)),
        _event("c7", "closed", at(260)),  # 60 s
        _event("c7", "accepted", at(300)),
        _event("c7", "accepted", at(310)),  # accepted again while held: still from 300
        _event("c7", "closed", at(400)),  # 100 s
    ]
    rows += [
        _queued("c2", "closed", "after_sales", at(11), at(60)),  # waited 49 s
        _queued("c4", "waiting", "after_sales", at(85)),  # waiting 3515 s at the end
        _queued("c6", "waiting", "pre_sales", at(3001)),
        _queued("c7", "active", "after_sales", at(195), at(200)),  # waited 5 s
        _queued("c5", "closed", "after_sales", at(-7200), at(-7170)),  # long before
    ]
    rows += [_survey(i, score, at(500)) for i, score in enumerate((5, 4, 2, None))]
    rows.append(_survey(9, 1, at(-600)))
    rows += [
        _uncovered("能寄到火星吗", "能寄到火星吗", at(1)),
        _uncovered("能寄到火星吗？", "能寄到火星吗", at(5)),
        _uncovered("支持分期吗", "支持分期吗", at(3)),
        _uncovered("在吗", "", at(4)),
        _uncovered("支持分期吗", "支持分期吗", at(-5)),
    ]
    with db.session() as s:
        s.add_all(rows[:7])
        s.flush()
        s.add_all(rows[7:])


def test_the_database_counts_an_hour_as_worked_out_by_hand(db: Database) -> None:
    _shop_hour(db)
    o = overview(SqlAnalytics(db).stats(T0, END), surge=5)

    assert o["totals"] == {
        "conversations": 6,
        "conversations_with_customer_messages": 5,  # c1 c2 c3 c5 c6
        "messages": 12,
        "customer_messages": 6,
        "handoffs": 2,  # c2 c6
    }
    assert o["handoff_rate"] == 0.4 and o["bot_resolution_rate"] == 0.6
    assert o["channels"] == {"web": 4, "wechat": 1, "app": 1}
    assert o["first_response_s"] == {"count": 4, "mean": 2.375, "median": 2.0, "p90": 4.4}
    assert o["agent_first_response_s"] == {"count": 1, "mean": 89.0, "median": 89.0, "p90": 89.0}
    assert o["handle_time_s"] == {"count": 3, "mean": 166.667, "median": 100.0, "p90": 292.0}
    assert o["queue"] == {
        "waiting": 2,
        "active": 1,
        "longest_wait_s": 3515.0,
        "waits": {"count": 2, "mean": 27.0, "median": 27.0, "p90": 44.6},
        "waiting_by_skill": {"after_sales": 1, "pre_sales": 1},
    }
    assert o["satisfaction"] == {
        "sent": 4,
        "answered": 3,
        "average": 3.667,
        "csat": 0.6667,
        "response_rate": 0.75,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert o["top_intents"] == [
        {"intent": "logistics", "count": 4},
        {"intent": "human_agent", "count": 1},
        {"intent": "refund", "count": 1},
    ]
    assert [(u["text"], u["count"]) for u in o["uncovered"]] == [
        ("能寄到火星吗？", 2),
        ("在吗", 1),
        ("支持分期吗", 1),
    ]
    assert o["forecast"]["baseline_peak_per_hour"] == 6 and o["forecast"]["peak_per_hour"] == 30
    assert o["forecast"]["to_agents_per_hour"] == 12


def test_the_volume_chart_puts_each_message_in_its_minute(db: Database) -> None:
    _shop_hour(db)
    o = overview(SqlAnalytics(db).stats(T0, END))
    series = o["series"]
    assert o["window"]["bucket_minutes"] == 1 and len(series) == 60
    busy = {
        i: (b["customer"], b["bot"], b["agent"]) for i, b in enumerate(series) if b["per_minute"]
    }
    # minute 1 also holds c4's system notice: counted in the rate, not in a sender's line
    assert busy == {0: (2, 2, 0), 1: (2, 1, 1), 2: (1, 1, 0), 50: (1, 0, 0)}
    assert series[1]["per_minute"] == 5.0
    assert series[0]["start"] == T0.isoformat()


def test_an_empty_window_reports_unknowns_not_zeros(db: Database) -> None:
    o = overview(SqlAnalytics(db).stats(T0, END))
    assert o["totals"]["messages"] == 0 and o["handoff_rate"] is None
    assert o["first_response_s"] == {"count": 0, "mean": None, "median": None, "p90": None}
    assert o["queue"]["longest_wait_s"] is None and o["satisfaction"]["average"] is None
    assert o["top_intents"] == [] and o["uncovered"] == [] and len(o["series"]) == 60


def _busy_day(db: Database, conversations: int = 120) -> None:
    """A generated day (millisecond times, as SQLite reads them) with every kind of row."""
    rnd = random.Random(11)
    start = T0 - timedelta(hours=2)
    intents = ["logistics", "refund", "order_status", "coupon", "human_agent", None]
    convs: list[Any] = []
    rest: list[Any] = []
    for n in range(conversations):
        cid = f"g{n:04d}"
        created = start + timedelta(milliseconds=rnd.randrange(0, 28 * 3600 * 1000))
        convs.append(_conversation(cid, rnd.choice(["web", "app", "wechat"]), created))
        clock = created
        for seq in range(1, rnd.randint(1, 9)):
            clock += timedelta(milliseconds=rnd.randrange(0, 120_000))
            sender = rnd.choice(["customer", "customer", "bot", "agent", "system"])
            rest.append(_message(cid, seq, sender, clock, rnd.choice(intents)))
        if rnd.random() < 0.4:
            handoff = created + timedelta(milliseconds=rnd.randrange(0, 600_000))
            rest.append(_event(cid, "handoff", handoff))
            accepted = handoff + timedelta(milliseconds=rnd.randrange(1, 300_000))
            rest.append(_event(cid, "accepted", accepted))
            if rnd.random() < 0.7:
                closed = accepted + timedelta(milliseconds=rnd.randrange(1, 900_000))
                rest.append(_event(cid, "closed", closed))
            state = rnd.choice(["waiting", "active", "closed"])
            took = None if state == "waiting" else accepted
            rest.append(
                _queued(cid, state, rnd.choice(["after_sales", "pre_sales"]), handoff, took)
            )
        if rnd.random() < 0.3:
            rest.append(_survey(n, rnd.choice([1, 2, 3, 4, 5, None]), clock))
        if rnd.random() < 0.2:
            question = rnd.choice(["能寄到火星吗", "支持分期吗", "在吗"])
            rest.append(_uncovered(question + rnd.choice(["", "？"]), question, clock))
    with db.session() as s:
        s.add_all(convs)
        s.flush()
        s.add_all(rest)


@pytest.mark.parametrize("hours", [1, 24])
def test_the_sql_figures_equal_the_reference_computation(db: Database, hours: int) -> None:
    _busy_day(db)
    analytics = SqlAnalytics(db)
    start, end = T0, T0 + timedelta(hours=hours)
    from_sql = overview(analytics.stats(start, end))
    reference = overview(aggregate(analytics.records(start, end)))
    assert from_sql["totals"]["messages"] > 0
    assert from_sql == reference
