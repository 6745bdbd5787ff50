"""Per-customer turn locks: the turns of one customer run one at a time, in arrival order.

Customers do send bursts (在吗 在吗 在吗, the same question from app and web). Without a lock two
turns of one conversation read the same state and the second one's save loses the race. Inside a
worker the waiters queue first come, first served; across workers and machines a Redis lock
(redis-py's own ``Lock``) keeps two workers out of one conversation at once.

The Redis lock expires quickly (``HOLD_S``) and a keeper thread renews the locks of the turns
this worker is still running: a worker killed mid-turn frees its customers within ``HOLD_S``, so
the customer's next message, now on another instance, waits for that and no longer, while a slow
turn of a live worker keeps its lock however long it takes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from kefu.domain.errors import ServiceBusy

# a turn takes milliseconds; a customer whose turns wait this long is stuck behind something broken
WAIT_S = 5.0
# a worker killed mid-turn frees its customer after this long (shorter than WAIT_S: the next
# message of that customer, on another instance, gets through instead of timing out)
HOLD_S = 2.0
# how often the keeper renews the locks of turns still running (well inside HOLD_S)
RENEW_S = 0.5


class _Fifo:
    """A first-come, first-served lock: tickets in arrival order, one served at a time."""

    __slots__ = ("cond", "next_ticket", "serving", "skipped", "users")

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.next_ticket = 0
        self.serving = 0
        self.skipped: set[int] = set()  # tickets whose holders gave up waiting
        self.users = 0


class InProcessTurnLocks:
    """FIFO locks per key for the threads of one process."""

    def __init__(self, wait_s: float = WAIT_S) -> None:
        self.wait_s = wait_s
        self._locks: dict[str, _Fifo] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            fifo = self._locks.get(key)
            if fifo is None:
                fifo = self._locks[key] = _Fifo()
            fifo.users += 1
        try:
            with fifo.cond:
                ticket = fifo.next_ticket
                fifo.next_ticket += 1
                if not fifo.cond.wait_for(lambda: fifo.serving == ticket, timeout=self.wait_s):
                    # give the ticket back by serving past it when its turn comes
                    _skip(fifo, ticket)
                    raise ServiceBusy("earlier messages of this customer are still being answered")
            try:
                yield
            finally:
                with fifo.cond:
                    fifo.serving += 1
                    _serve_skipped(fifo)
                    fifo.cond.notify_all()
        finally:
            with self._guard:
                fifo.users -= 1
                if fifo.users == 0:  # no one holds or waits: forget the key (no leak per customer)
                    self._locks.pop(key, None)

    def close(self) -> None:
        """Nothing to release: the locks live in this process."""


def _skip(fifo: _Fifo, ticket: int) -> None:
    fifo.skipped.add(ticket)


def _serve_skipped(fifo: _Fifo) -> None:
    while fifo.serving in fifo.skipped:
        fifo.skipped.discard(fifo.serving)
        fifo.serving += 1


class _Keeper:
    """Renews the Redis locks of this worker's running turns until they are released."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self._held: dict[int, Any] = {}
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, lock: Any) -> None:
        with self._mutex:
            self._held[id(lock)] = lock
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kefu-turn-lock-keeper", daemon=True
                )
                self._thread.start()

    def discard(self, lock: Any) -> None:
        with self._mutex:
            self._held.pop(id(lock), None)

    def _run(self) -> None:
        import redis

        while not self._stop.wait(self.every_s):
            with self._mutex:
                running = list(self._held.values())
            for lock in running:
                # lost (expired and taken) or Redis away: the turn's commit still checks the
                # conversation's version, so nothing is overwritten; the release is a no-op
                with suppress(redis.RedisError):
                    lock.reacquire()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every_s * 2)


class RedisTurnLocks:
    """The same FIFO inside this worker, then a Redis lock shared by every worker."""

    def __init__(
        self,
        url: str,
        prefix: str = "kefu:turn:",
        wait_s: float = WAIT_S,
        hold_s: float = HOLD_S,
        renew_s: float = RENEW_S,
    ) -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url)
        self._prefix = prefix
        self._local = InProcessTurnLocks(wait_s)
        self.wait_s = wait_s
        self.hold_s = hold_s
        self._keeper = _Keeper(renew_s)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        import redis

        with self._local.hold(key):
            lock = self._redis.lock(
                self._prefix + key,
                timeout=self.hold_s,
                sleep=0.002,
                blocking_timeout=self.wait_s,
                thread_local=False,  # the keeper thread renews it with the token this turn took
            )
            try:
                # a random token of our own: redis-py's default (uuid1) costs ten times as much
                acquired = lock.acquire(token=os.urandom(16).hex())
            except redis.RedisError as exc:
                raise ServiceBusy("shared state unavailable; please retry shortly") from exc
            if not acquired:
                raise ServiceBusy("earlier messages of this customer are still being answered")
            self._keeper.add(lock)
            try:
                yield
            finally:
                self._keeper.discard(lock)
                # expired or Redis gone: the lock's expiry frees it anyway
                with suppress(redis.RedisError):
                    lock.release()

    def close(self) -> None:
        self._keeper.close()
        self._redis.close()


TurnLocks = InProcessTurnLocks | RedisTurnLocks


def make_turn_locks(redis_url: str | None) -> TurnLocks:
    return RedisTurnLocks(redis_url) if redis_url else InProcessTurnLocks()
