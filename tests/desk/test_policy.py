"""Service hours and SLA due times from data/desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kefu.desk.policy import load_policy
from kefu.domain.desk import TicketKind

POLICY = load_policy()


def test_agents_work_nine_to_midnight_beijing_time() -> None:
    # 00:30 UTC is 08:30 in Beijing; 02:00 UTC is 10:00
    assert not POLICY.hours.is_open(datetime(2026, 11, 1, 0, 30, tzinfo=UTC))
    assert POLICY.hours.is_open(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    assert POLICY.hours.is_open(datetime(2026, 11, 1, 15, 59, tzinfo=UTC))  # 23:59


def test_agents_work_around_the_clock_in_the_campaigns_last_three_days() -> None:
    ends = datetime(2026, 11, 12, 16, 0, tzinfo=UTC)
    night = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)  # 08:30 Beijing, a day before the end
    assert POLICY.hours.is_open(night, campaign_ends=ends)
    assert not POLICY.hours.is_open(night - timedelta(days=5), campaign_ends=ends)


def test_every_ticket_kind_has_an_sla_and_vips_get_it_sooner() -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for kind in TicketKind:
        normal = POLICY.sla.due_at(kind, at, vip=False)
        assert at < POLICY.sla.due_at(kind, at, vip=True) < normal
