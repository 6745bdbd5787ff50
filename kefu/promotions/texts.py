"""Customer-facing wording of the engine: templates from data/promotions/, filled with numbers.

Money is shown as the customer would say it (80 not 80.00; 39.50 stays), times in the shop's zone.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import opencc

from kefu.domain.catalog import Product

TEXT_DIR = Path(__file__).resolve().parents[2] / "data" / "promotions"
LANGS = ("zh-CN", "zh-TW", "en")
DEFAULT_LANG = "zh-CN"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=1)
def _to_taiwan() -> opencc.OpenCC:
    return opencc.OpenCC("s2twp")


@lru_cache(maxsize=4096)
def taiwan_text(text: str) -> str:
    """Simplified Chinese catalogue text in Taiwan's characters and phrasing."""
    return str(_to_taiwan().convert(text))


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
    """One template file (all languages); an unknown Chinese ``lang`` falls back to zh-CN, any
    other to English."""

    def __init__(self, name: str, tz: str = "Asia/Shanghai", directory: Path = TEXT_DIR) -> None:
        raw = json.loads((directory / name).read_text(encoding="utf-8"))
        self._by_lang: dict[str, dict[str, Any]] = {k: v for k, v in raw.items() if k in LANGS}
        self.tz = ZoneInfo(tz)
        self._templates: dict[tuple[str, tuple[str, ...]], str] = {}

    def table(self, lang: str) -> dict[str, Any]:
        # a cross-border customer reads the English texts (the dialogue says they are English)
        fallback = DEFAULT_LANG if lang.startswith("zh") else "en"
        return self._by_lang.get(lang) or self._by_lang.get(fallback) or self._by_lang[DEFAULT_LANG]

    def template(self, lang: str, *path: str) -> str:
        found = self._templates.get((lang, path))
        if found is None:
            node: Any = self.table(lang)
            for key in path:
                node = node[key]
            found = self._templates[(lang, path)] = str(node)
        return found

    def money(self, lang: str, value: Decimal) -> str:
        return self.template(lang, "money").format(value=plain_amount(value))

    def label(self, lang: str, key: str, **facts: Any) -> str:
        return self.template(lang, "labels", key).format(**facts)

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
        return template.format(**shown)

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
        return taiwan_text(product.name_zh) if lang == "zh-TW" else product.name_zh

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
