"""Wait-time promises (data/desk/promises.json): how long each tier may wait for a person, when
a conversation about to break its promise overflows to a broader skill group, and the share of
promises kept.

Pure rules over queue entries and plain numbers; the checks that act on them run as jobs
(``kefu.ops.promises``) and the store measures them (``kefu.store.promises_repo``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kefu.desk.ports import QueueEntry
from kefu.resources import data_path

PROMISES = data_path("desk", "promises.json")
VIP = "vip"
NORMAL = "normal"


@dataclass(frozen=True)
class Promises:
    first_response_s: dict[str, float]  # tier -> seconds
    urgent_ticket_priority: int
    urgent_ticket_first_response_s: float
    overflow_before_s: float
    overflow: dict[str, tuple[str, ...]]  # skill -> broader groups, in order
    vip_levels: tuple[str, ...]

    def tier(self, vip_level: str) -> str:
        return VIP if vip_level in self.vip_levels else NORMAL

    def target_s(self, vip_level: str) -> float:
        return self.first_response_s[self.tier(vip_level)]

    def deadline(self, entry: QueueEntry) -> datetime:
        """When the entry breaks its promise if no agent has taken it."""
        return entry.waiting_since + timedelta(seconds=self.target_s(entry.vip))

    def is_broken(self, entry: QueueEntry, now: datetime) -> bool:
        return now > self.deadline(entry)

    def should_overflow(self, entry: QueueEntry, now: datetime) -> bool:
        """Close enough to the promise that the broader groups should help now."""
        return now >= self.deadline(entry) - timedelta(seconds=self.overflow_before_s)


def load_promises(vip_levels: Iterable[str], path: Path = PROMISES) -> Promises:
    with path.open(encoding="utf-8") as f:
        raw = json.load(f)
    targets = {str(k): float(v) for k, v in raw["first_response_s"].items()}
    if set(targets) != {VIP, NORMAL} or any(v <= 0 for v in targets.values()):
        raise ValueError("promises.json: first_response_s needs positive vip and normal targets")
    return Promises(
        first_response_s=targets,
        urgent_ticket_priority=int(raw["urgent_ticket_priority"]),
        urgent_ticket_first_response_s=float(raw["urgent_ticket_first_response_s"]),
        overflow_before_s=float(raw["overflow_before_s"]),
        overflow={str(k): tuple(v) for k, v in raw["overflow"].items()},
        vip_levels=tuple(vip_levels),
    )


@dataclass(frozen=True, slots=True)
class PromiseKept:
    """Of the decided cases of one tier: how many got a person within the promise."""

    tier: str
    target_s: float
    met: int
    missed: int

    @property
    def share_met(self) -> float | None:
        total = self.met + self.missed
        return round(self.met / total, 4) if total else None

    def to_dict(self) -> dict[str, object]:
        return {
            "tier": self.tier,
            "target_s": self.target_s,
            "met": self.met,
            "missed": self.missed,
            "share_met": self.share_met,
        }


def kept(tier: str, target_s: float, waits: Iterable[tuple[float | None, float]]) -> PromiseKept:
    """``waits``: (seconds until a person took it, or None while nobody has; seconds waited so
    far). Taken in time is met; taken late, or still waiting past the target, is missed; still
    waiting within the target is not decided yet and not counted."""
    met = missed = 0
    for answered_after_s, waited_s in waits:
        if answered_after_s is not None:
            if answered_after_s <= target_s:
                met += 1
            else:
                missed += 1
        elif waited_s > target_s:
            missed += 1
    return PromiseKept(tier, target_s, met, missed)


def by_tier(
    promises: Promises, waits: Mapping[str, list[tuple[float | None, float]]]
) -> list[PromiseKept]:
    return [kept(t, promises.first_response_s[t], waits.get(t, [])) for t in (VIP, NORMAL)]
