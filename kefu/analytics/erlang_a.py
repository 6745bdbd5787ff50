"""Erlang A (M/M/n+M): a queue whose customers give up after an exponential patience.

Chat customers leave when the wait drags on, so Erlang C (nobody leaves) overstates the staff a
desk needs at a peak and cannot say how many customers it loses. Servers are seats (agents ×
concurrent chats), as in ``kefu.analytics.staffing``.

The stationary distribution is the birth-death chain's, computed in log space (hundreds of seats
overflow factorials). The service level is the share of all arrivals answered within the target:
an arrival that finds ``q`` waiting ahead of it is served once ``q + 1`` places open up, each at
rate ``n·μ + m·θ`` with ``m`` customers still ahead, while it may itself give up at rate ``θ``;
that probability is computed for every ``q`` at once by uniformization.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TAIL = 1e-12  # queue states less likely than this are dropped


@dataclass(frozen=True, slots=True)
class ErlangA:
    seats: int
    p_wait: float  # share of arrivals that find every seat busy
    p_abandon: float  # share of arrivals that give up before a person answers
    service_level: float  # share of arrivals answered within the target
    average_wait_s: float  # mean wait in the queue of those who wait or give up
    occupancy: float  # busy seats / seats

    def to_dict(self) -> dict[str, float | int]:
        return {
            "seats": self.seats,
            "p_wait": round(self.p_wait, 4),
            "p_abandon": round(self.p_abandon, 4),
            "service_level": round(self.service_level, 4),
            "average_wait_s": round(self.average_wait_s, 1),
            "occupancy": round(self.occupancy, 4),
        }


def _distribution(lam: float, mu: float, theta: float, seats: int) -> np.ndarray:
    """π_k for k = 0..K (people in the system), truncated where the tail is negligible."""
    # beyond the seats the queue shrinks once abandonment outpaces arrivals
    extra = max(50, int(2 * max(0.0, lam - seats * mu) / theta) + 50)
    while True:
        k = np.arange(1, seats + extra + 1, dtype=float)
        rates = np.minimum(k, seats) * mu + np.maximum(k - seats, 0) * theta
        logs = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(rates))))
        probs: np.ndarray = np.exp(logs - logs.max())
        probs /= probs.sum()
        if probs[-1] < TAIL or extra > 1_000_000:
            return probs
        extra *= 2


def _answered_within(
    queue_probs: np.ndarray, seats: int, mu: float, theta: float, target_s: float
) -> float:
    """Σ_q P(q ahead) · P(answered within target_s | q ahead), by uniformization."""
    q_max = len(queue_probs) - 1
    m = np.arange(q_max + 1, dtype=float)
    advance = seats * mu + m * theta  # from m ahead to m - 1 ahead (m = 0: answered)
    uniform = float(advance[-1] + theta)
    step_advance = advance / uniform
    step_stay = 1.0 - (advance + theta) / uniform
    # g[m]: probability of being answered within k uniformized steps from m ahead
    g = np.zeros(q_max + 1)
    mean = uniform * target_s
    steps = int(mean + 8 * math.sqrt(mean) + 20)
    log_weight = -mean  # Poisson(0; mean) in logs: mean may be in the thousands
    answered = 0.0
    for k in range(steps + 1):
        if k > 0:
            ahead = np.concatenate(([1.0], g[:-1]))  # from 0 ahead the next step is answered
            g = step_advance * ahead + step_stay * g
            log_weight += math.log(mean) - math.log(k)
        answered += math.exp(log_weight) * float(queue_probs @ g)
    return answered


def erlang_a(
    arrivals_per_hour: float,
    aht_s: float,
    patience_s: float,
    seats: int,
    target_s: float,
) -> ErlangA:
    """The desk's numbers with ``seats`` seats for this arrival rate, handle time and patience."""
    if arrivals_per_hour < 0 or aht_s <= 0 or patience_s <= 0 or seats < 1 or target_s < 0:
        raise ValueError("arrivals ≥ 0, handle time > 0, patience > 0, seats ≥ 1, target ≥ 0")
    if arrivals_per_hour == 0:
        return ErlangA(seats, 0.0, 0.0, 1.0, 0.0, 0.0)
    lam, mu, theta = arrivals_per_hour / 3600, 1 / aht_s, 1 / patience_s
    probs = _distribution(lam, mu, theta, seats)
    queue = probs[seats:]
    p_wait = float(queue.sum())
    waiting = float(np.arange(len(queue)) @ queue)  # mean queue length
    p_abandon = theta * waiting / lam
    busy = float(np.minimum(np.arange(len(probs)), seats) @ probs)
    served_at_once = 1.0 - p_wait
    level = served_at_once + _answered_within(queue, seats, mu, theta, target_s)
    return ErlangA(
        seats=seats,
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=min(1.0, level),
        average_wait_s=waiting / lam,  # Little's law over every arrival
        occupancy=busy / seats,
    )


def seats_needed(
    arrivals_per_hour: float,
    aht_s: float,
    patience_s: float,
    *,
    target_s: float,
    target_level: float,
    max_abandon: float = 0.05,
    max_occupancy: float = 0.85,
) -> ErlangA:
    """The fewest seats answering ``target_level`` within ``target_s`` with at most
    ``max_abandon`` giving up and occupancy at most ``max_occupancy``."""
    if arrivals_per_hour == 0:
        return erlang_a(0, aht_s, patience_s, 1, target_s)

    def good(n: int) -> tuple[bool, ErlangA]:
        found = erlang_a(arrivals_per_hour, aht_s, patience_s, n, target_s)
        ok = (
            found.service_level >= target_level
            and found.p_abandon <= max_abandon
            and found.occupancy <= max_occupancy
        )
        return ok, found

    # the numbers improve with every seat: double until enough, then bisect
    traffic = arrivals_per_hour * aht_s / 3600
    low, high = 0, max(1, math.ceil(traffic))
    while not good(high)[0]:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if good(middle)[0]:
            high = middle
        else:
            low = middle
    return good(high)[1]
