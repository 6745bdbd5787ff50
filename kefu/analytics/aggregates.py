"""One window's numbers, already reduced: what the overview report is built from.

The store computes a ``WindowStats`` with SQL aggregates (a peak day has millions of messages);
``aggregate`` computes the same from plain records, which is the definition the SQL must match
and what the tests check the numbers on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kefu.analytics import metrics
from kefu.analytics.forecast import hourly_arrivals
from kefu.analytics.records import (
    ConversationRecord,
    EventRecord,
    MessageRecord,
    QueueRecord,
    SurveyRecord,
    UncoveredRecord,
)


@dataclass(frozen=True, slots=True)
class Window:
    """The records of ``[start, end)``; ``queue`` is the desk's rows touched in it."""

    start: datetime
    end: datetime
    conversations: Sequence[ConversationRecord]
    messages: Sequence[MessageRecord]
    events: Sequence[EventRecord]
    queue: Sequence[QueueRecord]
    surveys: Sequence[SurveyRecord]
    uncovered: Sequence[UncoveredRecord]


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Every number of ``[start, end)`` the overview shows, each small whatever the volume."""

    start: datetime
    end: datetime
    bucket: timedelta
    volume: list[metrics.Bucket]  # messages per sender in consecutive buckets of ``bucket``
    conversations: int  # started in the window
    channels: dict[str, int]  # of those, per channel
    hourly_arrivals: dict[datetime, int]  # of those, per clock hour
    talked: int  # conversations in which the customer wrote in the window
    handoffs: int  # of those, handed to a person in the window
    first_response: metrics.Summary
    agent_first_response: metrics.Summary
    handle_time: metrics.Summary
    queue: metrics.QueueStats
    satisfaction: metrics.Satisfaction
    intents: dict[str, int]  # customer messages per intent
    uncovered: list[metrics.UncoveredGroup]

    @property
    def messages(self) -> int:
        return sum(b.total for b in self.volume)

    @property
    def customer_messages(self) -> int:
        return sum(b.counts.get("customer", 0) for b in self.volume)


def aggregate(w: Window) -> WindowStats:
    """The window's numbers from its records (the reference the store's SQL is tested against)."""
    size = metrics.bucket_size(w.start, w.end)
    talked = metrics.customer_conversations(w.messages)
    handoffs = metrics.handed_off(w.events)
    return WindowStats(
        start=w.start,
        end=w.end,
        bucket=size,
        volume=metrics.volume_buckets(w.messages, w.start, w.end, size),
        conversations=len(w.conversations),
        channels=metrics.channel_mix(w.conversations),
        hourly_arrivals=hourly_arrivals(c.created_at for c in w.conversations),
        talked=len(talked),
        handoffs=len(talked & handoffs),
        first_response=metrics.summarize(metrics.first_response_seconds(w.messages)),
        agent_first_response=metrics.summarize(
            metrics.agent_first_response_seconds(w.messages, w.events)
        ),
        handle_time=metrics.summarize(metrics.handle_times(w.events)),
        queue=metrics.queue_stats(w.queue, w.end),
        satisfaction=metrics.satisfaction_from_counts(Counter(s.score for s in w.surveys)),
        intents=metrics.intent_counts(w.messages),
        uncovered=metrics.uncovered(w.uncovered),
    )
