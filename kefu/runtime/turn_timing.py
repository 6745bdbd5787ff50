"""How long turns take, counted in the shared state so every worker adds to one histogram.

A process-local histogram would show each scrape one worker's turns (whichever worker the load
balancer picked); the shared state (Redis in production) holds one count per bucket for all of
them, so a scrape of any worker reads the same, complete numbers.

Each worker adds its turns to the shared counters in batches, ``flush_every_s`` apart
(by a background thread), not two shared-state writes per turn:
a scrape of any worker sees every turn older than that interval, and its own turns at once.
"""

from __future__ import annotations

import bisect
import logging
import threading
from dataclasses import dataclass

from kefu.runtime.shared import SharedState

log = logging.getLogger("kefu.runtime.turn_timing")

# seconds; a healthy turn takes milliseconds, a struggling database or NLU seconds
TURN_BUCKETS_S: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_PREFIX = "metrics:turn_seconds"
_MICROS = 1_000_000  # the shared counters are integers: the sum is kept in microseconds


@dataclass(frozen=True, slots=True)
class HistogramSnapshot:
    cumulative: list[tuple[float, int]]  # (upper bound, turns at most that long), +Inf last
    count: int
    sum_s: float


class TurnTimer:
    """Observes turn durations into the shared state and reads them back for ``/metrics``."""

    def __init__(
        self,
        state: SharedState,
        buckets: tuple[float, ...] = TURN_BUCKETS_S,
        flush_every_s: float = 1.0,
    ) -> None:
        self.state = state
        self.buckets = buckets
        self.flush_every_s = flush_every_s
        self._counts = [0] * (len(buckets) + 1)
        self._sum_us = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    def observe(self, seconds: float) -> None:
        """Count one turn (in this worker; shared at the next flush)."""
        index = bisect.bisect_left(self.buckets, seconds)
        with self._lock:
            self._counts[index] += 1
            self._sum_us += max(0, round(seconds * _MICROS))
            if self._flusher is None:
                self._flusher = threading.Thread(
                    target=self._flush_while_running, name="kefu-turn-timer", daemon=True
                )
                self._flusher.start()

    def flush(self) -> None:
        """Add this worker's counted turns to the shared counters; a failing state store keeps
        them for the next flush and never fails a turn."""
        with self._lock:
            counts, sum_us = self._counts, self._sum_us
            self._counts, self._sum_us = [0] * len(counts), 0
        if not sum_us and not any(counts):
            return
        pushed: list[int] = []
        try:
            for index, n in enumerate(counts):
                if n:
                    self.state.add(f"{_PREFIX}:bucket:{index}", n)
                    pushed.append(index)
            self.state.add(f"{_PREFIX}:sum_us", sum_us)
        except Exception:
            log.exception("could not record turn durations; kept for the next flush")
            with self._lock:
                for index, n in enumerate(counts):
                    if index not in pushed:
                        self._counts[index] += n
                self._sum_us += sum_us

    def _flush_while_running(self) -> None:
        while not self._stop.wait(self.flush_every_s):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=self.flush_every_s * 2)
        self.flush()

    def snapshot(self) -> HistogramSnapshot:
        self.flush()  # this worker's own turns are in what it reports
        counts = [
            int(self.state.get(f"{_PREFIX}:bucket:{i}") or 0) for i in range(len(self.buckets) + 1)
        ]
        running = 0
        cumulative: list[tuple[float, int]] = []
        for bound, n in zip((*self.buckets, float("inf")), counts, strict=True):
            running += n
            cumulative.append((bound, running))
        total_us = int(self.state.get(f"{_PREFIX}:sum_us") or 0)
        return HistogramSnapshot(cumulative, running, total_us / _MICROS)
