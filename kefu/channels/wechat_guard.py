"""Who may talk to the WeChat endpoint: signature, freshness, one use per nonce, safe mode.

WeChat signs only ``token + timestamp + nonce`` in plaintext mode, not the body, so a captured
query string could be reused with any body. Three rules close that:

- the timestamp must be within ``window_s`` (5 minutes) of now;
- a (timestamp, nonce) pair is remembered in the shared state (Redis with several workers) for as
  long as it is fresh, together with a digest of the body it came with: WeChat's retry of the same
  message passes, the same pair with another body is a replay and is refused;
- in safe and compatible mode (``encrypt_type=aes``) only the encrypted part is read, and its
  ``msg_signature`` covers the ciphertext; once an EncodingAESKey is configured, plaintext bodies
  are refused unless the shop explicitly still accepts them while switching modes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from kefu.channels.wechat import BadWechatMessage, read_xml, signature_ok
from kefu.channels.wechat_crypto import BadEncryptedMessage, WechatCipher
from kefu.domain.errors import ClientError, Problem
from kefu.runtime.shared import SharedState

WINDOW_S = 300
_NONCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class WechatRejected(ClientError):
    problem = Problem.FORBIDDEN
    code = "bad_signature"


class StaleWechatRequest(WechatRejected):
    code = "stale"


class ReplayedWechatRequest(WechatRejected):
    code = "replayed"


@dataclass(frozen=True, slots=True)
class OpenedMessage:
    """A verified inbound request: the plaintext message XML and how to answer it."""

    xml: bytes
    encrypted: bool
    timestamp: str
    nonce: str


class WechatGuard:
    def __init__(
        self,
        token: str,
        state: SharedState,
        cipher: WechatCipher | None = None,
        accept_plaintext: bool = True,
        window_s: float = WINDOW_S,
    ) -> None:
        self.token = token
        self.state = state
        self.cipher = cipher
        # with a cipher configured, plaintext is accepted only while the shop is switching modes
        self.accept_plaintext = accept_plaintext or cipher is None
        self.window_s = window_s

    def check_url(self, query: Mapping[str, str], now_s: float) -> str:
        """WeChat's server URL check: the ``echostr`` to echo, once the query is ours and fresh."""
        self._signed_and_fresh(query, now_s)
        return query.get("echostr", "")

    def open(self, query: Mapping[str, str], body: bytes, now_s: float) -> OpenedMessage:
        """The message in a POSTed request; WechatRejected (or BadWechatMessage) otherwise."""
        timestamp, nonce = self._signed_and_fresh(query, now_s)
        if query.get("encrypt_type", "").lower() == "aes":
            if self.cipher is None:
                raise WechatRejected("encrypted messages need KEFU_WECHAT_ENCODING_AES_KEY")
            encrypted = (read_xml(body).findtext("Encrypt") or "").strip()
            if not encrypted:
                raise BadWechatMessage("encrypt_type=aes but the body has no Encrypt")
            if not self.cipher.signature_ok(
                query.get("msg_signature"), timestamp, nonce, encrypted
            ):
                raise WechatRejected("bad WeChat msg_signature")
            try:
                xml = self.cipher.decrypt(encrypted)
            except BadEncryptedMessage as exc:
                raise WechatRejected(str(exc)) from None
            self._remember(timestamp, nonce, encrypted.encode())
            return OpenedMessage(xml, True, timestamp, nonce)
        if not self.accept_plaintext:
            raise WechatRejected("plaintext messages are off: this account uses safe mode")
        self._remember(timestamp, nonce, body)
        return OpenedMessage(body, False, timestamp, nonce)

    def seal(self, message: OpenedMessage, reply_xml: str) -> str:
        """The passive reply as the request's mode expects it."""
        if not message.encrypted or self.cipher is None:
            return reply_xml
        return self.cipher.encrypted_reply(reply_xml, message.timestamp, message.nonce)

    def _signed_and_fresh(self, query: Mapping[str, str], now_s: float) -> tuple[str, str]:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_ok(self.token, query.get("signature"), timestamp, nonce):
            raise WechatRejected("bad WeChat signature")
        if not timestamp.isdigit() or not _NONCE.match(nonce):
            raise WechatRejected("timestamp must be epoch seconds and nonce a short token")
        # checked after the signature, so an unsigned caller learns nothing about our clock
        if abs(now_s - int(timestamp)) > self.window_s:
            raise StaleWechatRequest(
                f"the timestamp is more than {int(self.window_s)} s away from now"
            )
        return timestamp, nonce

    def _remember(self, timestamp: str, nonce: str, body: bytes) -> None:
        digest = hashlib.sha256(body).hexdigest()
        key = f"wechat:nonce:{timestamp}:{nonce}"
        # kept a little longer than the window, so a pair cannot come back just as it expires
        if self.state.set_once(key, digest, self.window_s * 2 + 60):
            return
        if self.state.get(key) != digest:
            raise ReplayedWechatRequest("this signature was already used for another message")
