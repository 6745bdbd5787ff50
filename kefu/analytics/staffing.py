"""How many agents a volume needs: Erlang C for a queue of conversations waiting for people.

Chat agents serve several conversations at once, so the servers of the queue are *seats*
(agents × concurrent chats) and the agents needed is the seats needed over the concurrency.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def erlang_c(traffic: float, servers: int) -> float:
    """Probability that an arrival has to wait, with ``traffic`` erlangs offered to ``servers``.

    Computed through the Erlang B recursion, which stays stable for hundreds of servers where
    the textbook formula's factorials overflow. 1.0 when the queue is unstable (traffic ≥ servers).
    """
    if traffic < 0 or servers < 0:
        raise ValueError("traffic and servers must not be negative")
    if traffic == 0:
        return 0.0
    if servers <= traffic:
        return 1.0
    blocking = 1.0  # Erlang B with 0 servers
    for n in range(1, servers + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return servers * blocking / (servers - traffic * (1 - blocking))


def service_level(traffic: float, servers: int, aht_s: float, target_s: float) -> float:
    """Share of arrivals answered within ``target_s`` seconds."""
    if traffic == 0:
        return 1.0
    if servers <= traffic:
        return 0.0
    waiting = erlang_c(traffic, servers)
    return 1.0 - waiting * math.exp(-(servers - traffic) * target_s / aht_s)


def average_wait_s(traffic: float, servers: int, aht_s: float) -> float:
    """Mean wait of all arrivals (ASA) in seconds; infinity for an unstable queue."""
    if traffic == 0:
        return 0.0
    if servers <= traffic:
        return math.inf
    return erlang_c(traffic, servers) * aht_s / (servers - traffic)


MAX_TRAFFIC = 20_000.0  # erlangs; keeps one computation in milliseconds


@dataclass(frozen=True, slots=True)
class Staffing:
    arrivals_per_hour: float
    traffic_erlangs: float
    seats: int  # concurrent conversations the desk must hold
    agents: int
    service_level: float
    average_wait_s: float
    occupancy: float

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "arrivals_per_hour": round(self.arrivals_per_hour, 2),
            "traffic_erlangs": round(self.traffic_erlangs, 3),
            "seats": self.seats,
            "agents": self.agents,
            "service_level": round(self.service_level, 4),
            "average_wait_s": None
            if math.isinf(self.average_wait_s)
            else round(self.average_wait_s, 1),
            "occupancy": round(self.occupancy, 4),
        }


def agents_needed(
    arrivals_per_hour: float,
    aht_s: float,
    *,
    target_s: float = 30.0,
    target_level: float = 0.8,
    concurrency: int = 1,
    max_occupancy: float = 0.85,
    limit: int = 1_000_000,
) -> Staffing:
    """The fewest agents that answer ``target_level`` of arrivals within ``target_s`` seconds
    and keep occupancy at most ``max_occupancy`` (people burn out above it)."""
    if arrivals_per_hour < 0 or aht_s <= 0 or concurrency < 1:
        raise ValueError("arrivals must be ≥ 0, handle time > 0 and concurrency ≥ 1")
    if not 0 < target_level < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("target level must be in (0, 1) and occupancy in (0, 1]")
    traffic = arrivals_per_hour * aht_s / 3600
    if traffic > MAX_TRAFFIC:
        raise ValueError(f"more than {MAX_TRAFFIC} erlangs is beyond one desk's planning")
    # occupancy alone needs traffic / max_occupancy seats: start there, not at one
    seats = max(1, math.floor(traffic) + 1, math.ceil(traffic / max_occupancy))
    while seats < limit:
        level = service_level(traffic, seats, aht_s, target_s)
        if level >= target_level and traffic / seats <= max_occupancy:
            break
        seats += 1
    return Staffing(
        arrivals_per_hour=arrivals_per_hour,
        traffic_erlangs=traffic,
        seats=seats,
        agents=math.ceil(seats / concurrency),
        service_level=service_level(traffic, seats, aht_s, target_s),
        average_wait_s=average_wait_s(traffic, seats, aht_s),
        occupancy=traffic / seats if seats else 0.0,
    )


def handle_time_s(
    samples: Sequence[float],
    *,
    floor_s: float = 60.0,
    default_s: float = 240.0,
    trim: float = 0.1,
) -> float:
    """Average handle time from history: the ``trim`` share cut from each end (a chat left open
    overnight, a misclick closed in a second), never below ``floor_s``; ``default_s`` when the
    history has too few conversations to say."""
    values = sorted(s for s in samples if s >= 0 and math.isfinite(s))
    if len(values) < 5:
        return max(floor_s, default_s)
    cut = int(len(values) * trim)
    kept = values[cut : len(values) - cut] or values
    return max(floor_s, sum(kept) / len(kept))
