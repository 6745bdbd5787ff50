"""Entities of contract section 2 from normalized text: ids, phone, amount, quantity, size, date.

Patterns run on the normalized text (half-width, lower-case, simplified); identifiers are found
first and masked so their digits are not read again as an amount or a quantity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from kefu.nlu.dates import find_date
from kefu.nlu.lexicon import load_json
from kefu.nlu.numerals import NUMERAL_CHARS, parse_chinese_number

_ORDER_ID = re.compile(r"(?<![a-z0-9])e\d{13}(?!\d)")
_SKU = re.compile(r"(?<![a-z0-9])p\d{4}(?![\d])")
_COUPON = re.compile(r"(?<![a-z0-9])cpn-[a-z0-9]+(?:-[a-z0-9]+)*")
_PHONE_CN = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
_PHONE_HK = re.compile(r"(?<!\d)\+?852[\s-]?([2-9]\d{3}[\s-]?\d{4})(?!\d)")
_PHONE_TW = re.compile(r"(?<!\d)(?:\+?886[\s-]?|0)(9\d{2}[\s-]?\d{3}[\s-]?\d{3})(?!\d)")
_NUM = r"(\d+(?:\.\d{1,2})?)"
_ZH_NUM = rf"([{NUMERAL_CHARS}]+)"
_AMOUNT_PATTERNS = (
    re.compile(rf"(?:¥|\$|rmb|cny|usd|hk\$|nt\$)\s*{_NUM}"),
    re.compile(rf"{_NUM}\s*(?:元|块钱|块|圆|rmb|yuan|cny|dollars?|bucks|刀)(?![a-z])"),
    re.compile(rf"{_ZH_NUM}\s*(?:元|块钱|块)"),
    re.compile(
        rf"(?:满|减|差价|便宜了?|降了?|贵了?|补|花了?|付了?|退了?|spend|save|over)\s*{_NUM}(?![\d%折件个单天号日月w])"
    ),
)
_QTY_EN = re.compile(
    r"(?:(?<=\s)|^)[x×*]\s?(\d{1,3})(?![\d.])|(?<![a-z\d])(\d{1,3})\s?[x×](?![a-z\d])"
)
_EXCLUDE_AFTER_UNIT = ("月", "小时", "星期", "礼拜", "工作日", "问题", "人", "事")
_SIZE_CONTEXT = re.compile(r"(?<![a-z0-9])((?:[2-5]?x{1,3}|x{0,3})[sml])(?![a-z0-9])")
_SIZE_CUE_BEFORE = re.compile(
    r"(size|尺码|码数|换成|换|换个|要|穿|拿|选|买|拍|是|有|(?<![a-z])(?:in|an|a|the|for|to))\s*$"
)
_SIZE_TARGET = re.compile(
    r"(换成|换个|换|改成|改|要|to|for|into)\s*(?:an?\s+|the\s+)?(?:size\s*)?$"
)
_SIZE_CUE_AFTER = re.compile(r"^\s*(码|号|size|的|尺码|吗|还有|有货|偏|太|适合|大|小)")


@dataclass(frozen=True, slots=True)
class _Rules:
    tracking: re.Pattern[str]
    amounts: tuple[re.Pattern[str], ...]
    units_zh: str
    qty_en: re.Pattern[str]
    number_words: dict[str, int]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = load_json("entities.json")
    prefixes = sorted((p.lower() for p in raw["courier_prefixes"]), key=len, reverse=True)
    shapes = [
        rf"(?:{'|'.join(prefixes)})\d{{8,15}}(?!\d)",
        *(f"{shape}(?![a-z0-9])" for shape in raw.get("tracking_formats", [])),
    ]
    tracking = re.compile(rf"(?<![a-z0-9])(?:{'|'.join(shapes)})")
    signs = "|".join(re.escape(s) for s in sorted(raw.get("amount_prefixes", []), key=len)[::-1])
    units = "|".join(sorted(raw.get("amount_units", []), key=len, reverse=True))
    amounts = list(_AMOUNT_PATTERNS)
    if signs:
        amounts.append(re.compile(rf"(?<![a-z])(?:{signs})\s*{_NUM}"))
    if units:
        # "1 500 €", "1.500 euros", "3000円": thousands written with a space or a dot
        amounts.append(re.compile(rf"{_NUM}\s*(?:{units})(?![a-z\u0e00-\u0e7f])"))
    units_en = "|".join(sorted(raw["quantity_units_en"], key=len, reverse=True))
    words = dict(raw["number_words_en"])
    word_alt = "|".join(sorted(words, key=len, reverse=True))
    qty_en = re.compile(rf"(?<![a-z\d.])(\d{{1,3}}|{word_alt})\s*(?:{units_en})(?![a-z])")
    return _Rules(tracking, tuple(amounts), raw["quantity_units_zh"], qty_en, words)


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + "#" * (end - start) + text[end:]


def _money(value: str) -> str | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if amount <= 0:
        return None
    return str(amount.quantize(Decimal("0.01")))


def extract_entities(
    text: str, today: date, product_spans: Sequence[tuple[int, int]] = ()
) -> dict[str, Any]:
    """Contract entity keys found in normalized `text` (first occurrence of each)."""
    rules = _rules()
    found: dict[str, Any] = {}
    masked = text
    for key, pattern in (
        ("order_id", _ORDER_ID),
        ("coupon_id", _COUPON),
        ("tracking_no", rules.tracking),
        ("sku", _SKU),
    ):
        for m in pattern.finditer(masked):
            found.setdefault(key, m.group().upper())
            masked = _mask(masked, m.start(), m.end())
    for pattern, prefix in ((_PHONE_HK, "+852"), (_PHONE_TW, "+886"), (_PHONE_CN, "")):
        for m in pattern.finditer(masked):
            found.setdefault("phone", prefix + re.sub(r"[\s-]", "", m.group(1)))
            masked = _mask(masked, m.start(), m.end())
    dated = find_date(masked, today)
    if dated:
        found["date"] = dated[1]
    for start, end in product_spans:
        masked = _mask(masked, start, end)
    amount = _amount(masked, rules.amounts)
    if amount:
        found["amount"] = amount
    quantity = _quantity(masked, rules)
    if quantity:
        found["quantity"] = quantity
    size = _size(masked)
    if size:
        found["size"] = size
    return found


def _amount(text: str, patterns: Sequence[re.Pattern[str]]) -> str | None:
    best: tuple[int, str] | None = None
    for pattern in patterns:
        for m in pattern.finditer(text):
            raw = m.group(1)
            value = raw if raw[0].isdigit() else str(parse_chinese_number(raw) or "")
            money = _money(value) if value else None
            if money and (best is None or m.start() < best[0]):
                best = (m.start(), money)
            break
    return best[1] if best else None


def _quantity(text: str, rules: _Rules) -> int | None:
    zh = re.compile(
        rf"(?<![第\d.{NUMERAL_CHARS}])(\d{{1,3}}|[{NUMERAL_CHARS}]{{1,3}})\s*([{rules.units_zh}])"
    )
    for m in zh.finditer(text):
        after = text[m.end() : m.end() + 3]
        if any(after.startswith(w) for w in _EXCLUDE_AFTER_UNIT):
            continue
        value = parse_chinese_number(m.group(1))
        # 一个/一件 is mostly an article ("有一个问题"); count it only after a buying verb.
        if value == 1 and not re.search(r"(买|要|拍|来|订|只|buy)\s*$", text[: m.start()]):
            continue
        if value and 0 < value < 1000:
            return value
    en = rules.qty_en.search(text)
    if en:
        raw = en.group(1)
        return int(raw) if raw.isdigit() else rules.number_words[raw]
    times = _QTY_EN.search(text)
    if times:
        return int(times.group(1) or times.group(2))
    return None


def _size(text: str) -> str | None:
    """The size the customer names; in "L码小了换XL" the one asked for (after 换/to) wins."""
    has_han = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    candidates: list[tuple[bool, str]] = []
    for m in _SIZE_CONTEXT.finditer(text):
        size = m.group(1)
        before, after = text[: m.start()], text[m.end() :]
        cue_before = _SIZE_CUE_BEFORE.search(before)
        explicit = len(size) > 1 or cue_before or _SIZE_CUE_AFTER.match(after)
        # A lone letter between Chinese characters ("L的还有吗") is a size; in English it is not.
        lone_in_zh = (
            has_han and not re.search(r"[a-z]\s*$", before) and not re.match(r"^\s*[a-z]", after)
        )
        if size in ("s", "m") and not has_han and not cue_before:
            continue
        if explicit or lone_in_zh:
            candidates.append((bool(_SIZE_TARGET.search(before)), size.upper()))
    if not candidates:
        return None
    targets = [size for is_target, size in candidates if is_target]
    return targets[-1] if targets else candidates[0][1]
