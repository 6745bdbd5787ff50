"""Money is Decimal yuan with two places; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: str | int | Decimal) -> Decimal:
    """Parse a yuan amount into a two-place Decimal (rounding half up, as tills do)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_money(value: Decimal) -> str:
    """The contract's wire form: a decimal string with exactly two places."""
    return str(money(value))
