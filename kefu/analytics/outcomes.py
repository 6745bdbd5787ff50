"""True service outcomes per conversation, and the numbers a manager steers by.

Each conversation is reduced to what happened in it (``ConversationOutcome``); the definitions
below are the only place the numbers are decided, and ``DEFINITIONS`` says them in words next
to the numbers on the dashboard.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

REPEAT_WINDOW = timedelta(hours=24)
# the same need again this long after first asking it, in the same conversation, is a repeat:
# a slot-filling exchange is over in minutes, a customer coming back with the question is not
RETURN_GAP = timedelta(minutes=10)
# intents that are not a need of their own: a greeting or "a person please" repeats nothing
NOT_A_NEED = frozenset({"greeting", "other", "human_agent"})
NEGATIVE_SCORE = 2  # a rating of 1 or 2 out of 5


@dataclass(frozen=True, slots=True)
class ConversationOutcome:
    id: str
    customer_id: str
    started_at: datetime
    last_at: datetime
    needs: frozenset[str]  # intents of the customer's messages, minus NOT_A_NEED
    handed_off: bool
    fallback: bool  # the bot did not understand, or ended on a turn it could not resolve
    closed_by_agent: bool
    complaint: bool  # a complaint intent or a complaint handoff
    returned: frozenset[str] = frozenset()  # needs asked again RETURN_GAP or more later
    score: int | None = None  # the customer's rating, 1-5
    first_response_s: float | None = None  # first customer message to first real answer
    side: str | None = None  # rollout side
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Judged:
    outcome: ConversationOutcome
    repeated: bool  # the customer asked the same need again within 24 h after it

    @property
    def negative(self) -> bool:
        return self.outcome.score is not None and self.outcome.score <= NEGATIVE_SCORE

    @property
    def bot_resolved(self) -> bool:
        o = self.outcome
        return not (o.handed_off or o.fallback or self.repeated or self.negative)

    @property
    def agent_resolved(self) -> bool:
        o = self.outcome
        return o.handed_off and o.closed_by_agent and not self.repeated and not self.negative

    @property
    def resolved(self) -> bool:
        return self.bot_resolved or self.agent_resolved


def judge(
    outcomes: Sequence[ConversationOutcome], later: Iterable[ConversationOutcome] = ()
) -> list[Judged]:
    """Mark repeats: a need asked again in the same conversation ``RETURN_GAP`` or more later,
    or a later conversation of the same customer, started within 24 h of this one's last
    message, asking one of the same needs. ``later`` adds conversations after the window (a
    repeat the day after still counts against the window's conversation)."""
    by_customer: dict[str, list[ConversationOutcome]] = defaultdict(list)
    for o in [*outcomes, *later]:
        by_customer[o.customer_id].append(o)
    judged = []
    for o in outcomes:
        repeated = bool(o.returned) or any(
            other.id != o.id
            and o.last_at <= other.started_at <= o.last_at + REPEAT_WINDOW
            and bool(o.needs & other.needs)
            for other in by_customer[o.customer_id]
        )
        judged.append(Judged(o, repeated))
    return judged


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None
    n: int

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "value": _round(self.value),
            "low": _round(self.low),
            "high": _round(self.high),
            "n": self.n,
        }


Z95 = 1.959964


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def wilson(successes: int, n: int) -> Interval:
    """A proportion with its 95% Wilson interval (sound for small samples and 0% or 100%)."""
    if n == 0:
        return Interval(None, None, None, 0)
    p = successes / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mean_interval(values: Sequence[float]) -> Interval:
    """A mean with its 95% normal-approximation interval."""
    n = len(values)
    if n == 0:
        return Interval(None, None, None, 0)
    mean = sum(values) / n
    if n == 1:
        return Interval(mean, None, None, 1)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = Z95 * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def difference(a: Interval, b: Interval) -> Interval:
    """a - b with a 95% interval from the two intervals' half-widths (independent samples)."""
    if a.value is None or b.value is None or a.low is None or b.low is None:
        return Interval(None, None, None, a.n + b.n)
    assert a.high is not None and b.high is not None
    half_a = (a.high - a.low) / 2
    half_b = (b.high - b.low) / 2
    half = math.sqrt(half_a**2 + half_b**2)
    d = a.value - b.value
    return Interval(d, d - half, d + half, a.n + b.n)


@dataclass(frozen=True)
class Reviews:
    reviewed: int = 0
    needless: int = 0


def headline(judged: Sequence[Judged], reviews: Reviews = Reviews()) -> dict[str, object]:
    """The true metrics of a window's conversations."""
    n = len(judged)
    contained = sum(1 for j in judged if not j.outcome.handed_off)
    rated = [j for j in judged if j.outcome.score is not None]
    return {
        "conversations": n,
        "bot_resolution_rate": share(sum(1 for j in judged if j.bot_resolved), n),
        "first_contact_resolution": share(sum(1 for j in judged if j.resolved), n),
        "containment_rate": share(contained, n),
        "complaint_rate": share(sum(1 for j in judged if j.outcome.complaint), n),
        "repeat_rate": share(sum(1 for j in judged if j.repeated), n),
        "fallback_rate": share(sum(1 for j in judged if j.outcome.fallback), n),
        "negative_rating_rate": share(sum(1 for j in judged if j.negative), len(rated)),
        "handoff_precision": share(reviews.reviewed - reviews.needless, reviews.reviewed),
        "handoffs_reviewed": reviews.reviewed,
    }


def compare_sides(judged: Sequence[Judged]) -> dict[str, object]:
    """The rollout's two sides side by side, each number with its 95% interval, and the
    difference AI minus people."""
    sides: dict[str, list[Judged]] = {"ai": [], "people": []}
    for j in judged:
        if j.outcome.side in sides:
            sides[j.outcome.side].append(j)

    def numbers(items: list[Judged]) -> dict[str, Interval]:
        rated = [j for j in items if j.outcome.score is not None]
        return {
            "resolution": wilson(sum(1 for j in items if j.resolved), len(items)),
            "handoff_rate": wilson(sum(1 for j in items if j.outcome.handed_off), len(items)),
            "csat": wilson(sum(1 for j in rated if (j.outcome.score or 0) >= 4), len(rated)),
            "first_response_s": mean_interval(
                [
                    j.outcome.first_response_s
                    for j in items
                    if j.outcome.first_response_s is not None
                ]
            ),
        }

    ai, people = numbers(sides["ai"]), numbers(sides["people"])
    return {
        "ai": {"conversations": len(sides["ai"]), **{k: v.to_dict() for k, v in ai.items()}},
        "people": {
            "conversations": len(sides["people"]),
            **{k: v.to_dict() for k, v in people.items()},
        },
        "ai_minus_people": {k: difference(ai[k], people[k]).to_dict() for k in ai},
    }


@dataclass(frozen=True)
class AgentFigures:
    agent_id: str
    handled: int = 0
    resolved: int = 0
    first_response_s: list[float] = field(default_factory=list)
    handle_s: list[float] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        def mean(values: Sequence[float]) -> float | None:
            return round(sum(values) / len(values), 1) if values else None

        return {
            "agent_id": self.agent_id,
            "handled": self.handled,
            "resolution_rate": share(self.resolved, self.handled),
            "first_response_s": mean(self.first_response_s),
            "handle_time_s": mean(self.handle_s),
            "csat": share(sum(1 for s in self.scores if s >= 4), len(self.scores)),
            "ratings": len(self.scores),
        }


DEFINITIONS = {
    "bot_resolution_rate": "Conversations the bot finished with the need met: never handed to a "
    "person, no 'I did not understand' reply and not ending on a turn the bot could not "
    "resolve (a refusal, a fallback answer), the customer did not ask the same thing again "
    "within 24 hours, and no rating of 1 or 2. Out of conversations with a customer message.",
    "first_contact_resolution": "Conversations resolved in that one contact, by the bot (as "
    "above) or by an agent who closed it, with no repeat of the need within 24 hours and no "
    "rating of 1 or 2.",
    "containment_rate": "Conversations never handed to a person, answered well or not.",
    "complaint_rate": "Conversations with a complaint (the customer's intent or the handoff "
    "reason).",
    "repeat_rate": "Conversations whose need the same customer raised again within 24 hours.",
    "handoff_precision": "Of the handoffs agents reviewed, the share they did not mark as "
    "needless (the bot could have answered).",
    "ticket_sla_compliance": "Tickets due in the window resolved before their SLA deadline, out "
    "of those resolved or overdue.",
    "ticket_field_completeness": "Average share of the required fields filled in tickets the "
    "bot opened.",
    "rollout": "Each side's numbers with 95% intervals (Wilson for shares, normal for means); "
    "first response is the first real answer (bot answer or agent message), not the 'a person "
    "is coming' notice.",
    "per_agent": "Per agent, conversations they closed: first response from accepting to their "
    "first message, handle time from accept to close, resolution as first-contact resolution, "
    "CSAT as ratings of 4 or 5.",
}
