"""Admission control: a worker says "later" before it falls behind; optional work goes first."""

from __future__ import annotations

import time

import pytest

from kefu.domain.errors import Problem
from kefu.runtime.load import Load, Overloaded


def test_turns_are_admitted_while_the_backlog_fits_the_budget() -> None:
    load = Load(budget_s=0.1)
    load.turn_s = 0.01
    with load.admit(), load.admit():
        assert load.in_flight == 2 and not load.overloaded()
    assert load.in_flight == 0


def test_optional_work_steps_aside_before_any_message_is_refused() -> None:
    load = Load(budget_s=0.1)
    load.turn_s = 0.01
    held = [load.admit() for _ in range(6)]
    for h in held:
        h.__enter__()
    assert load.overloaded()  # 60 ms of backlog: dense retrieval and the like step aside
    with load.admit():  # but the message is still taken
        pass
    for h in held:
        h.__exit__(None, None, None)


def test_a_backlog_past_the_budget_is_refused_with_retry_after() -> None:
    load = Load(budget_s=0.05)
    load.turn_s = 0.01
    held = [load.admit() for _ in range(6)]
    for h in held:
        h.__enter__()
    with pytest.raises(Overloaded) as refused, load.admit():
        pass
    assert refused.value.problem is Problem.BUSY and refused.value.retry_after_s >= 1
    assert load.rejected == 1 and load.in_flight == 6
    for h in held:
        h.__exit__(None, None, None)


def test_the_turn_cost_follows_cpu_time_not_waiting() -> None:
    load = Load()
    load.turn_s = 0.5
    for _ in range(200):
        with load.measure():
            pass  # a turn that costs next to nothing
    assert load.turn_s < 0.01


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_cold_second_long_turn_does_not_make_the_worker_shed_its_customers() -> None:
    load = Load(budget_s=0.5)
    for _ in range(20):
        with load.measure():
            _burn(0.002)
    with load.measure():
        _burn(1.0)  # a model loading on its first use
    # sixteen customers in hand still fit the budget: nobody gets a 503 for that one turn
    assert 16 * load.turn_s < load.budget_s
    # turns that really got slower still raise the estimate, turn by turn
    before = load.turn_s
    for _ in range(30):
        with load.measure():
            _burn(0.03)
    assert load.turn_s > 2 * before
