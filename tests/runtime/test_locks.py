"""Turn locks: one customer's turns one at a time, first come first served, on every backend."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from kefu.domain.errors import ServiceBusy
from kefu.runtime.locks import InProcessTurnLocks, RedisTurnLocks, TurnLocks


def _run_in_arrival_order(locks: Callable[[], TurnLocks], n: int = 6) -> list[int]:
    """n threads arrive one after another while the first holds the lock; returns who ran when."""
    order: list[int] = []
    inside = [0]
    overlap = [False]
    first_in = threading.Event()
    arrived = [threading.Event() for _ in range(n)]

    def turn(i: int, lock: TurnLocks) -> None:
        arrived[i].set()
        with lock.hold("C1001"):
            inside[0] += 1
            overlap[0] |= inside[0] > 1
            if i == 0:
                first_in.set()
                time.sleep(0.05)  # the others queue up behind the first turn
            order.append(i)
            inside[0] -= 1

    made = [locks() for _ in range(n)]
    threads = [threading.Thread(target=turn, args=(i, made[i])) for i in range(n)]
    threads[0].start()
    first_in.wait(5)
    for i in range(1, n):
        threads[i].start()
        arrived[i].wait(5)
        time.sleep(0.005)  # a clear arrival order
    for t in threads:
        t.join(10)
    assert not overlap[0], "two turns of one customer ran at once"
    return order


def test_in_process_turns_run_one_at_a_time_in_arrival_order() -> None:
    shared = InProcessTurnLocks()
    assert _run_in_arrival_order(lambda: shared) == [0, 1, 2, 3, 4, 5]


def test_other_customers_do_not_wait() -> None:
    locks = InProcessTurnLocks()
    with locks.hold("C1001"):
        done = threading.Event()

        def other() -> None:
            with locks.hold("C1002"):
                done.set()

        threading.Thread(target=other).start()
        assert done.wait(1)


def test_a_turn_stuck_behind_a_broken_one_gets_busy_not_forever() -> None:
    locks = InProcessTurnLocks(wait_s=0.1)
    with locks.hold("C1001"):
        outcome: list[str] = []

        def late() -> None:
            try:
                with locks.hold("C1001"):
                    outcome.append("ran")
            except ServiceBusy:
                outcome.append("busy")

        t = threading.Thread(target=late)
        t.start()
        t.join(2)
    assert outcome == ["busy"]
    with locks.hold("C1001"):  # the skipped ticket does not block the next turn
        pass
    assert locks._locks == {}  # nothing kept per customer once no one waits


@pytest.mark.redis
def test_workers_sharing_redis_never_overlap_one_customer(redis_url: str) -> None:
    made: list[RedisTurnLocks] = []

    def worker() -> RedisTurnLocks:  # each thread as a separate worker process
        made.append(RedisTurnLocks(redis_url))
        return made[-1]

    try:
        order = _run_in_arrival_order(worker, n=4)
    finally:
        for m in made:
            m.close()
    assert sorted(order) == [0, 1, 2, 3] and order[0] == 0


@pytest.mark.redis
def test_redis_unreachable_is_busy_not_a_crash() -> None:
    locks = RedisTurnLocks("redis://127.0.0.1:1/0", wait_s=0.2)
    with pytest.raises(ServiceBusy), locks.hold("C1001"):
        pass
    locks.close()


@pytest.mark.redis
def test_a_long_turn_keeps_its_customer_while_a_dead_workers_lock_lapses(redis_url: str) -> None:
    import redis

    alive = RedisTurnLocks(redis_url, hold_s=0.4, renew_s=0.1)
    other = RedisTurnLocks(redis_url, hold_s=0.4, renew_s=0.1, wait_s=0.3)
    try:
        # a turn three times longer than the lock's expiry: renewed, so no one else gets in
        with alive.hold("C1001"):
            time.sleep(1.2)
            with pytest.raises(ServiceBusy), other.hold("C1001"):
                pass
        # a worker killed mid-turn leaves its lock behind, unrenewed: it lapses within hold_s
        client = redis.Redis.from_url(redis_url)
        client.set("kefu:turn:C1002", b"dead-worker", px=400)
        client.close()
        patient = RedisTurnLocks(redis_url, hold_s=0.4, wait_s=2.0)
        started = time.monotonic()
        with patient.hold("C1002"):
            waited = time.monotonic() - started
        patient.close()
        assert 0.2 < waited < 1.0
    finally:
        alive.close()
        other.close()
