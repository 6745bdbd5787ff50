"""Service metrics over records: volumes, bot resolution, handoffs, response times, queue waits,
satisfaction, intents and the questions the knowledge base could not answer."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kefu.analytics.records import (
    ConversationRecord,
    EventRecord,
    MessageRecord,
    QueueRecord,
    SurveyRecord,
    UncoveredRecord,
)

REPLIERS = frozenset({"bot", "agent"})


@dataclass(frozen=True, slots=True)
class Bucket:
    start: datetime
    counts: dict[str, int]  # sender -> messages in the bucket

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean, median and 90th percentile of a sample (None when it is empty)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    def to_dict(self) -> dict[str, float | int | None]:
        return {"count": self.count, "mean": self.mean, "median": self.median, "p90": self.p90}


SUMMARY_PERCENTILES = (50, 90)


def percentile_ranks(count: int, q: float) -> tuple[int, int]:
    """The two 0-based positions in a sorted sample of ``count`` that the q-th percentile
    interpolates between (equal when it falls on one value)."""
    rank = (count - 1) * q / 100
    return math.floor(rank), math.ceil(rank)


def _interpolate(at_rank: Mapping[int, float], count: int, q: float) -> float:
    low, high = percentile_ranks(count, q)
    rank = (count - 1) * q / 100
    return at_rank[low] + (at_rank[high] - at_rank[low]) * (rank - low)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    return _interpolate(dict(enumerate(sorted(values))), len(values), q)


def summary_from_ranks(count: int, mean: float | None, at_rank: Mapping[int, float]) -> Summary:
    """A summary from what a database returns instead of the whole sample: its size, its mean
    and the sorted sample's values at the ``percentile_ranks`` of ``SUMMARY_PERCENTILES``."""
    if not count or mean is None:
        return Summary(0, None, None, None)
    median, p90 = (round(_interpolate(at_rank, count, q), 3) for q in SUMMARY_PERCENTILES)
    return Summary(count=count, mean=round(mean, 3), median=median, p90=p90)


def summarize(values: Sequence[float]) -> Summary:
    if not values:
        return Summary(0, None, None, None)
    return summary_from_ranks(
        len(values), sum(values) / len(values), dict(enumerate(sorted(values)))
    )


def bucket_size(start: datetime, end: datetime, max_buckets: int = 120) -> timedelta:
    """Whole minutes per bucket so a window never has more than ``max_buckets`` points."""
    minutes = max(1, math.ceil((end - start).total_seconds() / 60 / max_buckets))
    return timedelta(minutes=minutes)


def volume_buckets(
    messages: Iterable[MessageRecord], start: datetime, end: datetime, size: timedelta
) -> list[Bucket]:
    """Messages per sender in consecutive buckets of ``size`` from ``start`` to ``end``."""
    count = max(1, math.ceil((end - start) / size))
    counts: list[Counter[str]] = [Counter() for _ in range(count)]
    for m in messages:
        if start <= m.at < end:
            counts[int((m.at - start) / size)][m.sender] += 1
    return [Bucket(start + i * size, dict(c)) for i, c in enumerate(counts)]


def buckets_from_counts(
    counts: Mapping[tuple[int, str], int], start: datetime, end: datetime, size: timedelta
) -> list[Bucket]:
    """The buckets of ``volume_buckets`` from messages already counted per (bucket index, sender),
    as a GROUP BY returns them. A database reading times to the millisecond can round a message
    in the window's last instant up to the next index: it is kept in the last bucket."""
    count = max(1, math.ceil((end - start) / size))
    per_bucket: list[dict[str, int]] = [{} for _ in range(count)]
    for (index, sender), n in counts.items():
        if n:
            at = per_bucket[min(max(index, 0), count - 1)]
            at[sender] = at.get(sender, 0) + n
    return [Bucket(start + i * size, c) for i, c in enumerate(per_bucket)]


def per_minute(bucket: Bucket, size: timedelta) -> float:
    return round(bucket.total / (size.total_seconds() / 60), 3)


def handed_off(events: Iterable[EventRecord]) -> set[str]:
    return {e.conversation_id for e in events if e.kind == "handoff"}


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to 4 places; None (unknown, not zero) when there is no whole."""
    return round(part / whole, 4) if whole else None


def customer_conversations(messages: Iterable[MessageRecord]) -> set[str]:
    """Conversations in which the customer said something (the ones the bot had to answer)."""
    return {m.conversation_id for m in messages if m.sender == "customer"}


def handoff_rate(conversations: set[str], handoffs: set[str]) -> float | None:
    """Share of conversations handed to a person."""
    return share(len(conversations & handoffs), len(conversations))


def bot_resolution_rate(conversations: set[str], handoffs: set[str]) -> float | None:
    """Share of conversations the bot finished without a person (never handed off)."""
    return share(len(conversations - handoffs), len(conversations))


def first_response_seconds(messages: Iterable[MessageRecord]) -> list[float]:
    """Per conversation: from the customer's first message to the first bot or agent reply."""
    by_conversation: dict[str, list[MessageRecord]] = defaultdict(list)
    for m in messages:
        by_conversation[m.conversation_id].append(m)
    waits: list[float] = []
    for items in by_conversation.values():
        items.sort(key=lambda m: (m.seq, m.at))
        asked = next((m for m in items if m.sender == "customer"), None)
        if asked is None:
            continue
        reply = next((m for m in items if m.seq > asked.seq and m.sender in REPLIERS), None)
        if reply is not None:
            waits.append(max(0.0, (reply.at - asked.at).total_seconds()))
    return waits


def agent_first_response_seconds(
    messages: Iterable[MessageRecord], events: Iterable[EventRecord]
) -> list[float]:
    """Per handed-off conversation: from the handoff to the first agent message after it."""
    handoff_at: dict[str, datetime] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.kind == "handoff":
            handoff_at.setdefault(e.conversation_id, e.at)
    first_agent: dict[str, datetime] = {}
    for m in messages:
        start = handoff_at.get(m.conversation_id)
        if m.sender != "agent" or start is None or m.at < start:
            continue
        if m.conversation_id not in first_agent or m.at < first_agent[m.conversation_id]:
            first_agent[m.conversation_id] = m.at
    return [(at - handoff_at[cid]).total_seconds() for cid, at in first_agent.items()]


def handle_times(events: Iterable[EventRecord]) -> list[float]:
    """Seconds from an agent accepting a conversation to closing it (a conversation requeued and
    accepted again counts once per accept-close pair)."""
    accepted: dict[str, datetime] = {}
    times = []
    for e in sorted(events, key=lambda e: e.at):
        if e.kind == "accepted":
            accepted.setdefault(e.conversation_id, e.at)
        elif e.kind == "closed" and e.conversation_id in accepted:
            times.append((e.at - accepted.pop(e.conversation_id)).total_seconds())
    return times


@dataclass(frozen=True, slots=True)
class QueueStats:
    waiting: int
    active: int
    longest_wait_s: float | None
    waits: Summary  # from entering the queue to being accepted
    waiting_by_skill: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "waiting": self.waiting,
            "active": self.active,
            "longest_wait_s": self.longest_wait_s,
            "waits": self.waits.to_dict(),
            "waiting_by_skill": self.waiting_by_skill,
        }


def queue_stats(entries: Iterable[QueueRecord], now: datetime) -> QueueStats:
    every = list(entries)
    waiting = [e for e in every if e.state == "waiting"]
    accepted = [
        (e.accepted_at - e.waiting_since).total_seconds()
        for e in every
        if e.accepted_at is not None and e.accepted_at >= e.waiting_since
    ]
    longest = max(((now - e.waiting_since).total_seconds() for e in waiting), default=None)
    return QueueStats(
        waiting=len(waiting),
        active=sum(1 for e in every if e.state == "active"),
        longest_wait_s=None if longest is None else round(max(0.0, longest), 1),
        waits=summarize(accepted),
        waiting_by_skill=dict(Counter(e.skill for e in waiting)),
    )


@dataclass(frozen=True, slots=True)
class Satisfaction:
    sent: int
    answered: int
    average: float | None
    csat: float | None  # share of answers scoring 4 or 5
    distribution: dict[int, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "answered": self.answered,
            "average": self.average,
            "csat": self.csat,
            "response_rate": share(self.answered, self.sent),
            "distribution": {str(k): v for k, v in self.distribution.items()},
        }


def satisfaction(surveys: Iterable[SurveyRecord]) -> Satisfaction:
    return satisfaction_from_counts(Counter(s.score for s in surveys))


def satisfaction_from_counts(scores: Mapping[int | None, int]) -> Satisfaction:
    """Satisfaction from the number of surveys per score (None: sent, not answered)."""
    answered = {score: n for score, n in scores.items() if score is not None and n}
    count = sum(answered.values())
    return Satisfaction(
        sent=sum(scores.values()),
        answered=count,
        average=round(sum(s * n for s, n in answered.items()) / count, 3) if count else None,
        csat=share(sum(n for s, n in answered.items() if s >= 4), count),
        distribution={n: answered.get(n, 0) for n in range(1, 6)},
    )


def intent_counts(messages: Iterable[MessageRecord]) -> dict[str, int]:
    """Customer messages per intent (messages without one are not counted)."""
    return dict(Counter(m.intent for m in messages if m.sender == "customer" and m.intent))


def top_intents(messages: Iterable[MessageRecord], limit: int = 10) -> list[tuple[str, int]]:
    """The customers' most frequent needs (each customer message's intent)."""
    return top_counts(intent_counts(messages), limit)


def top_counts(counts: Mapping[str, int], limit: int = 10) -> list[tuple[str, int]]:
    """The largest counts first, ties by name (in Python, so every database orders alike)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@dataclass(frozen=True, slots=True)
class UncoveredGroup:
    text: str  # the latest wording seen
    count: int
    last_at: datetime


def uncovered(questions: Iterable[UncoveredRecord], limit: int = 20) -> list[UncoveredGroup]:
    """Questions the knowledge base had no good answer for, grouped by normalized text."""
    groups: dict[str, list[UncoveredRecord]] = defaultdict(list)
    for q in questions:
        groups[q.normalized or q.text].append(q)
    found = []
    for items in groups.values():
        latest = max(items, key=lambda q: q.at)
        found.append(UncoveredGroup(latest.text, len(items), latest.at))
    found.sort(key=lambda g: (-g.count, -g.last_at.timestamp()))
    return found[:limit]


def channel_mix(conversations: Iterable[ConversationRecord]) -> dict[str, int]:
    return dict(Counter(c.channel for c in conversations))
