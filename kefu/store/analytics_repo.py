"""Reads the rows the dashboard's metrics are computed from (``kefu.analytics``), one window at a
time. Only the columns the metrics use are selected (never message text), on SQLite and
PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from kefu.analytics.records import (
    ConversationRecord,
    EventRecord,
    MessageRecord,
    QueueRecord,
    SurveyRecord,
    UncoveredRecord,
)
from kefu.analytics.report import Window
from kefu.store.db import Database
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow
from kefu.store.tables.knowledge import UncoveredQuestionRow

# a window larger than this is summarized from its most recent rows only
MAX_ROWS = 200_000


class SqlAnalytics:
    def __init__(self, db: Database) -> None:
        self.db = db

    def window(self, start: datetime, end: datetime) -> Window:
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
                    .where(ConversationRow.created_at >= start, ConversationRow.created_at < end)
                    .order_by(ConversationRow.created_at.desc())
                    .limit(MAX_ROWS)
                )
            ]
            messages = [
                MessageRecord(
                    conversation_id=r.conversation_id,
                    seq=r.seq,
                    sender=r.sender,
                    at=r.at,
                    intent=r.intent,
                )
                for r in s.execute(
                    select(
                        MessageRow.conversation_id,
                        MessageRow.seq,
                        MessageRow.sender,
                        MessageRow.at,
                        MessageRow.intent,
                    )
                    .where(MessageRow.at >= start, MessageRow.at < end)
                    .order_by(MessageRow.at.desc())
                    .limit(MAX_ROWS)
                )
            ]
            events = [
                EventRecord(conversation_id=r.conversation_id, kind=r.kind, at=r.at)
                for r in s.execute(
                    select(
                        ConversationEventRow.conversation_id,
                        ConversationEventRow.kind,
                        ConversationEventRow.at,
                    )
                    .where(ConversationEventRow.at >= start, ConversationEventRow.at < end)
                    .order_by(ConversationEventRow.at.desc())
                    .limit(MAX_ROWS)
                )
            ]
            queue = [
                QueueRecord(
                    conversation_id=r.conversation_id,
                    state=r.state,
                    skill=r.skill,
                    waiting_since=r.waiting_since,
                    accepted_at=r.accepted_at,
                )
                for r in s.execute(
                    select(
                        DeskQueueRow.conversation_id,
                        DeskQueueRow.state,
                        DeskQueueRow.skill,
                        DeskQueueRow.waiting_since,
                        DeskQueueRow.accepted_at,
                    )
                    # still open now, or entered the queue in the window
                    .where(
                        or_(
                            DeskQueueRow.state.in_(("waiting", "active")),
                            DeskQueueRow.waiting_since >= start,
                        )
                    )
                    .limit(MAX_ROWS)
                )
            ]
            surveys = [
                SurveyRecord(score=r.score, sent_at=r.sent_at, agent_id=r.agent_id)
                for r in s.execute(
                    select(SurveyRow.score, SurveyRow.sent_at, SurveyRow.agent_id)
                    .where(SurveyRow.sent_at >= start, SurveyRow.sent_at < end)
                    .limit(MAX_ROWS)
                )
            ]
            uncovered = [
                UncoveredRecord(text=r.text, normalized=r.normalized, at=r.at)
                for r in s.execute(
                    select(
                        UncoveredQuestionRow.text,
                        UncoveredQuestionRow.normalized,
                        UncoveredQuestionRow.at,
                    )
                    .where(UncoveredQuestionRow.at >= start, UncoveredQuestionRow.at < end)
                    .order_by(UncoveredQuestionRow.at.desc())
                    .limit(10_000)
                )
            ]
        return Window(
            start=start,
            end=end,
            conversations=conversations,
            messages=messages,
            events=events,
            queue=queue,
            surveys=surveys,
            uncovered=uncovered,
        )
