"""TurnLocks (kefu.dialogue.ports): one customer's turns one at a time, in arrival order; other
customers never wait; a turn stuck behind a broken one is told "busy" instead of hanging.

In-process and on Redis. Only the Redis lock outlives a dead worker, so its expiry after
``hold_s`` is a Redis matter (tests/runtime/test_locks.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kefu.domain.errors import ServiceBusy
from kefu.runtime.locks import TurnLocks
from tests.contracts.conftest import unique


def _hold_in_thread(locks: TurnLocks, key: str, log: list[str], name: str) -> threading.Thread:
    """Start a turn in a thread; returns once the thread is about to ask for the lock."""
    asking = threading.Event()

    def turn() -> None:
        asking.set()
        with locks.hold(key):
            log.append(name)

    thread = threading.Thread(target=turn)
    thread.start()
    asking.wait(5)
    return thread


def test_a_second_turn_waits_until_the_first_releases(locks_of: Callable[..., TurnLocks]) -> None:
    # two workers (on Redis two connections; in-process the one process)
    first, other, key = locks_of(), locks_of(), unique("C")
    log: list[str] = []
    with first.hold(key):
        second = _hold_in_thread(other, key, log, "second")
        time.sleep(0.15)
        assert log == [], "the second turn ran while the first held the customer"
        log.append("first done")
    second.join(5)
    assert log == ["first done", "second"]


def test_turns_of_one_customer_run_in_arrival_order(locks_of: Callable[..., TurnLocks]) -> None:
    # within one worker (across workers Redis promises one at a time, not the order)
    locks, key = locks_of(), unique("C")
    log: list[str] = []
    with locks.hold(key):
        waiting: list[threading.Thread] = []
        for i in range(4):
            waiting.append(_hold_in_thread(locks, key, log, f"turn {i}"))
            time.sleep(0.05)  # it has taken its place in line
    for thread in waiting:
        thread.join(5)
    assert log == ["turn 0", "turn 1", "turn 2", "turn 3"]


def test_another_customer_does_not_wait(locks_of: Callable[..., TurnLocks]) -> None:
    first, second = locks_of(), locks_of()
    log: list[str] = []
    with first.hold(unique("C")):
        other = _hold_in_thread(second, unique("C"), log, "other customer")
        other.join(2)
    assert log == ["other customer"]


def test_a_failing_turn_frees_its_customer(locks_of: Callable[..., TurnLocks]) -> None:
    locks, other, key = locks_of(wait_s=3.0), locks_of(wait_s=3.0), unique("C")
    with pytest.raises(RuntimeError), locks.hold(key):
        raise RuntimeError("the turn failed")
    started = time.monotonic()
    with other.hold(key):
        pass
    assert time.monotonic() - started < 1.0, "the next turn waited for a lock nobody held"


def test_a_turn_stuck_behind_a_broken_one_is_busy_then_the_customer_is_served_again(
    locks_of: Callable[..., TurnLocks],
) -> None:
    locks, other, key = locks_of(wait_s=0.2), locks_of(wait_s=0.2), unique("C")
    outcome: list[str] = []

    def late() -> None:
        started = time.monotonic()
        try:
            with other.hold(key):
                outcome.append("ran")
        except ServiceBusy:
            # told soon after its waiting time, not when the broken turn ends
            outcome.append("busy" if time.monotonic() - started < 1.2 else "busy too late")

    with locks.hold(key):
        thread = threading.Thread(target=late)
        thread.start()
        thread.join(3)
        assert outcome == ["busy"]
    # the turn that gave up leaves no place in the line behind it
    started = time.monotonic()
    with other.hold(key):
        outcome.append("next turn")
    assert outcome == ["busy", "next turn"] and time.monotonic() - started < 1.0
