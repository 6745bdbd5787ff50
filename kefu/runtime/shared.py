"""Key-value with expiry, set-once, counters, rate limits and pub/sub across workers.

One worker uses ``InProcessState``; several workers (or machines) point ``KEFU_REDIS_URL`` at Redis
and get ``RedisState`` with the same behaviour, so scaling out is configuration, not code.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from kefu.runtime.ports import Handler, SharedState

__all__ = ["Handler", "InProcessState", "RedisState", "SharedState", "StateUnavailable"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class StateUnavailable(RuntimeError):
    """The shared state (Redis) cannot be reached: the edges answer 503 and nothing is half done.

    Each call opens a fresh connection when the last one broke, so service resumes by itself as
    soon as Redis is back."""


def _outage(exc: Exception) -> bool:
    import redis.exceptions

    return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


log = logging.getLogger("kefu.runtime")


def _unavailable_when_down(method: Callable[_P, _R]) -> Callable[_P, _R]:
    @wraps(method)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(*args, **kwargs)
        except Exception as exc:
            if _outage(exc):
                raise StateUnavailable(f"shared state unreachable: {exc}") from exc
            raise

    return call


class InProcessState:
    """Thread-safe single-process implementation."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._data: dict[str, tuple[str, float | None]] = {}
        self._subs: dict[str, list[Handler]] = defaultdict(list)
        self._lock = threading.Lock()

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    def _expiry(self, ttl_s: float | None) -> float | None:
        return None if ttl_s is None else self._clock() + ttl_s

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(ttl_s))

    def set_once(self, key: str, value: str, ttl_s: float) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(ttl_s))
            return True

    def incr(self, key: str, ttl_s: float | None = None) -> int:
        with self._lock:
            current = self._live(key)
            n = int(current) + 1 if current is not None else 1
            expires = self._data[key][1] if current is not None else self._expiry(ttl_s)
            self._data[key] = (str(n), expires)
            return n

    def add(self, key: str, amount: int) -> int:
        with self._lock:
            current = self._live(key)
            n = (int(current) if current is not None else 0) + amount
            self._data[key] = (str(n), None)
            return n

    def allow(self, key: str, limit: int, window_s: float) -> bool:
        return self.wait_s(key, limit, window_s) == 0.0

    def wait_s(self, key: str, limit: int, window_s: float) -> float:
        now = self._clock()
        bucket = int(now // window_s)
        if self.incr(f"rl:{key}:{bucket}", ttl_s=window_s) <= limit:
            return 0.0
        return max((bucket + 1) * window_s - now, 0.001)

    def publish(self, channel: str, message: str) -> None:
        with self._lock:
            handlers = list(self._subs.get(channel, ()))
        # as on Redis, where each subscriber reads on its own: one failing subscriber neither
        # fails the publisher nor keeps the message from the others
        for h in handlers:
            try:
                h(message)
            except Exception:
                log.exception("a subscriber of %s failed", channel)

    def publish_all(self, items: Sequence[tuple[str, str]]) -> None:
        for channel, message in items:
            self.publish(channel, message)

    def subscribe(self, channel: str, handler: Handler) -> Callable[[], None]:
        with self._lock:
            self._subs[channel].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._subs.get(channel, []):
                    self._subs[channel].remove(handler)

        return unsubscribe

    def close(self) -> None:
        with self._lock:
            self._subs.clear()


# NX: the first increment of a window sets its expiry; later ones keep it
_INCR_WITH_EXPIRY = """
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return n
"""


class RedisState:
    """The same behaviour over Redis, shared by every worker on every machine."""

    def __init__(self, url: str, prefix: str = "kefu:") -> None:
        import redis

        # bounded waits: a Redis that hangs must turn into a 503, not into stuck workers
        self._redis: Any = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2.0, socket_timeout=5.0
        )
        self._prefix = prefix
        self._threads: list[Any] = []
        # a counter and the expiry of its window in one command (a MULTI pipeline is four)
        self._incr = self._redis.register_script(_INCR_WITH_EXPIRY)

    def _k(self, key: str) -> str:
        return self._prefix + key

    @_unavailable_when_down
    def ping(self) -> bool:
        return bool(self._redis.ping())

    @_unavailable_when_down
    def get(self, key: str) -> str | None:
        value = self._redis.get(self._k(key))
        return None if value is None else str(value)

    @_unavailable_when_down
    def set(self, key: str, value: str, ttl_s: float | None = None) -> None:
        px = None if ttl_s is None else max(1, int(ttl_s * 1000))
        self._redis.set(self._k(key), value, px=px)

    @_unavailable_when_down
    def set_once(self, key: str, value: str, ttl_s: float) -> bool:
        return bool(self._redis.set(self._k(key), value, nx=True, px=max(1, int(ttl_s * 1000))))

    @_unavailable_when_down
    def incr(self, key: str, ttl_s: float | None = None) -> int:
        if ttl_s is None:
            return int(self._redis.incr(self._k(key)))
        return int(self._incr(keys=[self._k(key)], args=[max(1, int(ttl_s * 1000))]))

    @_unavailable_when_down
    def add(self, key: str, amount: int) -> int:
        return int(self._redis.incrby(self._k(key), amount))

    def allow(self, key: str, limit: int, window_s: float) -> bool:
        return self.wait_s(key, limit, window_s) == 0.0

    @_unavailable_when_down
    def wait_s(self, key: str, limit: int, window_s: float) -> float:
        # wall-clock buckets: every worker on every machine agrees where a window ends
        now = time.time()
        bucket = int(now // window_s)
        if self.incr(f"rl:{key}:{bucket}", ttl_s=window_s) <= limit:
            return 0.0
        return max((bucket + 1) * window_s - now, 0.001)

    @_unavailable_when_down
    def publish(self, channel: str, message: str) -> None:
        self._redis.publish(self._k(channel), message)

    @_unavailable_when_down
    def publish_all(self, items: Sequence[tuple[str, str]]) -> None:
        if len(items) <= 1:
            for channel, message in items:
                self.publish(channel, message)
            return
        # no MULTI: the messages need order, which one connection's pipeline keeps, not atomicity
        pipe = self._redis.pipeline(transaction=False)
        for channel, message in items:
            pipe.publish(self._k(channel), message)
        pipe.execute()

    @_unavailable_when_down
    def subscribe(self, channel: str, handler: Handler) -> Callable[[], None]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(**{self._k(channel): lambda m: handler(str(m["data"]))})
        # keep listening through an outage: the reader reconnects (and resubscribes) by itself
        thread = pubsub.run_in_thread(
            sleep_time=0.05, daemon=True, exception_handler=_pause_after_error
        )
        self._threads.append(thread)

        def unsubscribe() -> None:
            thread.stop()
            thread.join(timeout=2)  # let the reader leave the socket before closing it
            pubsub.close()

        return unsubscribe

    def close(self) -> None:
        for t in self._threads:
            t.stop()
            t.join(timeout=2)
        self._redis.close()


def _pause_after_error(exc: BaseException, pubsub: Any, thread: Any) -> None:
    time.sleep(0.5)


def make_shared_state(redis_url: str | None) -> SharedState:
    return RedisState(redis_url) if redis_url else InProcessState()
