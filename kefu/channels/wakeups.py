"""Chat-socket wake-ups, published off the turn's path and many turns to one round trip.

A wake-up only tells the sockets following a conversation to read it again from the database
(by ``seq``, the source of truth), so it needs neither the turn's thread nor one round trip of
its own: the turn hands its wake-up over and answers its customer; one thread publishes whatever
has gathered meanwhile in one pipeline, the newest per conversation (it stands for the ones
before). Under a peak's load that is many turns per round trip; when idle, one at once.

A wake-up that cannot be published (the shared state is away) is logged and dropped, as before:
the message is stored, and a socket catches up on its next wake-up or reconnect.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

log = logging.getLogger("kefu.channels")

Event = tuple[str, str]  # (pub/sub channel, message)

# at most this many conversations per pipeline: a bounded round trip however long the backlog
MAX_BATCH = 256


class WakeUps:
    """Publishes wake-ups on a thread of its own (``send`` never waits for the shared state)."""

    def __init__(self, publish_all: Callable[[Sequence[Event]], None]) -> None:
        self._publish_all = publish_all
        self._queue: queue.SimpleQueue[Sequence[Event] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="kefu-wakeups", daemon=True)
        self._thread.start()

    def send(self, events: Sequence[Event]) -> None:
        self._queue.put(events)

    def close(self, timeout_s: float = 2.0) -> None:
        """Publish what was handed over, then stop."""
        self._queue.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = dict(first)
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.update(more)  # a later wake-up of a conversation replaces the earlier one
            try:
                self._publish_all(list(batch.items()))
            except Exception:  # stored all the same: open pages catch up from the store
                log.exception("could not publish %d wake-up(s)", len(batch))
            if stopping:
                return
