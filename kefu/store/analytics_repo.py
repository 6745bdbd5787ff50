"""The dashboard's numbers for one window, computed by the database (``kefu.analytics``).

A 双11 day has millions of messages, so nothing here loads rows: each metric is one statement
that returns a handful of rows. Volume and intents are one GROUP BY over the bucket bounds joined
to ``ix_messages_at`` (which covers every message column read); first responses, handoffs and
the conversations the customer wrote in are one GROUP BY plus index seeks per conversation;
handle times a window function over the events. A sample's median and p90 come back as its
size, its mean and the few sorted positions the percentiles interpolate between
(``ROW_NUMBER``), so the figures equal ``kefu.analytics.aggregates.aggregate`` on the same rows,
on SQLite and PostgreSQL alike.

``records`` still reads a (small) window's plain rows: the tests check the SQL against it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from kefu.analytics import metrics
from kefu.analytics.aggregates import Window, WindowStats
from kefu.analytics.records import (
    ConversationRecord,
    EventRecord,
    MessageRecord,
    QueueRecord,
    SurveyRecord,
    UncoveredRecord,
)
from kefu.store.db import Database
from kefu.store.tables.base import UTCDateTime
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow
from kefu.store.tables.knowledge import UncoveredQuestionRow

# ``records`` is for small windows: a larger one is cut to its most recent rows
MAX_ROWS = 200_000
REPLIERS = tuple(sorted(metrics.REPLIERS))
UNCOVERED_LIMIT = 20


def _int(sql: str) -> ColumnElement[Any]:
    """A constant written into the statement: a bound one would be a different parameter in
    SELECT and GROUP BY, and psycopg may send a Python int as numeric (no integer division)."""
    return literal_column(sql, Integer)


class _Dialect:
    """The few expressions SQLite and PostgreSQL spell differently: time as numbers."""

    def __init__(self, name: str) -> None:
        self.sqlite = name == "sqlite"

    def _epoch_ms(self, at: SQLColumnExpression[Any]) -> ColumnElement[Any]:
        # SQLite keeps times as text; julianday() reads them to the millisecond
        return cast(
            func.round(
                (func.julianday(at) - literal_column("2440587.5")) * literal_column("86400000.0")
            ),
            Integer,
        )

    def seconds_between(
        self, later: SQLColumnExpression[Any], earlier: SQLColumnExpression[Any]
    ) -> ColumnElement[Any]:
        if self.sqlite:
            return (self._epoch_ms(later) - self._epoch_ms(earlier)) / literal_column("1000.0")
        return cast(extract("epoch", later - earlier), Float)

    def hour(self, at: SQLColumnExpression[Any]) -> ColumnElement[Any]:
        """Hours since the epoch: the UTC clock hour ``at`` falls in."""
        if self.sqlite:
            return self._epoch_ms(at) // _int("3600000")
        return cast(func.floor(extract("epoch", at) / _int("3600")), Integer)


def _in(column: InstrumentedAttribute[datetime], start: datetime, end: datetime) -> Any:
    return and_(column >= start, column < end)


def _summary(
    s: Session, values: Select[Any], *also: ColumnElement[Any]
) -> tuple[metrics.Summary, tuple[Any, ...] | None]:
    """Size, mean, median and p90 of the one-column ``values`` (labelled ``v``) in one query
    that returns at most four rows; ``also``: scalar subqueries read in the same statement
    (None when the sample is empty)."""
    sample = values.subquery("sample")
    ranked = select(
        sample.c.v,
        (func.row_number().over(order_by=sample.c.v) - 1).label("rn"),
        func.count().over().label("n"),
        func.avg(sample.c.v).over().label("mean"),
    ).subquery("ranked")
    last = ranked.c.n - 1
    wanted = []
    for q in metrics.SUMMARY_PERCENTILES:
        scaled = last * _int(str(q))
        wanted += [scaled // _int("100"), (scaled + _int("99")) // _int("100")]
    rows = s.execute(
        select(ranked.c.rn, ranked.c.v, ranked.c.n, ranked.c.mean, *also).where(
            ranked.c.rn.in_(wanted)
        )
    ).all()
    if not rows:
        return metrics.summarize([]), None
    at_rank = {int(r[0]): float(r[1]) for r in rows}
    summary = metrics.summary_from_ranks(int(rows[0][2]), float(rows[0][3]), at_rank)
    return summary, tuple(rows[0][4:])


def _sample(s: Session, values: Select[Any]) -> metrics.Summary:
    return _summary(s, values)[0]


class SqlAnalytics:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql = _Dialect(db.engine.dialect.name)

    def stats(self, start: datetime, end: datetime) -> WindowStats:
        """Every number of the overview for ``[start, end)``."""
        size = metrics.bucket_size(start, end)
        with self.db.session() as s:
            channels, hourly = self._conversations(s, start, end)
            volume, intents = self._volume_and_intents(s, start, end, size)
            talked, handoffs, first_response = self._conversations_asked(s, start, end)
            return WindowStats(
                start=start,
                end=end,
                bucket=size,
                volume=volume,
                conversations=sum(channels.values()),
                channels=channels,
                hourly_arrivals=hourly,
                talked=talked,
                handoffs=handoffs,
                first_response=first_response,
                agent_first_response=_sample(s, self._agent_first_responses(start, end)),
                handle_time=_sample(s, self._handle_times(start, end)),
                queue=self._queue(s, start, end),
                satisfaction=self._satisfaction(s, start, end),
                intents=intents,
                uncovered=self._uncovered(s, start, end),
            )

    # ---- conversations and messages ---------------------------------------------------------

    def _conversations(
        self, s: Session, start: datetime, end: datetime
    ) -> tuple[dict[str, int], dict[datetime, int]]:
        c = ConversationRow
        started = select(c.channel, self.sql.hour(c.created_at).label("hour")).where(
            _in(c.created_at, start, end)
        )
        sub = started.subquery()
        channels = {
            channel: int(n)
            for channel, n in s.execute(select(sub.c.channel, func.count()).group_by(sub.c.channel))
        }
        hourly = {
            datetime.fromtimestamp(int(hour) * 3600, UTC): int(n)
            for hour, n in s.execute(select(sub.c.hour, func.count()).group_by(sub.c.hour))
        }
        return channels, hourly

    def _volume_and_intents(
        self, s: Session, start: datetime, end: datetime, size: timedelta
    ) -> tuple[list[metrics.Bucket], dict[str, int]]:
        """Messages per bucket and sender, and customer messages per intent, in one pass.

        Buckets are a list of [lo, hi) bounds joined to the messages: each bound is a range seek
        in ``ix_messages_at`` (which covers every column used), and times are compared as times,
        with no arithmetic per message.
        """
        m = MessageRow
        count = max(1, math.ceil((end - start) / size))
        bounds = union_all(
            *(
                select(
                    literal(k, Integer).label("k"),
                    literal(start + k * size, UTCDateTime()).label("lo"),
                    literal(min(start + (k + 1) * size, end), UTCDateTime()).label("hi"),
                )
                for k in range(count)
            )
        ).cte("bounds")
        rows = s.execute(
            select(bounds.c.k, m.sender, m.intent, func.count())
            .join_from(bounds, m, and_(m.at >= bounds.c.lo, m.at < bounds.c.hi))
            .group_by(bounds.c.k, m.sender, m.intent)
        )
        volume: dict[tuple[int, str], int] = {}
        intents: dict[str, int] = {}
        for k, sender, intent, n in rows:
            volume[(int(k), sender)] = volume.get((int(k), sender), 0) + int(n)
            if sender == "customer" and intent:
                intents[intent] = intents.get(intent, 0) + int(n)
        return metrics.buckets_from_counts(volume, start, end, size), intents

    def _conversations_asked(
        self, s: Session, start: datetime, end: datetime
    ) -> tuple[int, int, metrics.Summary]:
        """Conversations where the customer wrote in the window, how many of them were handed
        off in it, and their first response times, from one pass over those conversations.

        Per conversation: the customer's first message in the window (lowest seq, one GROUP BY),
        then index seeks through (conversation_id, seq) for its time, the first bot or agent
        message after it and a handoff event. Materialized, so the seeks run once.
        """
        m, e = MessageRow, ConversationEventRow
        asked = (
            select(m.conversation_id.label("cid"), func.min(m.seq).label("seq"))
            .where(m.sender == "customer", _in(m.at, start, end))
            .group_by(m.conversation_id)
            .subquery("asked")
        )
        q, r = aliased(MessageRow, name="q"), aliased(MessageRow, name="r")
        asked_at = (
            select(q.at)
            .where(q.conversation_id == asked.c.cid, q.seq == asked.c.seq)
            .scalar_subquery()
        )
        reply_at = (
            select(r.at)
            .where(r.conversation_id == asked.c.cid, r.seq > asked.c.seq)
            .where(r.sender.in_(REPLIERS), _in(r.at, start, end))
            .order_by(r.seq)
            .limit(1)
            .scalar_subquery()
        )
        handed = exists().where(
            e.conversation_id == asked.c.cid, e.kind == "handoff", _in(e.at, start, end)
        )
        per = (
            select(
                asked_at.label("asked_at"),
                reply_at.label("reply_at"),
                case((handed, 1), else_=0).label("handed"),
            )
            .select_from(asked)
            .cte("per_conversation")
            .prefix_with("MATERIALIZED")
        )
        counts = (
            select(func.count()).select_from(per).scalar_subquery(),
            select(func.coalesce(func.sum(per.c.handed), 0)).scalar_subquery(),
        )
        wait = self.sql.seconds_between(per.c.reply_at, per.c.asked_at)
        waits = select(case((wait < 0, literal_column("0.0")), else_=wait).label("v")).where(
            per.c.reply_at.is_not(None)
        )
        summary, also = _summary(s, waits, *counts)
        if also is None:  # nobody was answered: the counts need a statement of their own
            also = tuple(s.execute(select(*counts)).one())
        return int(also[0]), int(also[1]), summary

    def _agent_first_responses(self, start: datetime, end: datetime) -> Select[Any]:
        """Per conversation handed off in the window: the (first) handoff to the first agent
        message at or after it."""
        m, e = MessageRow, ConversationEventRow
        handoff = (
            select(e.conversation_id.label("cid"), func.min(e.at).label("at"))
            .where(e.kind == "handoff", _in(e.at, start, end))
            .group_by(e.conversation_id)
            .subquery("handoff")
        )
        answered = (
            select(handoff.c.at.label("handoff_at"), func.min(m.at).label("agent_at"))
            .join_from(handoff, m, m.conversation_id == handoff.c.cid)
            .where(m.sender == "agent", m.at >= handoff.c.at, m.at < end)
            .group_by(handoff.c.cid, handoff.c.at)
            .subquery("answered")
        )
        return select(
            self.sql.seconds_between(answered.c.agent_at, answered.c.handoff_at).label("v")
        )

    def _handle_times(self, start: datetime, end: datetime) -> Select[Any]:
        """Accept to close, pairing each close with the first accept since the previous close:
        the closes before an event number its segment, and a segment with an accept and a close
        is one handled stretch."""
        e = ConversationEventRow
        closes_before = func.sum(case((e.kind == "closed", 1), else_=0)).over(
            partition_by=e.conversation_id, order_by=(e.at, e.id), rows=(None, -1)
        )
        events = (
            select(
                e.conversation_id.label("cid"),
                e.kind,
                e.at,
                func.coalesce(closes_before, 0).label("segment"),
            )
            .where(e.kind.in_(("accepted", "closed")), _in(e.at, start, end))
            .subquery("events")
        )
        stretches = (
            select(
                func.min(case((events.c.kind == "accepted", events.c.at))).label("accepted_at"),
                func.min(case((events.c.kind == "closed", events.c.at))).label("closed_at"),
            )
            .group_by(events.c.cid, events.c.segment)
            .subquery("stretches")
        )
        return select(
            self.sql.seconds_between(stretches.c.closed_at, stretches.c.accepted_at).label("v")
        ).where(stretches.c.accepted_at.is_not(None), stretches.c.closed_at.is_not(None))

    # ---- the desk, surveys and the knowledge base's gaps --------------------------------------

    def _queue(self, s: Session, start: datetime, end: datetime) -> metrics.QueueStats:
        q = DeskQueueRow
        # still open now, or entered the queue in the window
        touched = or_(q.state.in_(("waiting", "active")), q.waiting_since >= start)
        rows = s.execute(
            select(q.state, q.skill, func.count(), func.min(q.waiting_since))
            .where(touched)
            .group_by(q.state, q.skill)
        ).all()
        waiting = {skill: int(n) for state, skill, n, _ in rows if state == "waiting"}
        oldest = min((since for state, _, _, since in rows if state == "waiting"), default=None)
        waits = select(self.sql.seconds_between(q.accepted_at, q.waiting_since).label("v")).where(
            touched, q.accepted_at.is_not(None), q.accepted_at >= q.waiting_since
        )
        return metrics.QueueStats(
            waiting=sum(waiting.values()),
            active=sum(int(n) for state, _, n, _ in rows if state == "active"),
            longest_wait_s=None
            if oldest is None
            else round(max(0.0, (end - oldest).total_seconds()), 1),
            waits=_sample(s, waits),
            waiting_by_skill=waiting,
        )

    def _satisfaction(self, s: Session, start: datetime, end: datetime) -> metrics.Satisfaction:
        rows = s.execute(
            select(SurveyRow.score, func.count())
            .where(_in(SurveyRow.sent_at, start, end))
            .group_by(SurveyRow.score)
        )
        return metrics.satisfaction_from_counts(
            {None if score is None else int(score): int(n) for score, n in rows}
        )

    def _uncovered(
        self, s: Session, start: datetime, end: datetime
    ) -> list[metrics.UncoveredGroup]:
        u = UncoveredQuestionRow
        key = func.coalesce(func.nullif(u.normalized, ""), u.text)
        ranked = (
            select(
                u.text,
                u.at,
                func.row_number().over(partition_by=key, order_by=u.at.desc()).label("rn"),
                func.count().over(partition_by=key).label("n"),
            )
            .where(_in(u.at, start, end))
            .subquery("ranked")
        )
        rows = s.execute(
            select(ranked.c.text, ranked.c.n, ranked.c.at)
            .where(ranked.c.rn == 1)
            .order_by(ranked.c.n.desc(), ranked.c.at.desc())
            .limit(UNCOVERED_LIMIT)
        )
        return [metrics.UncoveredGroup(text, int(n), at) for text, n, at in rows]

    # ---- plain rows, for checks on small windows ----------------------------------------------

    def records(self, start: datetime, end: datetime) -> Window:
        """The window's rows as records (at most ``MAX_ROWS`` of each, newest first): what
        ``aggregate`` computes the reference numbers from. The dashboard uses ``stats``."""
        with self.db.session() as s:
            conversations = [
                ConversationRecord(id=r.id, channel=r.channel, status=r.status, created_at=r.at)
                for r in s.execute(
                    select(
                        ConversationRow.id,
                        ConversationRow.channel,
                        ConversationRow.status,
                        ConversationRow.created_at.label("at"),
                    )
                    .where(_in(ConversationRow.created_at, start, end))
                    .order_by(ConversationRow.created_at.desc())
                    .limit(MAX_ROWS)
                )
            ]
            messages = [
                MessageRecord(r.conversation_id, r.seq, r.sender, r.at, r.intent)
                for r in s.execute(
                    select(
                        MessageRow.conversation_id,
                        MessageRow.seq,
                        MessageRow.sender,
                        MessageRow.at,
                        MessageRow.intent,
                    )
                    .where(_in(MessageRow.at, start, end))
                    .order_by(MessageRow.at.desc())
                    .limit(MAX_ROWS)
                )
            ]
            events = [
                EventRecord(r.conversation_id, r.kind, r.at)
                for r in s.execute(
                    select(
                        ConversationEventRow.conversation_id,
                        ConversationEventRow.kind,
                        ConversationEventRow.at,
                    )
                    .where(_in(ConversationEventRow.at, start, end))
                    .order_by(ConversationEventRow.at, ConversationEventRow.id)
                    .limit(MAX_ROWS)
                )
            ]
            q = DeskQueueRow
            queue = [
                QueueRecord(r.conversation_id, r.state, r.skill, r.waiting_since, r.accepted_at)
                for r in s.execute(
                    select(q.conversation_id, q.state, q.skill, q.waiting_since, q.accepted_at)
                    .where(or_(q.state.in_(("waiting", "active")), q.waiting_since >= start))
                    .limit(MAX_ROWS)
                )
            ]
            surveys = [
                SurveyRecord(score=r.score, sent_at=r.sent_at, agent_id=r.agent_id)
                for r in s.execute(
                    select(SurveyRow.score, SurveyRow.sent_at, SurveyRow.agent_id)
                    .where(_in(SurveyRow.sent_at, start, end))
                    .limit(MAX_ROWS)
                )
            ]
            u = UncoveredQuestionRow
            uncovered = [
                UncoveredRecord(text=r.text, normalized=r.normalized, at=r.at)
                for r in s.execute(
                    select(u.text, u.normalized, u.at)
                    .where(_in(u.at, start, end))
                    .order_by(u.at.desc())
                    .limit(MAX_ROWS)
                )
            ]
        return Window(start, end, conversations, messages, events, queue, surveys, uncovered)

    # ---- the planner's inputs -----------------------------------------------------------------

    def hourly_arrivals(self, start: datetime, end: datetime) -> dict[datetime, int]:
        """Conversations started per clock hour (UTC) in ``[start, end)``: forecast history."""
        with self.db.session() as s:
            return self._conversations(s, start, end)[1]

    def handle_time_samples(self, start: datetime, end: datetime) -> list[float]:
        """Seconds from accept to close of each handled stretch in the window."""
        with self.db.session() as s:
            return [float(v) for v in s.scalars(self._handle_times(start, end)) if v is not None]

    def handoff_share(self, start: datetime, end: datetime) -> float | None:
        """Share of conversations the customer spoke in that were handed to people."""
        with self.db.session() as s:
            talked, handoffs, _ = self._conversations_asked(s, start, end)
        return metrics.share(handoffs, talked)
