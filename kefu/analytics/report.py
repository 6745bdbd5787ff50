"""The dashboard's overview: every metric of one time window, as JSON-ready values."""

from __future__ import annotations

from typing import Any

from kefu.analytics import metrics
from kefu.analytics.aggregates import Window, WindowStats, aggregate
from kefu.analytics.forecast import forecast_peak
from kefu.analytics.metrics import handle_times

__all__ = ["DEFAULT_AHT_S", "Window", "WindowStats", "handle_times", "overview"]

# used for the forecast while the window has no agent-handled conversation to measure
DEFAULT_AHT_S = 240.0


def overview(
    w: WindowStats | Window, *, surge: float = 5.0, concurrency: int = 3
) -> dict[str, Any]:
    """The report the dashboard page reads, from a window's aggregates (or, for small windows
    and tests, from its records)."""
    stats = aggregate(w) if isinstance(w, Window) else w
    size = stats.bucket
    handoff_rate = metrics.share(stats.handoffs, stats.talked)
    aht = stats.handle_time.mean if stats.handle_time.mean else DEFAULT_AHT_S
    forecast = forecast_peak(
        stats.hourly_arrivals,
        surge=surge,
        handoff_rate=handoff_rate or 0.0,
        aht_s=aht,
        concurrency=concurrency,
    )
    return {
        "window": {
            "start": stats.start.isoformat(),
            "end": stats.end.isoformat(),
            "bucket_minutes": int(size.total_seconds() // 60),
        },
        "totals": {
            "conversations": stats.conversations,
            "conversations_with_customer_messages": stats.talked,
            "messages": stats.messages,
            "customer_messages": stats.customer_messages,
            "handoffs": stats.handoffs,
        },
        "bot_resolution_rate": metrics.share(stats.talked - stats.handoffs, stats.talked),
        "handoff_rate": handoff_rate,
        "first_response_s": stats.first_response.to_dict(),
        "agent_first_response_s": stats.agent_first_response.to_dict(),
        "handle_time_s": stats.handle_time.to_dict(),
        "queue": stats.queue.to_dict(),
        "satisfaction": stats.satisfaction.to_dict(),
        "series": [
            {
                "start": b.start.isoformat(),
                "per_minute": metrics.per_minute(b, size),
                "customer": b.counts.get("customer", 0),
                "bot": b.counts.get("bot", 0),
                "agent": b.counts.get("agent", 0),
            }
            for b in stats.volume
        ],
        "top_intents": [{"intent": i, "count": n} for i, n in metrics.top_counts(stats.intents)],
        "uncovered": [
            {"text": g.text, "count": g.count, "last_at": g.last_at.isoformat()}
            for g in stats.uncovered
        ],
        "channels": stats.channels,
        "forecast": forecast.to_dict(),
    }
