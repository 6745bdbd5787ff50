"""How urgent a handed-off conversation is, and where it stands in the queue as time passes.

A conversation of priority ``p`` is queued as if it had arrived ``p * seconds_per_point`` seconds
before it did (its *virtual arrival*). Ordering by virtual arrival is ordering by
``p + waiting_seconds / seconds_per_point``, so aging needs no recomputation: the order stored in
the database stays right forever, and a long wait eventually beats any priority (nobody starves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kefu.desk.policy import RoutingPolicy
from kefu.domain.handoff import HandoffReason, HandoffRequest


@dataclass(frozen=True, slots=True)
class Urgency:
    points: int
    because: tuple[str, ...]  # e.g. ("vip:gold", "complaint"), shown to agents


def urgency(request: HandoffRequest, policy: RoutingPolicy) -> Urgency:
    """Points from VIP level, complaint or anger, urgency, and the disputed order's value."""
    parts: list[tuple[str, int]] = []
    vip = policy.vip_points.get(request.vip, 0)
    if vip:
        parts.append((f"vip:{request.vip}", vip))
    reason = policy.reason_points.get(request.reason.value, 0)
    if reason:
        parts.append((request.reason.value, reason))
    if request.intent == "complaint" and request.reason is not HandoffReason.COMPLAINT:
        parts.append(("complaint", policy.complaint_intent_points))
    if request.urgent and request.reason is not HandoffReason.URGENT:
        parts.append(("urgent", policy.urgent_points))
    anger = min(1.0, max(0.0, request.anger))
    if request.reason is not HandoffReason.ANGER and anger > 0:
        parts.append(("anger", round(anger * policy.anger_points_max)))
    elif request.sentiment == "negative" and request.reason is not HandoffReason.ANGER:
        parts.append(("negative", policy.negative_sentiment_points))
    value_points = order_value_points(request.order_value, policy)
    if value_points:
        parts.append(("order_value", value_points))
    return Urgency(
        points=sum(p for _, p in parts), because=tuple(name for name, p in parts if p > 0)
    )


def order_value_points(value: Decimal | None, policy: RoutingPolicy) -> int:
    if value is None or value <= 0:
        return 0
    return min(policy.order_value_max_points, int(value // policy.yuan_per_point))


def virtual_arrival(waiting_since: datetime, points: int, policy: RoutingPolicy) -> float:
    """The sort key of the queue: smaller is served first."""
    return waiting_since.timestamp() - points * policy.seconds_per_point


def effective_priority(virtual: float, now: datetime, policy: RoutingPolicy) -> int:
    """Priority points plus the points earned by waiting, as shown in the queue."""
    return int((now.timestamp() - virtual) // policy.seconds_per_point)
