"""Erlang C staffing: textbook values, and the agents a 双11 surge needs."""

from __future__ import annotations

import math

import pytest

from kefu.analytics.staffing import agents_needed, average_wait_s, erlang_c, service_level


def _textbook(traffic: float, servers: int) -> float:
    """Erlang C straight from the formula with factorials (fine for small queues)."""
    top = traffic**servers / math.factorial(servers) * servers / (servers - traffic)
    rest = sum(traffic**i / math.factorial(i) for i in range(servers))
    return top / (rest + top)


def test_erlang_c_matches_the_formula() -> None:
    # 2 erlangs on 3 servers: 4/9 of arrivals wait (worked by hand)
    assert erlang_c(2, 3) == pytest.approx(4 / 9)
    for traffic, servers in [(24, 25), (24, 29), (10, 13), (0.5, 1), (80, 95)]:
        assert erlang_c(traffic, servers) == pytest.approx(_textbook(traffic, servers))


def test_erlang_c_stays_finite_for_a_large_desk() -> None:
    # factorials of 1000 overflow a float; the recursion must not
    assert 0 < erlang_c(950, 1000) < 1


def test_a_queue_with_too_few_servers_always_waits_and_no_traffic_never_does() -> None:
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(0, 3) == 0.0
    assert service_level(10, 9, 240, 20) == 0.0
    assert math.isinf(average_wait_s(10, 10, 240))


def test_service_level_rises_with_each_agent() -> None:
    levels = [service_level(24, n, 240, 20) for n in range(25, 35)]
    assert levels == sorted(levels)
    # 100 chats per half hour, 3 min each, 13 agents: about 80 % answered within 20 s
    assert service_level(10, 13, 180, 20) == pytest.approx(0.7956, abs=1e-3)


def test_agents_needed_meets_the_target_with_the_fewest_people() -> None:
    plan = agents_needed(360, 240, target_s=20, target_level=0.8)
    assert plan.traffic_erlangs == pytest.approx(24)
    assert plan.service_level >= 0.8 and plan.occupancy <= 0.85
    fewer = plan.seats - 1
    assert service_level(24, fewer, 240, 20) < 0.8 or 24 / fewer > 0.85


def test_chat_agents_serving_three_chats_need_a_third_of_the_seats() -> None:
    plan = agents_needed(360, 240, target_s=20, target_level=0.8, concurrency=3)
    assert plan.agents == math.ceil(plan.seats / 3)


def test_a_tenfold_surge_needs_far_more_agents_but_fewer_than_ten_times() -> None:
    normal = agents_needed(120, 240, concurrency=3)
    surge = agents_needed(1200, 240, concurrency=3)
    # bigger queues pool better: ten times the traffic needs fewer than ten times the people
    assert normal.agents < surge.agents < 10 * normal.agents


def test_nonsense_plans_are_refused() -> None:
    with pytest.raises(ValueError):
        agents_needed(-1, 240)
    with pytest.raises(ValueError):
        agents_needed(100, 0)
    with pytest.raises(ValueError):
        agents_needed(100, 240, target_level=1.0)
    with pytest.raises(ValueError):
        agents_needed(10**9, 3600)
