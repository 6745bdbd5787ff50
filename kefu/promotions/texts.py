"""Customer-facing wording of the engine: templates from data/promotions/, filled with numbers.

Money is shown as the customer would say it (80 not 80.00; 39.50 stays), times in the shop's zone.
The files are read, and a language chosen, by the one text loader of kefu.texts.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kefu.domain.catalog import Product
from kefu.resources import data_path
from kefu.texts.scripts import to_taiwan
from kefu.texts.templates import TextBook, fill, language_trees
from kefu.texts.zone import parse_zone, shop_zone

LANGS = ("zh-CN", "zh-TW", "en")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=16384)
def plain_amount(value: Decimal) -> str:
    """80.00 -> '80', 39.50 -> '39.50': how an amount is said, exact to the cent."""
    cents = value.quantize(Decimal("0.01"))
    return str(cents.quantize(Decimal(1))) if cents == cents.to_integral_value() else str(cents)


@lru_cache(maxsize=4096)
def _fields(template: str) -> frozenset[str]:
    """The names a template fills in: only those facts need formatting (quotes are hot)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Texts:
    """One template file (all languages), in the customer's language by kefu.texts' rule: a
    Chinese ``lang`` falls back to zh-CN, any other to English."""

    def __init__(self, name: str, tz: str | None = None, directory: Path | None = None) -> None:
        directory = directory or data_path("promotions")
        self._book = TextBook(language_trees(directory / name, LANGS))
        # without a zone of its own, times are the shop's (configured at start: kefu.texts.zone)
        self._tz = parse_zone(tz) if tz else None

    @property
    def tz(self) -> ZoneInfo:
        return self._tz or shop_zone()

    def template(self, lang: str, *path: str) -> str:
        return self._book.template(lang, path)

    def money(self, lang: str, value: Decimal) -> str:
        return self.template(lang, "money").format(value=plain_amount(value))

    def label(self, lang: str, key: str, **facts: Any) -> str:
        return fill(self.template(lang, "labels", key), facts)

    def when(self, lang: str, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        return self.label(
            lang,
            "date",
            month=local.month,
            month_en=_MONTHS_EN[local.month - 1],
            day=local.day,
            hm=local.strftime("%H:%M"),
        )

    def render(self, lang: str, path: tuple[str, ...], facts: Mapping[str, Any]) -> str:
        """Fill a template; Decimals become money and datetimes local times."""
        template = self.template(lang, *path)
        shown = {k: self._show(lang, facts[k]) for k in _fields(template) if k in facts}
        return fill(template, shown)

    def _show(self, lang: str, value: Any) -> Any:
        if isinstance(value, Decimal):
            return self.money(lang, value)
        if isinstance(value, datetime):
            return self.when(lang, value)
        return value

    def product_name(self, lang: str, product: Product | None, sku: str) -> str:
        if product is None:
            return sku
        if not lang.startswith("zh"):  # English, and the cross-border languages' English texts
            return product.name_en
        return to_taiwan(product.name_zh) if lang == "zh-TW" else product.name_zh

    def rate_label(self, lang: str, rate: Decimal) -> str:
        """0.5 -> 半价 / half price; 0.8 -> 8折 / at 80% of the price."""
        if rate == Decimal("0.5"):
            return self.label(lang, "half")
        zhe = plain_amount(rate * 10).removesuffix(".00").rstrip("0").rstrip(".")
        pct = plain_amount(rate * 100).removesuffix(".00")
        return self.label(lang, "rate", zhe=zhe, pct=pct)

    def ordinal(self, lang: str, n: int) -> str:
        return self.label(lang, "ordinal", n=n, n_th=ordinal_en(n))

    def threshold_phrase(self, lang: str, threshold: Decimal) -> str:
        if threshold <= 0:
            return self.label(lang, "no_threshold")
        return self.label(lang, "threshold", threshold=self.money(lang, threshold))
