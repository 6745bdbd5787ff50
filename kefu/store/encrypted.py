"""Columns that hold personal data encrypted: repositories read and write plain values.

A column typed ``EncryptedText("customers.phone")`` stores ``enc1:<key id>:<AES-GCM>`` and hands
back the plain text, so code above the store never sees ciphertext and a database dump never sees
plain text. The keyring is one per process (a process serves one shop): ``Kefu.start`` installs the
one its settings name; code that opens a database without it gets the keyring of the environment's
settings, which in production refuse to exist without ``KEFU_DATA_KEY``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

from kefu.privacy.keyring import DataKeyring

_lock = threading.Lock()
_keyring: DataKeyring | None = None


def use_keyring(keyring: DataKeyring) -> None:
    global _keyring
    with _lock:
        _keyring = keyring


def keyring() -> DataKeyring:
    global _keyring
    with _lock:
        if _keyring is None:
            from kefu.config import get_settings

            _keyring = get_settings().data_keyring()
        return _keyring


class EncryptedText(TypeDecorator[str]):
    """A text column encrypted at rest; ``purpose`` (table.column) is bound into each value."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring().decrypt(value, self.purpose)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document (invoice details: title, tax id) encrypted at rest as one text value."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return keyring().encrypt(plain, self.purpose)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(keyring().decrypt(value, self.purpose))
