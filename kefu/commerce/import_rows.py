"""Rows of a shop's export files (CSV or JSON Lines) read one at a time and checked one by one.

Pure: column names are mapped from platform exports (data/commerce/import_columns.json), values
are validated into plain dicts the store writes; a bad row raises ``RowRejected`` with the reason.
Nothing here holds more than one row, so a file of any size streams through.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from babel.numbers import is_currency

from kefu.commerce.events import courier_code
from kefu.domain.catalog import Category, NoReasonReturnExclusion
from kefu.domain.customers import Lang, VipLevel
from kefu.domain.money import money
from kefu.domain.orders import OrderStatus
from kefu.resources import data_path
from kefu.texts.zone import parse_zone, shop_zone

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
_SPLIT = re.compile(r"[/,，、;；|]")


class ImportKind(StrEnum):
    PRODUCTS = "products"
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SHIPMENTS = "shipments"


class RowRejected(Exception):
    """A row that cannot be imported; the message is the reason the report shows."""


@lru_cache(maxsize=1)
def _columns() -> dict[str, Any]:
    with data_path("commerce", "import_columns.json").open(encoding="utf-8") as f:
        raw: dict[str, Any] = json.load(f)
    return raw


@lru_cache(maxsize=4)
def _header_map(kind: ImportKind) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, aliases in _columns()[kind.value].items():
        for alias in aliases:
            out.setdefault(str(alias).strip().lower(), canonical)
    return out


@lru_cache(maxsize=1)
def _status_names() -> dict[str, OrderStatus]:
    out: dict[str, OrderStatus] = {}
    for status, names in _columns()["order_status"].items():
        for name in names:
            out[str(name).strip().lower()] = OrderStatus(status)
    return out


# ---- reading ----------------------------------------------------------------------------------
def _text_stream(raw: BinaryIO) -> io.TextIOWrapper:
    """UTF-8 (with or without BOM) or GB18030, which Taobao's and JD's exports still use."""
    head = raw.read(65536)
    raw.seek(0)
    try:
        head.decode("utf-8-sig")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        encoding = "utf-8-sig" if exc.start >= len(head) - 3 else "gb18030"
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def read_rows(raw: BinaryIO, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs from a CSV or JSON Lines stream; a broken line is yielded as an
    empty-keyed row the validator rejects, so one bad line does not stop the file."""
    text = _text_stream(raw)
    if fmt == "csv":
        reader = csv.DictReader(text)
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None}
        return
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            yield number, {"__error__": "not valid JSON"}
            continue
        yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".txt"):
        return "csv"
    raise ValueError(f"{path.name}: use .csv or .jsonl")


def canonical(kind: ImportKind, row: dict[str, Any]) -> dict[str, Any]:
    """The row with platform headers renamed to kefu's names; unknown columns dropped."""
    if "__error__" in row:
        raise RowRejected(str(row["__error__"]))
    out: dict[str, Any] = {}
    for key, name in _renames(kind, tuple(row)):
        value = row[key]
        if name in out and out[name] not in (None, ""):
            continue  # two headers for one column (买家ID and 买家会员名): the first filled wins
        out[name] = value.strip() if isinstance(value, str) else value
    return out


@lru_cache(maxsize=64)
def _renames(kind: ImportKind, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(header, kefu name) for the headers kefu knows: worked out once per file's header row."""
    names = _header_map(kind)
    found = ((key, names.get(str(key).strip().lower())) for key in keys)
    return tuple((key, name) for key, name in found if name is not None)


# ---- values -----------------------------------------------------------------------------------
def _required(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None or str(value).strip() == "":
        raise RowRejected(f"{name} is missing")
    return str(value).strip()


def _optional(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _ident(row: dict[str, Any], name: str) -> str:
    value = _required(row, name).lstrip("'=\"").rstrip('"')  # Excel's ="123" guard on long ids
    if not _ID.match(value):
        raise RowRejected(f"{name} {value!r} is not a valid id (letters, digits, - and _)")
    return value


def _money(row: dict[str, Any], name: str, required: bool = True) -> Decimal | None:
    value = _required(row, name) if required else _optional(row, name)
    if value is None:
        return None
    try:
        amount = money(value.replace("¥", "").replace("￥", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RowRejected(f"{name} {value!r} is not an amount") from None
    if amount < 0:
        raise RowRejected(f"{name} must not be negative")
    return amount


def _int(row: dict[str, Any], name: str, default: int | None = None) -> int:
    value = _optional(row, name)
    if value is None:
        if default is None:
            raise RowRejected(f"{name} is missing")
        return default
    try:
        number = int(Decimal(value))
    except (InvalidOperation, ValueError):
        raise RowRejected(f"{name} {value!r} is not a whole number") from None
    if number < 0:
        raise RowRejected(f"{name} must not be negative")
    return number


def parse_time(value: str, name: str) -> datetime:
    text = value.strip().replace("/", "-")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowRejected(f"{name} {value!r} is not a time like 2026-11-11 10:00:00") from None
    if at.tzinfo is None:  # exports without an offset are in the shop's time
        at = at.replace(tzinfo=shop_zone())
    return at.astimezone(UTC)


def _time(row: dict[str, Any], name: str, required: bool = False) -> datetime | None:
    value = _required(row, name) if required else _optional(row, name)
    return None if value is None else parse_time(value, name)


def _list(row: dict[str, Any], name: str) -> list[str]:
    value = row.get(name)
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = _optional(row, name)
    return [p.strip() for p in _SPLIT.split(text) if p.strip()] if text else []


def _choice(value: str | None, enum: type[StrEnum], name: str, default: str | None) -> str | None:
    if value is None:
        return default
    try:
        return str(enum(value.lower() if enum is not Lang else value).value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise RowRejected(f"{name} {value!r} is not one of {allowed}") from None


# ---- one row of each kind ---------------------------------------------------------------------
def product_row(row: dict[str, Any]) -> dict[str, Any]:
    name_zh = _required(row, "name_zh")
    if len(name_zh) > 200:
        raise RowRejected("name_zh is longer than 200 characters")
    return {
        "sku": _ident(row, "sku"),
        "name_zh": name_zh,
        "name_en": _optional(row, "name_en") or name_zh,
        "category": _choice(_optional(row, "category"), Category, "category", Category.HOME),
        "price": _money(row, "price"),
        "stock": _int(row, "stock", 0),
        "sizes": _list(row, "sizes"),
        "aliases": _list(row, "aliases"),
        "notes_zh": _optional(row, "notes_zh") or "",
        "notes_en": _optional(row, "notes_en") or "",
        "no_reason_exclusion": _choice(
            _optional(row, "no_reason_exclusion"),
            NoReasonReturnExclusion,
            "no_reason_exclusion",
            None,
        ),
        "restock_days": None,
        "size_chart": {},
    }


def customer_row(row: dict[str, Any]) -> dict[str, Any]:
    identities = {c: _optional(row, c) for c in ("wechat", "app", "douyin")}
    customer_id = _ident(row, "id")
    return {
        "id": customer_id,
        "name": _required(row, "name")[:100],
        "phone": _optional(row, "phone") or "",
        "email": _optional(row, "email"),
        "lang": _choice(_optional(row, "lang"), Lang, "lang", Lang.ZH_CN),
        "vip": _choice(_optional(row, "vip"), VipLevel, "vip", VipLevel.NORMAL),
        "timezone": _zone(_optional(row, "timezone")),
        "currency": _currency(_optional(row, "currency")),
        # the web identity is the customer id, as for the demo shop's customers
        "identities": {"web": customer_id, **{c: v for c, v in identities.items() if v}},
    }


def _zone(value: str | None) -> str | None:
    """An overseas customer's IANA time zone ("Asia/Tokyo"); times in replies use it."""
    if value is None:
        return None
    try:
        parse_zone(value)
    except ValueError:
        raise RowRejected(
            f"timezone {value!r} is not an IANA time zone such as Asia/Tokyo"
        ) from None
    return value


def _currency(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{3}", value) or not is_currency(value.upper()):
        raise RowRejected(f"currency {value!r} is not an ISO 4217 code such as JPY")
    return value.upper()


def order_line(row: dict[str, Any]) -> dict[str, Any]:
    status_text = _required(row, "status")
    status = _status_names().get(status_text.lower())
    if status is None:
        raise RowRejected(f"status {status_text!r} is not a known order status")
    qty = _int(row, "qty", 1)
    if qty < 1:
        raise RowRejected("qty must be at least 1")
    return {
        "order_id": _ident(row, "order_id").upper(),
        "customer_id": _ident(row, "customer_id"),
        "status": status.value,
        "created_at": _time(row, "created_at", required=True),
        "paid_at": _time(row, "paid_at"),
        "address": _optional(row, "address") or "",
        "balance_due": _money(row, "balance_due", required=False),
        "group_deadline": _time(row, "group_deadline"),
        "item": {
            "sku": _ident(row, "sku"),
            "qty": qty,
            "unit_price": _money(row, "unit_price"),
            "size": (_optional(row, "size") or None),
            "promotion_id": _optional(row, "promotion_id"),
        },
    }


def shipment_row(row: dict[str, Any]) -> dict[str, Any]:
    carrier = _required(row, "carrier")
    return {
        "order_id": _ident(row, "order_id").upper(),
        "courier": courier_code(carrier).value,
        "tracking_no": _ident(row, "tracking_no").upper(),
        "shipped_at": _time(row, "shipped_at", required=True),
        "delivered_at": _time(row, "delivered_at"),
    }


VALIDATORS = {
    ImportKind.PRODUCTS: product_row,
    ImportKind.CUSTOMERS: customer_row,
    ImportKind.ORDERS: order_line,
    ImportKind.SHIPMENTS: shipment_row,
}
