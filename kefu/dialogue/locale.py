"""The customer's locale in replies: times in their zone, money in the shop's currency with an
approximate amount in theirs, dates and numbers written the way their language writes them.

Chinese and English replies keep the formats the shop has always used unless the customer's
profile names a zone or currency of its own; the cross-border languages are formatted by Babel
(CLDR data, offline).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, get_timezone_name
from babel.dates import format_time as babel_clock
from babel.numbers import format_currency

from kefu.resources import data_path
from kefu.texts.zone import shop_zone

log = logging.getLogger(__name__)

_SHOP_LANGS = ("zh-CN", "zh-TW", "en")


@dataclass(frozen=True, slots=True)
class ExchangeRates:
    shop_currency: str
    rates: dict[str, Decimal]  # units of a currency one unit of the shop's currency buys

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        rate = self.rates.get(currency.upper())
        return None if rate is None else amount * rate


@lru_cache(maxsize=1)
def exchange_rates() -> ExchangeRates:
    raw = json.loads(data_path("commerce", "exchange_rates.json").read_text(encoding="utf-8"))
    return ExchangeRates(
        raw["shop_currency"], {c.upper(): Decimal(str(r)) for c, r in raw["rates"].items()}
    )


def zone(name: str | None) -> ZoneInfo:
    """The customer's zone; the shop's when none is set or the name is unknown."""
    return (_named_zone(name) if name else None) or shop_zone()


@lru_cache(maxsize=64)
def _named_zone(name: str) -> ZoneInfo | None:
    # the shop's zone is looked up on every call, not remembered here: it is configured at start
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        log.warning("unknown time zone %r; using the shop's", name)
        return None


@lru_cache(maxsize=32)
def babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_time(at: datetime, lang: str, timezone: str | None = None) -> str:
    """A moment as the customer reads it, in their zone (named when it is not the shop's)."""
    tz = zone(timezone)
    shop = shop_zone()
    local = at.astimezone(tz)
    if lang in _SHOP_LANGS:
        text = local.strftime("%b %d %H:%M" if lang == "en" else "%m月%d日 %H:%M")
    else:
        loc = babel_locale(lang)
        day = format_skeleton("MMMd", local, locale=loc)
        text = f"{day} {babel_clock(local, 'short', locale=loc)}"
    if tz.key != shop.key:
        text += f" ({get_timezone_name(local, 'long', locale=babel_locale(lang))})"
    return text


MONEY_FACTS = frozenset({"amount", "total", "balance", "current", "paid"})


def is_local(lang: str, currency: str | None) -> bool:
    """True when money and times are written as the shop always has (no conversion)."""
    return lang in _SHOP_LANGS and not currency


def format_money(amount: Decimal, lang: str, currency: str | None = None) -> str:
    """The shop's amount, plus "≈" the customer's currency at the shop's rate when it differs.

    Chinese and English keep the plain "599.00" the templates put their own currency words
    around; other languages get the currency written their way ("CN¥599.00", "599,00 CN¥").
    """
    rates = exchange_rates()
    shop = rates.shop_currency
    if lang in _SHOP_LANGS:
        text = str(amount.quantize(Decimal("0.01")))
    else:
        text = format_currency(amount, shop, locale=babel_locale(lang))
    if currency and currency.upper() != shop:
        converted = rates.convert(amount, currency)
        if converted is not None:
            rounded = converted.quantize(Decimal("1"), ROUND_HALF_UP)
            loc = babel_locale(lang)
            # an approximation has no cents: the locale's own pattern without its decimals
            pattern = re.sub(r"\.0+", "", loc.currency_formats["standard"].pattern)
            local = format_currency(
                rounded, currency.upper(), format=pattern, locale=loc, currency_digits=False
            )
            text += f" (≈ {local})"
    return text
