"""Demo times written as offsets from the load moment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kefu.promotions.timespec import parse_offset, resolve_time
from tests.promotions.conftest import NOW


@pytest.mark.parametrize(
    ("spec", "delta"),
    [
        ("-2d", timedelta(days=-2)),
        ("-2d+10m", timedelta(days=-2, minutes=10)),
        ("-1d12h", timedelta(days=-1, hours=-12)),
        ("+1d", timedelta(days=1)),
        ("now", timedelta(0)),
    ],
)
def test_offsets_are_read_term_by_term(spec: str, delta: timedelta) -> None:
    assert parse_offset(spec) == delta


def test_iso_times_with_a_zone_are_accepted_and_naive_ones_refused() -> None:
    assert resolve_time("2026-11-11T00:00:00+08:00", NOW).hour == 16
    with pytest.raises(ValueError, match="zone"):
        resolve_time("2026-11-11T00:00:00", NOW)
    with pytest.raises(ValueError):
        resolve_time("-2x", NOW)
