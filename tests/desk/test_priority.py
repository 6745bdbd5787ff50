"""Queue urgency: VIPs and angry or high-value customers first, and nobody waits forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kefu.desk.policy import load_policy
from kefu.desk.priority import effective_priority, urgency, virtual_arrival
from kefu.domain.handoff import HandoffReason, HandoffRequest

POLICY = load_policy().routing
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)


def _request(**kw: object) -> HandoffRequest:
    base: dict[str, object] = {
        "conversation_id": "c1",
        "customer_id": "C1",
        "channel": "web",
        "reason": HandoffReason.ASKED_FOR_HUMAN,
        "lang": "zh-CN",
        "at": NOW,
        "summary": "",
    }
    base.update(kw)
    return HandoffRequest(**base)  # type: ignore[arg-type]


def test_gold_and_platinum_outrank_normal_and_silver_customers() -> None:
    points = {v: urgency(_request(vip=v), POLICY).points for v in POLICY.vip_points}
    assert points["platinum"] > points["gold"] > points["silver"] >= points["normal"]
    assert points["gold"] - points["silver"] >= 20


def test_complaint_anger_and_order_value_raise_priority() -> None:
    plain = urgency(_request(), POLICY).points
    assert urgency(_request(reason=HandoffReason.COMPLAINT), POLICY).points > plain
    assert urgency(_request(anger=0.9), POLICY).points > plain
    rich = urgency(_request(order_value=Decimal("3999.00")), POLICY)
    assert rich.points > plain and "order_value" in rich.because


def test_a_new_vip_goes_before_a_normal_customer_who_just_arrived() -> None:
    normal = virtual_arrival(NOW - timedelta(minutes=2), 0, POLICY)
    gold = virtual_arrival(NOW, urgency(_request(vip="gold"), POLICY).points, POLICY)
    assert gold < normal


def test_a_long_wait_eventually_beats_any_priority() -> None:
    platinum = urgency(_request(vip="platinum", reason=HandoffReason.COMPLAINT), POLICY).points
    waited = timedelta(seconds=(platinum + 1) * POLICY.seconds_per_point)
    assert virtual_arrival(NOW - waited, 0, POLICY) < virtual_arrival(NOW, platinum, POLICY)


@given(
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=10_000),
)
def test_shown_priority_is_points_plus_waiting_time(points: int, waited_s: int) -> None:
    since = NOW - timedelta(seconds=waited_s)
    shown = effective_priority(virtual_arrival(since, points, POLICY), NOW, POLICY)
    assert shown == points + waited_s // int(POLICY.seconds_per_point)
