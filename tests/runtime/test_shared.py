"""Shared state behaves the same in-process and on Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kefu.runtime.shared import InProcessState, RedisState, SharedState


@pytest.fixture(params=["inprocess", pytest.param("redis", marks=pytest.mark.redis)])
def state(request: pytest.FixtureRequest) -> Iterator[SharedState]:
    if request.param == "inprocess":
        s: SharedState = InProcessState()
    else:
        s = RedisState(request.getfixturevalue("redis_url"))
    yield s
    s.close()


def test_set_once_deduplicates(state: SharedState) -> None:
    assert state.set_once("msg:1", "a", ttl_s=10) is True
    assert state.set_once("msg:1", "b", ttl_s=10) is False
    assert state.get("msg:1") == "a"


def test_values_expire(state: SharedState) -> None:
    state.set("k", "v", ttl_s=0.2)
    assert state.get("k") == "v"
    time.sleep(0.35)
    assert state.get("k") is None


def test_rate_limit_allows_up_to_the_limit(state: SharedState) -> None:
    results = [state.allow("cust:C1001", limit=3, window_s=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_published_messages_reach_subscribers(state: SharedState) -> None:
    got: list[str] = []
    done = threading.Event()

    def handler(message: str) -> None:
        got.append(message)
        done.set()

    unsubscribe = state.subscribe("conv:1", handler)
    time.sleep(0.2)  # Redis subscription is asynchronous
    state.publish("conv:1", "hello")
    assert done.wait(3)
    assert got == ["hello"]
    unsubscribe()
