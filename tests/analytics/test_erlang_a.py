"""Erlang A staffing, handle time from history and the shift plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kefu.analytics.erlang_a import erlang_a, seats_needed
from kefu.analytics.shifts import plan_shifts
from kefu.analytics.staffing import erlang_c, handle_time_s, service_level


def test_with_endless_patience_erlang_a_is_erlang_c() -> None:
    traffic = 100 * 240 / 3600
    patient = erlang_a(100, 240, 1e8, 8, 30)
    assert patient.p_wait == pytest.approx(erlang_c(traffic, 8), abs=1e-3)
    assert patient.service_level == pytest.approx(service_level(traffic, 8, 240, 30), abs=1e-3)
    assert patient.p_abandon < 1e-4


def test_impatient_customers_leave_and_the_desk_needs_fewer_seats_than_erlang_c_says() -> None:
    impatient = erlang_a(100, 240, 120, 5, 30)  # 6.7 erlangs on 5 seats: Erlang C diverges
    assert 0.2 < impatient.p_abandon < 0.5
    assert impatient.occupancy < 1
    more = erlang_a(100, 240, 120, 9, 30)
    assert more.p_abandon < impatient.p_abandon and more.service_level > impatient.service_level


def test_seats_needed_is_the_smallest_meeting_the_level_and_abandonment() -> None:
    found = seats_needed(300, 240, 120, target_s=60, target_level=0.8, max_abandon=0.05)
    assert found.service_level >= 0.8 and found.p_abandon <= 0.05
    fewer = erlang_a(300, 240, 120, found.seats - 1, 60)
    assert fewer.service_level < 0.8 or fewer.p_abandon > 0.05 or fewer.occupancy > 0.85
    assert seats_needed(0, 240, 120, target_s=60, target_level=0.8).seats == 1


def test_handle_time_trims_outliers_and_keeps_a_floor() -> None:
    samples = [200.0] * 18 + [5.0, 50_000.0]  # a misclick and a chat left open overnight
    assert handle_time_s(samples) == pytest.approx(200.0)
    assert handle_time_s([10.0] * 20, floor_s=60) == 60.0
    assert handle_time_s([300.0], default_s=240) == 240.0  # too little history to say


def test_the_shift_plan_covers_every_hour_with_the_fewest_agent_hours() -> None:
    needed = [2, 2, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 12, 14, 15, 14, 12, 10, 12, 16, 18, 12, 6]
    plan = plan_shifts(datetime(2026, 11, 11, tzinfo=UTC), needed, (8, 4))
    assert all(s >= n for s, n in zip(plan.staffed, needed, strict=True))
    assert all(s.hours in (8, 4) for s in plan.shifts)
    assert plan.agent_hours >= sum(needed)
    # every 4-hour block covered by its own peak is a feasible plan: the optimum is no worse
    blocks = sum(4 * max(needed[i : i + 4]) for i in range(0, 24, 4))
    assert plan.agent_hours <= blocks
    flat = plan_shifts(datetime(2026, 11, 11, tzinfo=UTC), [3] * 8, (8, 4))
    assert [(s.hours, s.agents) for s in flat.shifts] == [(8, 3)] and flat.agent_hours == 24
