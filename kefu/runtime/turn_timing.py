"""How long turns take, counted in the shared state so every worker adds to one histogram.

A process-local histogram would show each scrape one worker's turns (whichever worker the load
balancer picked); the shared state (Redis in production) holds one count per bucket for all of
them, so a scrape of any worker reads the same, complete numbers.
"""

from __future__ import annotations

import bisect
import logging
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

    def __init__(self, state: SharedState, buckets: tuple[float, ...] = TURN_BUCKETS_S) -> None:
        self.state = state
        self.buckets = buckets

    def observe(self, seconds: float) -> None:
        """Count one turn; a failing state store never fails the turn it measures."""
        index = bisect.bisect_left(self.buckets, seconds)
        try:
            self.state.add(f"{_PREFIX}:bucket:{index}", 1)
            self.state.add(f"{_PREFIX}:sum_us", max(0, round(seconds * _MICROS)))
        except Exception:
            log.exception("could not record a turn's duration")

    def snapshot(self) -> HistogramSnapshot:
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
