"""The WeChat official-account protocol: URL verification, inbound XML, passive XML replies.

This module reads plaintext message XML (the account's "明文模式", or the inside of a safe-mode
envelope once ``kefu.channels.wechat_guard`` has checked and decrypted it); a bare ``Encrypt``
envelope reaching it is refused as a bad message rather than half-read.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

MAX_BODY_BYTES = 64 * 1024
# WeChat shows at most about 2048 bytes of a passive text reply; longer ones are cut by us
# at a character boundary instead of being rejected by WeChat as a whole
MAX_REPLY_BYTES = 2000


class BadWechatMessage(ValueError):
    """The body is not a readable WeChat message."""


@dataclass(frozen=True, slots=True)
class WechatMessage:
    to_user: str  # the official account
    from_user: str  # the customer's OpenID
    create_time: int
    msg_type: str  # text | image | voice | video | shortvideo | location | link | event
    content: str = ""
    msg_id: str = ""
    event: str = ""
    recognition: str = ""  # voice messages: WeChat's transcript, when the account enabled it

    @property
    def dedup_key(self) -> str:
        """What WeChat repeats on a retry: sender + MsgId, or sender + time for events.

        The sender is part of it because a MsgId alone is only the sender's: keyed by MsgId
        alone, another user sending the same MsgId was answered with the first user's reply.
        """
        return f"{self.from_user}:{self.msg_id or f'{self.create_time}:{self.event}'}"

    @property
    def readable_text(self) -> str:
        """The words to run through the dialogue ("" when the message has none)."""
        if self.msg_type == "text":
            return self.content
        if self.msg_type == "voice":
            return self.recognition
        return ""


def signature_ok(
    token: str, signature: str | None, timestamp: str | None, nonce: str | None
) -> bool:
    """WeChat's check: sha1 of the sorted, concatenated token, timestamp and nonce."""
    if not signature or not timestamp or not nonce:
        return False
    expected = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def read_xml(body: bytes) -> ET.Element:
    """The ``<xml>`` root of a body, parsed by a hardened parser; BadWechatMessage otherwise.

    An official-account message never declares a DTD. defusedxml refuses DTDs, entities and
    external references after decoding, so re-encoding the document (UTF-16, UTF-32) cannot hide
    them the way it hid them from a byte-level pattern.
    """
    if len(body) > MAX_BODY_BYTES:
        raise BadWechatMessage("message too large")
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BadWechatMessage("DTDs and entities are not accepted") from None
    except (ET.ParseError, ValueError) as exc:
        raise BadWechatMessage(f"not XML: {exc}") from None
    if root.tag != "xml":
        raise BadWechatMessage("the root element must be <xml>")
    found: ET.Element = root
    return found


def parse_message(body: bytes) -> WechatMessage:
    """The message in a POSTed body; BadWechatMessage for anything else."""
    root = read_xml(body)

    def field(name: str) -> str:
        node = root.find(name)
        return (node.text or "").strip() if node is not None else ""

    if field("Encrypt") and not field("MsgType"):
        raise BadWechatMessage("encrypted messages are not supported; use plaintext mode")
    from_user, msg_type = field("FromUserName"), field("MsgType").lower()
    if not from_user or not msg_type:
        raise BadWechatMessage("FromUserName and MsgType are required")
    try:
        create_time = int(field("CreateTime") or 0)
    except ValueError:
        raise BadWechatMessage("CreateTime must be a number") from None
    return WechatMessage(
        to_user=field("ToUserName"),
        from_user=from_user,
        create_time=create_time,
        msg_type=msg_type,
        content=field("Content"),
        msg_id=field("MsgId"),
        event=field("Event").lower(),
        recognition=field("Recognition"),
    )


def _fit(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_REPLY_BYTES:
        return text
    return data[: MAX_REPLY_BYTES - 3].decode("utf-8", errors="ignore") + "…"


def _cdata(text: str) -> str:
    # "]]>" would end the section early; split it across two sections
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(message: WechatMessage, content: str, now_s: int) -> str:
    """The passive reply to ``message``: sender and receiver swapped, a text message."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(message.from_user)}</ToUserName>"
        f"<FromUserName>{_cdata(message.to_user)}</FromUserName>"
        f"<CreateTime>{int(now_s)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(_fit(content))}</Content>"
        "</xml>"
    )


def text_message_xml(
    to_user: str, from_user: str, content: str, create_time: int, msg_id: str
) -> str:
    """An inbound text message as WeChat sends it (for tests and the demo's simulator)."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        f"<MsgId>{escape(msg_id)}</MsgId>"
        "</xml>"
    )
