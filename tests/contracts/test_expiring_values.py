"""ExpiringValues (kefu.dialogue.ports) and Marks (kefu.desk.ports): short-lived values every
worker shares, in-process and on Redis. The protocols have no delete: a value goes by expiring
or by being overwritten."""

from __future__ import annotations

import time
from collections.abc import Callable

from kefu.runtime.shared import SharedState
from tests.contracts.conftest import unique


def test_a_value_set_by_one_worker_is_read_by_another(
    state_of: Callable[[], SharedState],
) -> None:
    writer, reader, key = state_of(), state_of(), unique("read-mark")
    assert reader.get(key) is None
    writer.set(key, "42")
    assert reader.get(key) == "42"
    writer.set(key, "43")
    assert reader.get(key) == "43"


def test_a_value_with_a_ttl_is_gone_after_it(state: SharedState) -> None:
    key = unique("link-code")
    state.set(key, "531902", ttl_s=0.5)
    assert state.get(key) == "531902"
    time.sleep(0.6)
    assert state.get(key) is None


def test_a_value_without_a_ttl_stays(state: SharedState) -> None:
    key = unique("read-mark")
    state.set(key, "7")
    time.sleep(0.3)
    assert state.get(key) == "7"


def test_overwriting_without_a_ttl_keeps_the_value_for_good(state: SharedState) -> None:
    key = unique("k")
    state.set(key, "short", ttl_s=0.3)
    state.set(key, "kept")
    time.sleep(0.4)
    assert state.get(key) == "kept"


def test_a_counter_starts_at_one_and_counts_across_workers(
    state_of: Callable[[], SharedState],
) -> None:
    first, second, key = state_of(), state_of(), unique("attempts")
    assert [first.incr(key), second.incr(key), first.incr(key)] == [1, 2, 3]
    assert second.get(key) == "3"


def test_a_counters_window_runs_from_its_first_count(state: SharedState) -> None:
    # five wrong link codes in a window lock the guest out; counting on must not extend it
    key = unique("wrong-codes")
    assert state.incr(key, ttl_s=0.6) == 1
    time.sleep(0.2)
    assert state.incr(key, ttl_s=0.6) == 2
    time.sleep(0.5)  # 0.7 s after the first count, 0.5 s after the second
    assert state.get(key) is None
    assert state.incr(key, ttl_s=0.6) == 1


def test_set_once_stores_only_the_first_value_until_it_expires(
    state_of: Callable[[], SharedState],
) -> None:
    first, second, key = state_of(), state_of(), unique("receipt")
    assert first.set_once(key, "worker-1", ttl_s=0.5) is True
    assert second.set_once(key, "worker-2", ttl_s=0.5) is False
    assert second.get(key) == "worker-1"
    time.sleep(0.6)
    assert second.set_once(key, "worker-2", ttl_s=0.5) is True
    assert first.get(key) == "worker-2"
