"""The commerce port's values as JSON and back: the HTTP adapter and the reference shop server
speak exactly these shapes (docs/commerce-http.md).

Money is a decimal string, times are ISO 8601 with an offset, enums their values; reading checks
every field's type, so a shop that sends something else gets a clear ``BadShopAnswer``.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from kefu.commerce.ports import CommerceError

T = TypeVar("T")


class BadShopAnswer(CommerceError):
    code = "bad_shop_answer"


def to_wire(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def from_wire(tp: Any, data: Any, where: str = "answer") -> Any:
    """``data`` read as type ``tp`` (a domain dataclass, or a container of them)."""
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return from_wire(args[0], data, where)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise BadShopAnswer(f"{where} must be an object")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = from_wire(hints[f.name], data[f.name], f"{where}.{f.name}")
        try:
            return tp(**kwargs)
        except TypeError as exc:
            raise BadShopAnswer(f"{where}: {exc}") from None
    if origin is tuple or origin is list:
        if not isinstance(data, list):
            raise BadShopAnswer(f"{where} must be a list")
        item = get_args(tp)[0]
        items = [from_wire(item, v, f"{where}[]") for v in data]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(data, dict):
            raise BadShopAnswer(f"{where} must be an object")
        value_type = get_args(tp)[1]
        return {str(k): from_wire(value_type, v, f"{where}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(data)
        except ValueError:
            raise BadShopAnswer(f"{where}: {data!r} is not a known value") from None
    if tp is Decimal:
        try:
            return Decimal(str(data))
        except InvalidOperation:
            raise BadShopAnswer(f"{where} must be a decimal string") from None
    if tp is datetime:
        try:
            at = datetime.fromisoformat(str(data))
        except ValueError:
            raise BadShopAnswer(f"{where} must be an ISO 8601 time") from None
        if at.tzinfo is None:
            raise BadShopAnswer(f"{where} needs a UTC offset")
        return at
    if tp in (str, int, float, bool):
        if tp is float and isinstance(data, int):
            return float(data)
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise BadShopAnswer(f"{where} must be {tp.__name__}")
        return data
    raise BadShopAnswer(f"{where}: cannot read {tp!r}")
