"""The peak forecast: the busiest hour seen times the surge, of which the handoff share reaches
people; and the overview report assembled from one window of records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kefu.analytics.forecast import forecast_peak, hourly_arrivals
from kefu.analytics.records import ConversationRecord, EventRecord, MessageRecord
from kefu.analytics.report import Window, handle_times, overview

T0 = datetime(2026, 11, 11, 0, 0, tzinfo=UTC)


def test_arrivals_are_counted_per_clock_hour() -> None:
    starts = [T0 + timedelta(minutes=m) for m in (1, 20, 59, 61, 130)]
    assert hourly_arrivals(starts) == {
        T0: 3,
        T0 + timedelta(hours=1): 1,
        T0 + timedelta(hours=2): 1,
    }


def test_a_surge_multiplies_the_busiest_hour_and_only_handoffs_need_people() -> None:
    hourly = {T0: 40, T0 + timedelta(hours=1): 100}
    f = forecast_peak(hourly, surge=8, handoff_rate=0.25, aht_s=240, concurrency=3)
    assert f.baseline_peak_per_hour == 100 and f.peak_per_hour == 800
    assert f.to_agents_per_hour == 200
    assert f.staffing.agents >= 5  # 200/h × 240 s is 13.3 erlangs: at least 14 seats
    calmer = forecast_peak(hourly, surge=8, handoff_rate=0.1, aht_s=240, concurrency=3)
    assert calmer.staffing.agents < f.staffing.agents


def test_a_planners_floor_stands_in_for_thin_history() -> None:
    f = forecast_peak({}, surge=5, handoff_rate=0.2, aht_s=240, floor_per_hour=300)
    assert f.peak_per_hour == 1500
    with pytest.raises(ValueError):
        forecast_peak({}, surge=0, handoff_rate=0.2, aht_s=240)


def test_handle_time_runs_from_accept_to_close() -> None:
    events = [
        EventRecord("a", "accepted", T0),
        EventRecord("a", "closed", T0 + timedelta(seconds=300)),
        EventRecord("b", "closed", T0),  # closed without being accepted here: not counted
    ]
    assert handle_times(events) == [300.0]


def test_the_overview_reports_every_metric_of_the_window() -> None:
    start, end = T0, T0 + timedelta(hours=1)
    window = Window(
        start=start,
        end=end,
        conversations=[
            ConversationRecord("c1", "web", "bot", T0),
            ConversationRecord("c2", "wechat", "with_agent", T0),
        ],
        messages=[
            MessageRecord("c1", 1, "customer", T0 + timedelta(seconds=5), "logistics"),
            MessageRecord("c1", 2, "bot", T0 + timedelta(seconds=6)),
            MessageRecord("c2", 1, "customer", T0 + timedelta(seconds=7), "human_agent"),
            MessageRecord("c2", 2, "bot", T0 + timedelta(seconds=8)),
        ],
        events=[EventRecord("c2", "handoff", T0 + timedelta(seconds=7))],
        queue=[],
        surveys=[],
        uncovered=[],
    )
    o = overview(window, surge=10)
    assert o["totals"]["customer_messages"] == 2 and o["totals"]["handoffs"] == 1
    assert o["bot_resolution_rate"] == 0.5 and o["handoff_rate"] == 0.5
    assert o["first_response_s"]["median"] == 1.0
    assert o["channels"] == {"web": 1, "wechat": 1}
    assert sum(b["customer"] for b in o["series"]) == 2
    assert o["window"]["bucket_minutes"] == 1 and len(o["series"]) == 60
    assert o["forecast"]["peak_per_hour"] == 20 and o["forecast"]["to_agents_per_hour"] == 10
    assert o["satisfaction"]["average"] is None
