"""Personal data and credentials never reach a log line.

Masks, in a record's message and in every argument (so ``log.info("%s", phone)`` is covered as
well as an f-string): phone numbers (mainland, Hong Kong, Taiwan, international), ID numbers
(mainland, Hong Kong, Taiwan), street addresses (Chinese and English), customer and agent tokens,
bearer headers and signed query strings (``signature=``, ``token=``...). Masking keeps enough to
tell values apart while debugging (a phone's last four digits), never enough to use them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]

# not in the middle of a longer number or of an id like a request id or a tracking number
_D = r"(?<![A-Za-z\d])"
_END = r"(?![A-Za-z\d])"

_RULES: list[Rule] = [
    # credentials first: their base64 could otherwise look like anything below
    (re.compile(r"(?i)\bbearer\s+[\w\-.~+/=]+"), "Bearer ***"),
    (re.compile(r"\bc1\.[\w\-]+\.\d+\.[\w\-]+"), "c1.***"),  # customer token
    (re.compile(r"\bv1\.[\w\-]{8,}\.[\w\-]{8,}"), "v1.***"),  # agent token
    (
        re.compile(
            r"(?i)\b(signature|msg_signature|token|access_token|echostr|nonce|password|secret)"
            r"=[^&\s\"']*"
        ),
        r"\1=***",
    ),
    # ID numbers: mainland (18 or 15 digits), Taiwan (letter + 1/2 + 8), Hong Kong (A123456(7))
    (re.compile(_D + r"\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]" + _END), "[ID]"),
    (re.compile(r"(?<![A-Za-z\d])[A-Z][12]\d{8}" + _END), "[ID]"),
    (re.compile(r"(?<![A-Za-z\d])[A-Z]{1,2}\d{6}\([0-9A]\)"), "[ID]"),
    # phones: international with +, then the local forms
    (
        re.compile(r"\+\d{1,3}[\s\-]?(?:\(?\d{1,4}\)?[\s\-]?){1,4}\d{2,4}" + _END),
        lambda m: _keep_last4(m.group(0)),
    ),
    (
        re.compile(_D + r"1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}" + _END),
        lambda m: _keep_last4(m.group(0)),
    ),
    (re.compile(_D + r"09\d{2}[\s\-]?\d{3}[\s\-]?\d{3}" + _END), lambda m: _keep_last4(m.group(0))),
    (re.compile(_D + r"[569]\d{3}[\s\-]?\d{4}" + _END), lambda m: _keep_last4(m.group(0))),
    (re.compile(_D + r"0\d{2,3}-\d{7,8}" + _END), lambda m: _keep_last4(m.group(0))),
    # addresses: a Chinese street address, an English "12 Queen's Road"
    (
        re.compile(
            r"[\u4e00-\u9fff]{0,10}(?:省|市|区|縣|县|區|镇|鎮)[\u4e00-\u9fff\w\-#]{0,30}?"
            r"(?:路|街|道|巷|弄|里|村|大厦|大廈|小区|社區|社区)"
            r"[\u4e00-\u9fff\w\-#()（）]{0,30}"
        ),
        "[地址]",
    ),
    (
        re.compile(
            r"(?i)(?<![A-Za-z\d])\d{1,5}[A-Z]?\s+(?:[A-Z][\w'.]*\s+){1,4}"
            r"(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct)\b\.?"
        ),
        "[address]",
    ),
]


def _keep_last4(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"***{digits[-4:]}"


def mask(text: str) -> str:
    """``text`` with personal data and credentials masked. Percent-encoded text (a query string
    in an access log line) is decoded first: the rules read what the client wrote."""
    if "%" in text:
        text = unquote(text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(v) for v in value)
    if isinstance(value, int | float | bool) or value is None:
        return value  # kept as they are: a %d or %.1f needs the number
    return mask(str(value))  # anything else would be rendered with str() anyway


class MaskingFilter(logging.Filter):
    """Masks a record's message and arguments in place, keeping their shapes (uvicorn's access
    formatter unpacks its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, dict):
            record.args = _mask_value(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask_value(a) for a in record.args)
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line too: tracebacks and ``extra`` values included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))
