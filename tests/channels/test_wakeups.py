"""Wake-ups leave the turn at once and reach the shared state in batches: every conversation that
got messages is woken, with its newest event, and a publish that fails loses nothing stored."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from kefu.channels.wakeups import WakeUps


class _SlowState:
    """Publishes block until released, so that wake-ups gather meanwhile."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, str]]] = []
        self.release = threading.Event()
        self.entered = threading.Event()  # the publisher has taken its first batch
        self.fail_first = False

    def publish_all(self, items: Sequence[tuple[str, str]]) -> None:
        self.entered.set()
        self.release.wait(5)
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("redis away")
        self.batches.append(list(items))


def test_sending_never_waits_for_the_shared_state() -> None:
    state = _SlowState()
    wakeups = WakeUps(state.publish_all)
    done = threading.Event()

    def turn() -> None:
        wakeups.send([("conv:a", "1")])
        done.set()

    threading.Thread(target=turn).start()
    assert done.wait(1), "a turn waited for the publish"
    state.release.set()
    wakeups.close()
    assert state.batches == [[("conv:a", "1")]]


def test_wake_ups_gathered_meanwhile_go_in_one_batch_with_the_newest_per_conversation() -> None:
    state = _SlowState()
    wakeups = WakeUps(state.publish_all)
    wakeups.send([("conv:a", "seq 1")])  # the publisher takes this one and blocks on it
    assert state.entered.wait(2)
    for event in (("conv:b", "seq 1"), ("conv:a", "seq 2"), ("conv:b", "seq 2"), ("conv:c", "1")):
        wakeups.send([event])
    state.release.set()
    wakeups.close()
    assert state.batches[0] == [("conv:a", "seq 1")]
    rest = dict(pair for batch in state.batches[1:] for pair in batch)
    assert rest == {"conv:b": "seq 2", "conv:a": "seq 2", "conv:c": "1"}
    assert len(state.batches) == 2  # one round trip for everything that gathered


def test_a_failed_publish_does_not_stop_the_next_ones() -> None:
    state = _SlowState()
    state.fail_first = True
    wakeups = WakeUps(state.publish_all)
    wakeups.send([("conv:a", "1")])
    assert state.entered.wait(2)
    state.release.set()
    wakeups.send([("conv:b", "1")])
    wakeups.close()
    assert [("conv:b", "1")] in state.batches
