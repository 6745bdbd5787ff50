"""WeChat's safe mode (安全模式) and compatible mode (兼容模式): AES-encrypted message bodies.

The account's EncodingAESKey (43 characters of base64) is a 32-byte AES key; WeChat encrypts
``16 random bytes + 4-byte big-endian length + message XML + AppID`` with AES-256-CBC, the IV being
the key's first 16 bytes and the padding PKCS#7 over 32-byte blocks. ``msg_signature`` is the sha1
of the sorted, concatenated token, timestamp, nonce and ciphertext, so unlike the plaintext mode's
``signature`` it covers the body. Replies go back encrypted and signed the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class BadEncryptedMessage(ValueError):
    """The ciphertext is not ours: wrong key, wrong AppID, or damaged."""


def msg_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


@dataclass(frozen=True)
class WechatCipher:
    """Encrypts and decrypts message bodies for one official account."""

    token: str
    encoding_aes_key: str
    app_id: str

    def __post_init__(self) -> None:
        key = self.key  # a key that is not 32 bytes fails at start, not on the first message
        if len(key) != 32:
            raise ValueError("the WeChat EncodingAESKey must be 43 characters of base64")

    @property
    def key(self) -> bytes:
        try:
            return base64.b64decode(self.encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("the WeChat EncodingAESKey is not base64") from None

    def _cipher(self) -> Cipher[modes.CBC]:
        key = self.key
        return Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def signature_ok(
        self, signature: str | None, timestamp: str, nonce: str, encrypted: str
    ) -> bool:
        if not signature:
            return False
        expected = msg_signature(self.token, timestamp, nonce, encrypted)
        return hmac.compare_digest(expected, signature.lower())

    def decrypt(self, encrypted: str) -> bytes:
        """The message XML inside ``encrypted``; BadEncryptedMessage when it is not for us."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error:
            raise BadEncryptedMessage("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise BadEncryptedMessage("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise BadEncryptedMessage("bad padding: not encrypted with this account's key")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise BadEncryptedMessage("the message is too short")
        (length,) = struct.unpack(">I", plain[16:20])
        xml, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(xml) != length:
            raise BadEncryptedMessage("the length prefix does not match")
        # a message encrypted for another account with the same key must not be read as ours
        if not hmac.compare_digest(app_id, self.app_id.encode()):
            raise BadEncryptedMessage("the message is for another AppID")
        return xml

    def encrypt(self, xml: str, random16: bytes | None = None) -> str:
        body = xml.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body
        plain += self.app_id.encode()
        pad = _BLOCK - len(plain) % _BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def encrypted_reply(self, xml: str, timestamp: str, nonce: str) -> str:
        """A passive reply as safe mode expects it: encrypted, signed, in WeChat's envelope."""
        encrypted = self.encrypt(xml)
        signature = msg_signature(self.token, timestamp, nonce, encrypted)
        return (
            "<xml>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce>"
            "</xml>"
        )
