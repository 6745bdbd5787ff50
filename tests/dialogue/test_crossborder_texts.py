"""Replies of the cross-border languages: their template files, the English fallback that says
so, and times and money in the customer's locale."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from kefu.dialogue.locale import exchange_rates, format_money, format_time
from kefu.dialogue.texts import Templates
from kefu.resources import data_path

CROSS_BORDER = ("ja", "ko", "es", "fr", "de", "ru", "pt", "th", "vi", "id", "ar")
# the routine replies every language must have in its own words
ROUTINE = (
    "order_status.shipped",
    "order_status.paid",
    "logistics.in_transit",
    "logistics.stalled",
    "return.created",
    "return.policy",
    "refund.received",
    "greeting.hello",
    "greeting.thanks",
    "handoff.queued",
    "handoff.offline",
    "fallback",
    "clarify",
)


def _flat(node: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(node, dict):
        out: dict[str, str] = {}
        for k, v in node.items():
            if not k.startswith("_"):
                out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: str(node)}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _load(lang: str) -> dict[str, str]:
    path = data_path("dialogue", f"templates.{lang}.json")
    return _flat(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("lang", CROSS_BORDER)
def test_each_language_says_the_routine_replies_with_the_same_facts_as_english(lang: str) -> None:
    own, english = _load(lang), _load("en")
    assert own.get("fallback_note")
    missing = [key for key in ROUTINE if key not in own]
    assert missing == []
    for key, text in own.items():
        if key == "fallback_note":
            continue
        assert key in english, f"{lang}: {key} is not an English key"
        assert _fields(text) == _fields(english[key]), f"{lang}: {key}"


def test_a_missing_reply_is_english_introduced_by_the_languages_note() -> None:
    templates = Templates()
    assert set(CROSS_BORDER) <= set(templates.languages)
    said = templates.say("de", "invoice.need_name")
    assert said.startswith("(Entschuldigung, diese Antwort gibt es nur auf Englisch.) ")
    assert said.endswith(templates.render("en", "invoice.need_name"))
    # fragments inside a sentence (a carrier's name) carry no note
    assert templates.render("de", "courier.SF") == "SF Express"
    # a language with its own reply, and the shop's languages, never get the note
    assert templates.say("de", "greeting.hello").startswith("Hallo")
    assert templates.say("en", "greeting.hello") == templates.render("en", "greeting.hello")


def test_times_are_in_the_customers_zone_and_named() -> None:
    at = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert format_time(at, "ja", "Asia/Tokyo").startswith("12月2日 0:30")
    assert "日本" in format_time(at, "ja", "Asia/Tokyo")
    assert format_time(at, "es", "America/Mexico_City").startswith("1 dic 9:30")
    # no zone in the profile: the shop's zone and formats, as before
    assert format_time(at, "zh-CN") == "12月01日 23:30"
    assert format_time(at, "en") == "Dec 01 23:30"
    # an unknown zone name is the shop's, never an error
    assert format_time(at, "en", "Mars/Olympus") == "Dec 01 23:30"


def test_money_stays_in_the_shops_currency_with_an_approximate_local_amount() -> None:
    rate = exchange_rates().rates["EUR"]
    approx = (Decimal("899.00") * rate).quantize(Decimal("1"))
    spanish = format_money(Decimal("899.00"), "es", "EUR")
    assert spanish.startswith("899,00")
    assert re.search(rf"≈ {approx}\s€", spanish)
    assert format_money(Decimal("899.00"), "en") == "899.00"
    # a currency the shop set no rate for: the shop's amount only
    assert "≈" not in format_money(Decimal("10"), "fr", "CHF")
