"""Shared counters and rate limits (kefu.runtime.shared.SharedState), in-process and on Redis:
metrics every worker adds to, and the limits behind a 429 and its Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import redis

from kefu.runtime.shared import RedisState, SharedState, StateUnavailable
from tests.contracts.conftest import unique


def test_counters_add_up_across_workers_and_never_expire(
    state_of: Callable[[], SharedState],
) -> None:
    first, second, key = state_of(), state_of(), unique("turns:bucket")
    assert first.add(key, 5) == 5
    assert second.add(key, 3) == 8
    assert first.add(key, 0) == 8
    assert second.add(key, -2) == 6
    time.sleep(0.2)
    assert first.get(key) == "6"


def test_a_limit_allows_up_to_its_count_then_refuses(
    state_of: Callable[[], SharedState],
) -> None:
    first, second, key = state_of(), state_of(), unique("cust")
    allowed = [s.allow(key, limit=3, window_s=60) for s in (first, second, first, second, first)]
    assert allowed == [True, True, True, False, False]
    assert first.allow(unique("cust"), limit=3, window_s=60), "another key has its own limit"


def test_wait_is_zero_while_allowed_then_the_rest_of_the_window(state: SharedState) -> None:
    key = unique("ip")
    assert [state.wait_s(key, limit=2, window_s=30) for _ in range(2)] == [0.0, 0.0]
    wait = state.wait_s(key, limit=2, window_s=30)
    assert 0 < wait <= 30


def test_a_new_window_allows_again(state: SharedState) -> None:
    key = unique("cust")
    while state.allow(key, limit=1, window_s=0.3):
        pass  # used up (a window boundary may have passed while counting)
    time.sleep(0.35)
    assert state.allow(key, limit=1, window_s=0.3)


def test_a_windows_count_ends_with_the_window(state: SharedState) -> None:
    key = unique("window")
    assert [state.incr(key, ttl_s=0.3) for _ in range(3)] == [1, 2, 3]
    time.sleep(0.4)
    assert state.incr(key, ttl_s=0.3) == 1


@pytest.mark.redis
def test_limits_keep_counting_after_redis_forgot_its_scripts(redis_url: str) -> None:
    # a restarted Redis has no scripts loaded: the counter loads its own again
    state = RedisState(redis_url)
    try:
        key = unique("flush")
        assert state.incr(key, ttl_s=60) == 1
        redis.Redis.from_url(redis_url).script_flush()
        assert state.incr(key, ttl_s=60) == 2
    finally:
        state.close()


# Redis alone can be away; the edges turn StateUnavailable into a 503 with nothing half done
@pytest.mark.redis
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.get("k"), id="get"),
        pytest.param(lambda s: s.set("k", "v"), id="set"),
        pytest.param(lambda s: s.incr("k"), id="incr"),
        pytest.param(lambda s: s.allow("k", 1, 1.0), id="allow"),
        pytest.param(lambda s: s.publish("c", "m"), id="publish"),
        pytest.param(lambda s: s.publish_all([("c", "m"), ("c", "n")]), id="publish_all"),
        pytest.param(lambda s: s.add("k", 1), id="add"),
    ],
)
def test_an_unreachable_redis_is_state_unavailable(call: Callable[[SharedState], object]) -> None:
    state = RedisState("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(StateUnavailable):
            call(state)
    finally:
        state.close()
