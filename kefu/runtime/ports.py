"""The port of the shared state, apart from its implementations (kefu.runtime.shared): a package
that only counts or caches through it (the LLM's metrics and switches) does not depend on Redis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

Handler = Callable[[str], None]


class SharedState(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl_s: float | None = None) -> None: ...
    def set_once(self, key: str, value: str, ttl_s: float) -> bool:
        """Store only if absent; True when this call stored it (de-duplication, locks)."""
        ...

    def incr(self, key: str, ttl_s: float | None = None) -> int: ...
    def add(self, key: str, amount: int) -> int:
        """Add ``amount`` to a counter that never expires (metrics); returns the new value."""
        ...

    def allow(self, key: str, limit: int, window_s: float) -> bool:
        """Fixed-window rate limit: at most ``limit`` calls per ``window_s`` for ``key``."""
        ...

    def wait_s(self, key: str, limit: int, window_s: float) -> float:
        """Like ``allow``, counting this call: 0 when allowed, else seconds until the window ends
        (what a 429's Retry-After tells the client)."""
        ...

    def publish(self, channel: str, message: str) -> None: ...
    def publish_all(self, items: Sequence[tuple[str, str]]) -> None:
        """Publish each (channel, message) in order, in one round trip where the backend can
        (the chat-socket wake-ups gathered from many turns: one each would be a round trip
        each)."""
        ...

    def subscribe(self, channel: str, handler: Handler) -> Callable[[], None]:
        """Call ``handler`` per message on ``channel`` until the returned function is called."""
        ...

    def close(self) -> None: ...
