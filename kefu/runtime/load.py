"""Admission control: how much bot work one worker has in hand, and when to say "later".

A turn is CPU work; one worker answers one turn at a time on its core however many threads wait.
When the turns in hand would take longer than the latency budget to clear, a new message gets a
503 with Retry-After before anything of it is stored (so no acknowledged message is ever lost),
and before that point optional work is shed first: ``overloaded`` turns true at half the budget,
and the parts that can degrade (dense retrieval, later the LLM) ask it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kefu.domain.errors import ServiceBusy

# the first turns of a new worker are slower (caches cold): start from a pessimistic estimate
_START_TURN_S = 0.01
_ALPHA = 0.05  # weight of the newest turn in the moving average of turn time


class Overloaded(ServiceBusy):
    code = "overloaded"


class Load:
    """Turns in hand and their moving-average cost, per worker process."""

    def __init__(self, budget_s: float = 0.5, max_in_flight: int = 256) -> None:
        self.budget_s = budget_s
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        self.turn_s = _START_TURN_S
        self.rejected = 0
        self._lock = threading.Lock()

    def backlog_s(self) -> float:
        """How long the turns in hand take to clear, by the recent cost of a turn."""
        return self.in_flight * self.turn_s

    def overloaded(self) -> bool:
        """Optional work should step aside (half the budget is used by the backlog)."""
        return self.backlog_s() > self.budget_s / 2

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold a place for one turn, or raise Overloaded before anything is done."""
        with self._lock:
            if self.in_flight >= self.max_in_flight or self.backlog_s() > self.budget_s:
                self.rejected += 1
                raise Overloaded("kefu is answering many customers right now; please retry")
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    @contextmanager
    def measure(self) -> Iterator[None]:
        """Around the turn itself, in its thread: its CPU time, not its wait for the core."""
        started = time.thread_time()
        try:
            yield
        finally:
            took = time.thread_time() - started
            with self._lock:
                # one turn counts at most twice the current estimate: a cold path (a model or an
                # index loading on first use, a second of CPU once) must not make the worker shed
                # its customers for the next hundred turns, while turns that really got slower
                # still raise the estimate by 5% each
                took = min(took, 2 * max(self.turn_s, _START_TURN_S))
                self.turn_s += _ALPHA * (took - self.turn_s)
