"""The dashboard's overview: every metric of one time window, as JSON-ready values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kefu.analytics import metrics
from kefu.analytics.forecast import forecast_peak, hourly_arrivals
from kefu.analytics.records import (
    ConversationRecord,
    EventRecord,
    MessageRecord,
    QueueRecord,
    SurveyRecord,
    UncoveredRecord,
)

# used for the forecast while the window has no agent-handled conversation to measure
DEFAULT_AHT_S = 240.0


@dataclass(frozen=True, slots=True)
class Window:
    """What the store fetched for ``[start, end)``; ``queue`` is the desk's rows touched in it."""

    start: datetime
    end: datetime
    conversations: Sequence[ConversationRecord]
    messages: Sequence[MessageRecord]
    events: Sequence[EventRecord]
    queue: Sequence[QueueRecord]
    surveys: Sequence[SurveyRecord]
    uncovered: Sequence[UncoveredRecord]


def handle_times(events: Sequence[EventRecord]) -> list[float]:
    """Seconds from an agent accepting a conversation to closing it."""
    accepted: dict[str, datetime] = {}
    times = []
    for e in sorted(events, key=lambda e: e.at):
        if e.kind == "accepted":
            accepted.setdefault(e.conversation_id, e.at)
        elif e.kind == "closed" and e.conversation_id in accepted:
            times.append((e.at - accepted.pop(e.conversation_id)).total_seconds())
    return times


def overview(w: Window, *, surge: float = 5.0, concurrency: int = 3) -> dict[str, Any]:
    size = metrics.bucket_size(w.start, w.end)
    buckets = metrics.volume_buckets(w.messages, w.start, w.end, size)
    talked = metrics.customer_conversations(w.messages)
    handoffs = metrics.handed_off(w.events)
    handoff_rate = metrics.handoff_rate(talked, handoffs)
    first = metrics.summarize(metrics.first_response_seconds(w.messages))
    agent_first = metrics.summarize(metrics.agent_first_response_seconds(w.messages, w.events))
    handle = metrics.summarize(handle_times(w.events))
    aht = handle.mean if handle.mean else DEFAULT_AHT_S
    customer_messages = sum(1 for m in w.messages if m.sender == "customer")
    forecast = forecast_peak(
        hourly_arrivals(c.created_at for c in w.conversations),
        surge=surge,
        handoff_rate=handoff_rate or 0.0,
        aht_s=aht,
        concurrency=concurrency,
    )
    return {
        "window": {
            "start": w.start.isoformat(),
            "end": w.end.isoformat(),
            "bucket_minutes": int(size.total_seconds() // 60),
        },
        "totals": {
            "conversations": len(w.conversations),
            "conversations_with_customer_messages": len(talked),
            "messages": len(w.messages),
            "customer_messages": customer_messages,
            "handoffs": len(talked & handoffs),
        },
        "bot_resolution_rate": metrics.bot_resolution_rate(talked, handoffs),
        "handoff_rate": handoff_rate,
        "first_response_s": first.to_dict(),
        "agent_first_response_s": agent_first.to_dict(),
        "handle_time_s": handle.to_dict(),
        "queue": metrics.queue_stats(w.queue, w.end).to_dict(),
        "satisfaction": metrics.satisfaction(w.surveys).to_dict(),
        "series": [
            {
                "start": b.start.isoformat(),
                "per_minute": metrics.per_minute(b, size),
                "customer": b.counts.get("customer", 0),
                "bot": b.counts.get("bot", 0),
                "agent": b.counts.get("agent", 0),
            }
            for b in buckets
        ],
        "top_intents": [{"intent": i, "count": n} for i, n in metrics.top_intents(w.messages)],
        "uncovered": [
            {"text": g.text, "count": g.count, "last_at": g.last_at.isoformat()}
            for g in metrics.uncovered(w.uncovered)
        ],
        "channels": metrics.channel_mix(w.conversations),
        "forecast": forecast.to_dict(),
    }
