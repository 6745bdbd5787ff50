"""Keys for personal data at rest: AES-256-GCM encryption and keyed lookup hashes, with rotation.

``KEFU_DATA_KEY`` holds one key (44 characters of base64, 32 bytes) or several as
``id:key,id:key`` with the current one first. Every ciphertext names the id of the key that made
it, so after a rotation old rows still read and ``kefu data rekey`` re-encrypts them with the
current key at its own pace. Lookup hashes (HMAC-SHA256 of a normalized value, e.g. a phone) let
the database find a customer by phone without holding the phone: a lookup tries the hash under
every key, so it keeps working between a rotation and the re-encryption.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc1:"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class DataKeyError(ValueError):
    """A key setting that cannot be used, or a ciphertext no configured key opens."""


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


@dataclass(frozen=True)
class DataKey:
    key_id: str
    secret: bytes

    @cached_property
    def aead(self) -> AESGCM:
        return AESGCM(self.secret)

    @cached_property
    def hash_key(self) -> bytes:
        # a separate key for lookups: a hash reveals nothing that helps against the cipher
        return _derive(self.secret, b"kefu lookup hash")


class DataKeyring:
    """The current key encrypts; every listed key decrypts."""

    def __init__(self, keys: list[DataKey]) -> None:
        if not keys:
            raise DataKeyError("at least one data key is needed")
        self.keys = {k.key_id: k for k in keys}
        if len(self.keys) != len(keys):
            raise DataKeyError("data key ids must be unique")
        self.current = keys[0]

    @classmethod
    def parse(cls, setting: str) -> DataKeyring:
        """Keys from ``KEFU_DATA_KEY``: ``<base64>``, or ``id:<base64>,…`` current first."""
        keys = []
        for part in (p.strip() for p in setting.split(",") if p.strip()):
            key_id, _, encoded = part.rpartition(":")
            try:
                secret = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise DataKeyError("KEFU_DATA_KEY: a key is not base64") from None
            if len(secret) != 32:
                raise DataKeyError("KEFU_DATA_KEY: each key must be 32 bytes (44 base64 chars)")
            key_id = key_id or hashlib.sha256(secret).hexdigest()[:8]
            if not _KEY_ID.match(key_id):
                raise DataKeyError("KEFU_DATA_KEY: a key id must be 1-16 letters, digits, - or _")
            keys.append(DataKey(key_id, secret))
        return cls(keys)

    @classmethod
    def derived(cls, passphrase: str) -> DataKeyring:
        """Demo mode only: a key derived from the secret key, so the demo needs no setup."""
        return cls([DataKey("demo", _derive(passphrase.encode(), b"kefu demo data key"))])

    @staticmethod
    def generate() -> str:
        """A new random key in the setting's format (``kefu data new-key``)."""
        return base64.b64encode(os.urandom(32)).decode()

    # ---- encryption ----------------------------------------------------------------------------
    def encrypt(self, plaintext: str, purpose: str) -> str:
        """``enc1:<key id>:<base64 nonce+ciphertext>``; ``purpose`` (the column) is bound in, so a
        ciphertext copied into another column does not decrypt there."""
        nonce = os.urandom(12)
        sealed = self.current.aead.encrypt(nonce, plaintext.encode(), purpose.encode())
        body = base64.b64encode(nonce + sealed).decode()
        return f"{PREFIX}{self.current.key_id}:{body}"

    def decrypt(self, stored: str, purpose: str) -> str:
        """The plaintext of a stored value; a value written before encryption reads as is."""
        if not is_encrypted(stored):
            return stored
        key_id, _, body = stored[len(PREFIX) :].partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise DataKeyError(f"personal data encrypted with key {key_id!r}, which is not set")
        try:
            raw = base64.b64decode(body, validate=True)
            plain = key.aead.decrypt(raw[:12], raw[12:], purpose.encode())
        except (binascii.Error, InvalidTag, ValueError):
            raise DataKeyError(f"a {purpose} value does not decrypt: damaged or moved") from None
        return plain.decode()

    def needs_rekey(self, stored: str) -> bool:
        """Plain text, or encrypted with a key other than the current one."""
        return not stored.startswith(f"{PREFIX}{self.current.key_id}:")

    # ---- lookup hashes -------------------------------------------------------------------------
    def lookup_hash(self, value: str) -> str:
        return _hmac(self.current, value)

    def lookup_hashes(self, value: str) -> list[str]:
        """The value's hash under every key, for a lookup that must survive a rotation."""
        return [_hmac(k, value) for k in self.keys.values()]


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def normalize_phone(phone: str) -> str:
    """Digits only, mainland +86 dropped: "+86 138-0013-8000" and "13800138000" hash the same."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def _hmac(key: DataKey, value: str) -> str:
    return hmac.new(key.hash_key, value.encode(), hashlib.sha256).hexdigest()
