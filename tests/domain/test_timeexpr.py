from datetime import timedelta

import pytest

from kefu.domain.timeexpr import parse_offset


@pytest.mark.parametrize(
    ("expr", "delta"),
    [
        ("now-3d", timedelta(days=-3)),
        ("-1d12h", -timedelta(days=1, hours=12)),
        ("now-2d+10m", timedelta(days=-2, minutes=10)),
        ("+21h", timedelta(hours=21)),
        ("now", timedelta()),
    ],
)
def test_offsets_resolve_like_the_seed_means_them(expr: str, delta: timedelta) -> None:
    assert parse_offset(expr) == delta


@pytest.mark.parametrize("expr", ["tomorrow", "-3x", "3d-"])
def test_bad_offsets_are_rejected(expr: str) -> None:
    with pytest.raises(ValueError):
        parse_offset(expr)
