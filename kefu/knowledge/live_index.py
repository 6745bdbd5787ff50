"""Keeps a worker's in-memory index at the store's revision, with no restart.

Every worker compares the store's revision counter at most every ``check_interval_s`` (0.5 s), so
a change made anywhere is served everywhere within a second; a change notice on the bus (Redis
pub/sub with several workers) makes the next search check at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from kefu.knowledge.entry import KbEntry
from kefu.knowledge.ports import ChangeBus, KnowledgeRepository
from kefu.knowledge.retriever import HybridIndex

log = logging.getLogger("kefu.knowledge")
CHANGES_CHANNEL = "kb.changed"


class LiveIndex:
    def __init__(
        self,
        repo: KnowledgeRepository,
        build: Callable[[Sequence[KbEntry]], HybridIndex],
        *,
        bus: ChangeBus | None = None,
        check_interval_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repo
        self._build = build
        self._interval = check_interval_s
        self._clock = clock
        self._index: HybridIndex | None = None
        self._revision: int | None = None
        self._checked_at = float("-inf")
        self._stale = False
        self._lock = threading.Lock()
        self._unsubscribe = bus.subscribe(CHANGES_CHANNEL, self._on_notice) if bus else None

    @property
    def revision(self) -> int | None:
        return self._revision

    def _on_notice(self, _message: str) -> None:
        self._stale = True

    def invalidate(self) -> None:
        """Check the store on the next search (after a change made through this worker)."""
        self._stale = True

    def current(self) -> HybridIndex:
        index = self._index
        now = self._clock()
        if index is not None and not self._stale and now - self._checked_at < self._interval:
            return index
        # one thread rebuilds; the others keep answering from the index they have
        if not self._lock.acquire(blocking=index is None):
            assert index is not None
            return index
        try:
            self._checked_at = self._clock()
            self._stale = False
            # read the revision before the entries: a change committed in between only
            # causes one extra rebuild later, never a missed one
            revision = self._repo.revision()
            if self._index is None or revision != self._revision:
                started = time.perf_counter()
                self._index = self._build(self._repo.list_entries())
                self._revision = revision
                log.info(
                    "knowledge index at revision %s: %d entries in %.0f ms",
                    revision,
                    len(self._index),
                    (time.perf_counter() - started) * 1000,
                )
            return self._index
        finally:
            self._lock.release()

    def close(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
