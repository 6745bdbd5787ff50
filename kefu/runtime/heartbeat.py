"""Liveness of background runners, seen by every worker through the shared state.

The job runner beats after each round; readiness reports how long ago the last beat was, so a
dead runner shows on the health check of any worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kefu.runtime.shared import SharedState

JOBS = "jobs"
# a beat older than this says the runner stopped (rounds run every few seconds to a minute)
STALE_AFTER_S = 300.0


def beat(state: SharedState, runner: str, now: datetime) -> None:
    state.set(f"heartbeat:{runner}", now.astimezone(UTC).isoformat(), ttl_s=24 * 3600)


def seconds_since_beat(state: SharedState, runner: str, now: datetime) -> float | None:
    """Seconds since the runner's last beat; None when it never beat (or not for a day)."""
    last = state.get(f"heartbeat:{runner}")
    if last is None:
        return None
    return max(0.0, (now - datetime.fromisoformat(last)).total_seconds())
