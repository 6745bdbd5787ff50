"""The WeChat official-account protocol: signatures, safe XML parsing, passive replies."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kefu.channels.wechat import (
    MAX_BODY_BYTES,
    BadWechatMessage,
    parse_message,
    signature_ok,
    text_message_xml,
    text_reply,
)
from tests.channels.support import WECHAT_TOKEN, wechat_query


def _params(query: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in query.split("&"))


def test_a_signature_made_with_our_token_is_accepted() -> None:
    p = _params(wechat_query())
    assert signature_ok(WECHAT_TOKEN, p["signature"], p["timestamp"], p["nonce"])


@pytest.mark.parametrize(
    ("signature", "timestamp", "nonce"),
    [("0" * 40, "1700000000", "n1"), (None, "1700000000", "n1"), ("abc", None, "n1"), ("", "", "")],
)
def test_a_wrong_or_missing_signature_is_refused(
    signature: str | None, timestamp: str | None, nonce: str | None
) -> None:
    assert not signature_ok(WECHAT_TOKEN, signature, timestamp, nonce)


def test_a_signature_made_with_another_token_is_refused() -> None:
    p = _params(wechat_query(token="someone-else"))
    assert not signature_ok(WECHAT_TOKEN, p["signature"], p["timestamp"], p["nonce"])


def test_a_text_message_reads_back_as_sent() -> None:
    body = text_message_xml("gh_shop", "oWx_c1001", "我的快递到哪了 <&> ]]>", 1700000000, "6001")
    message = parse_message(body.encode())
    assert (message.from_user, message.to_user, message.msg_type) == (
        "oWx_c1001",
        "gh_shop",
        "text",
    )
    assert message.content == "我的快递到哪了 <&> ]]>"
    assert message.msg_id == "6001" and message.dedup_key == "oWx_c1001:6001"


def test_the_passive_reply_swaps_sender_and_receiver() -> None:
    message = parse_message(text_message_xml("gh_shop", "oWx_c1001", "hi", 1, "1").encode())
    root = ET.fromstring(text_reply(message, "您好 ]]> <b>", 1700000123))
    assert root.findtext("ToUserName") == "oWx_c1001"
    assert root.findtext("FromUserName") == "gh_shop"
    assert root.findtext("MsgType") == "text" and root.findtext("CreateTime") == "1700000123"
    assert root.findtext("Content") == "您好 ]]> <b>"


def test_a_very_long_reply_is_cut_to_what_wechat_shows() -> None:
    message = parse_message(text_message_xml("gh", "o1", "hi", 1, "1").encode())
    content = ET.fromstring(text_reply(message, "长" * 3000, 1)).findtext("Content") or ""
    assert len(content.encode()) <= 2000 and content.endswith("…")


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>&b;</Content></xml>",
        b'<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml><FromUserName>o</FromUserName></xml>',
        b"not xml at all",
        b"<other><FromUserName>o</FromUserName><MsgType>text</MsgType></other>",
        b"<xml><MsgType>text</MsgType></xml>",
        b"<xml><ToUserName>gh</ToUserName><Encrypt>abc</Encrypt></xml>",
        b"<xml>" + b"<a>x</a>" * (MAX_BODY_BYTES // 8) + b"</xml>",
    ],
)
def test_unsafe_or_unreadable_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(BadWechatMessage):
        parse_message(body)


def test_a_voice_message_uses_wechats_transcript() -> None:
    body = (
        b"<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>voice</MsgType><MsgId>9</MsgId><Recognition>\xe5\x9c\xa8\xe5\x90\x97</Recognition>"
        b"</xml>"
    )
    assert parse_message(body).readable_text == "在吗"
