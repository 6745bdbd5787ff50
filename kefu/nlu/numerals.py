"""Chinese numerals as customers write them: 两, 十五, 二百五十, 一百五 (=150), 3千."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
DIGITS |= {"八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def parse_chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral string, or None when it is not one."""
    if not text or any(ch not in DIGITS and ch not in UNITS and not ch.isdigit() for ch in text):
        return None
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    last_unit = 1
    for ch in text:
        if ch.isdigit():
            digit = (digit or 0) * 10 + int(ch)
        elif ch in DIGITS:
            digit = DIGITS[ch]
            if digit == 0:
                last_unit = 1  # "一百零五": after 零 the digit is units
        else:
            unit = UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
            last_unit = unit
    if digit is not None:
        # "一百五" means 150: a trailing digit takes the next lower unit.
        section += digit * (last_unit // 10 if last_unit >= 100 else 1)
    return total + section
