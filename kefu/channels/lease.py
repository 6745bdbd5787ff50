"""A renewed lease on one inbound message: held while its turn runs, so another worker (a platform
retry, the job engine's recovery task) knows the message is in hand; when the holder dies the lease
lapses within seconds and the message can be taken over."""

from __future__ import annotations

import threading
from types import TracebackType

from kefu.runtime.shared import SharedState

LEASE_S = 6.0
RENEW_S = 2.0


class StillRunning(Exception):
    """Another live worker holds the message: try again once its lease could have lapsed."""


class MessageLease:
    def __init__(self, state: SharedState, key: str) -> None:
        self.state = state
        self.key = key
        self._done = threading.Event()

    def acquire(self) -> bool:
        """Take the lease; False when a live worker holds it."""
        if not self.state.set_once(self.key, "1", LEASE_S):
            return False
        threading.Thread(target=self._renew, daemon=True, name="kefu-lease").start()
        return True

    def _renew(self) -> None:
        while not self._done.wait(RENEW_S):
            self.state.set(self.key, "1", LEASE_S)

    def release(self) -> None:
        """Stop renewing and let the next worker in at once."""
        self._done.set()
        self.state.set(self.key, "", ttl_s=0.001)

    def is_held(self) -> bool:
        return bool(self.state.get(self.key))

    def __enter__(self) -> MessageLease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
