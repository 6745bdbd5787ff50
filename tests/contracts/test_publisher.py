"""Publisher (kefu.desk.ports) and ChangeBus (kefu.knowledge.ports): what one worker publishes
reaches every subscriber, in order, in-process and on Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kefu.runtime.shared import SharedState
from tests.contracts.conftest import unique


class Inbox:
    def __init__(self, expect: int) -> None:
        self.got: list[str] = []
        self._expect = expect
        self._full = threading.Event()

    def __call__(self, message: str) -> None:
        self.got.append(message)
        if len(self.got) >= self._expect:
            self._full.set()

    def wait(self) -> list[str]:
        self._full.wait(3)
        return self.got


def test_a_subscriber_gets_what_another_worker_publishes_in_order(
    state_of: Callable[[], SharedState],
) -> None:
    listener, speaker, channel = state_of(), state_of(), unique("kb:changes")
    inbox = Inbox(expect=20)
    unsubscribe = listener.subscribe(channel, inbox)
    try:
        for i in range(20):
            speaker.publish(channel, f"revision {i}")
        assert inbox.wait() == [f"revision {i}" for i in range(20)]
    finally:
        unsubscribe()


def test_messages_published_together_arrive_in_order_on_their_own_channels(
    state_of: Callable[[], SharedState],
) -> None:
    listener, speaker = state_of(), state_of()
    channel, other_channel = unique("conv"), unique("conv")
    inbox, other = Inbox(expect=3), Inbox(expect=1)
    stops = [listener.subscribe(channel, inbox), listener.subscribe(other_channel, other)]
    try:
        speaker.publish_all(
            [(channel, "asked"), (other_channel, "elsewhere"), (channel, "answer 1")]
        )
        speaker.publish_all([(channel, "answer 2")])
        speaker.publish_all([])
        assert inbox.wait() == ["asked", "answer 1", "answer 2"]
        assert other.wait() == ["elsewhere"]
    finally:
        for stop in stops:
            stop()


def test_every_subscriber_gets_each_message_and_other_channels_none(
    state_of: Callable[[], SharedState],
) -> None:
    channel, other_channel = unique("desk"), unique("desk")
    first, second, elsewhere = Inbox(expect=1), Inbox(expect=1), Inbox(expect=1)
    stops = [
        state_of().subscribe(channel, first),
        state_of().subscribe(channel, second),
        state_of().subscribe(other_channel, elsewhere),
    ]
    try:
        state_of().publish(channel, '{"event": "queued"}')
        assert first.wait() == ['{"event": "queued"}']
        assert second.wait() == ['{"event": "queued"}']
        time.sleep(0.1)
        assert elsewhere.got == []
    finally:
        for stop in stops:
            stop()


def test_after_unsubscribing_nothing_more_arrives(state_of: Callable[[], SharedState]) -> None:
    listener, speaker, channel = state_of(), state_of(), unique("conv")
    inbox = Inbox(expect=1)
    unsubscribe = listener.subscribe(channel, inbox)
    speaker.publish(channel, "before")
    assert inbox.wait() == ["before"]
    unsubscribe()
    speaker.publish(channel, "after")
    time.sleep(0.2)
    assert inbox.got == ["before"]


def test_a_message_nobody_listened_to_is_not_kept_for_later_subscribers(
    state: SharedState,
) -> None:
    channel = unique("conv")
    state.publish(channel, "no one listening")
    inbox = Inbox(expect=1)
    unsubscribe = state.subscribe(channel, inbox)
    try:
        state.publish(channel, "later")
        assert inbox.wait() == ["later"]
    finally:
        unsubscribe()


def test_a_failing_subscriber_fails_neither_the_publisher_nor_the_other_subscribers(
    state_of: Callable[[], SharedState],
) -> None:
    channel = unique("desk")

    def broken(message: str) -> None:
        raise RuntimeError("a subscriber's bug")

    inbox = Inbox(expect=2)
    stops = [state_of().subscribe(channel, broken), state_of().subscribe(channel, inbox)]
    try:
        speaker = state_of()
        speaker.publish(channel, "first")
        speaker.publish(channel, "second")
        assert inbox.wait() == ["first", "second"]
    finally:
        for stop in stops:
            stop()
