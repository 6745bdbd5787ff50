"""Channel requests that cannot be replayed or forged: WeChat (plaintext, safe and compatible
mode, checked against wechatpy, which encrypts and signs as WeChat's servers do) and webhooks."""

from __future__ import annotations

import hashlib
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from wechatpy.crypto import WeChatCrypto

from kefu.api.app import create_app
from kefu.channels.hub import channels_of
from kefu.channels.webhook import signed_headers
from kefu.channels.wechat import BadWechatMessage, parse_message, text_message_xml
from kefu.config import Settings
from kefu.wiring import Kefu
from tests.channels.support import (
    BOTH_BACKENDS,
    WEBHOOK_SECRET,
    WECHAT_TOKEN,
    eventually,
    post_webhook,
    wechat_query,
)

_NONE = SimpleNamespace(reply_text=None)
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 chars, as the WeChat console shows
APP_ID = "wx1234567890abcdef"


def _start(tmp_path: Path, database_url: str, **overrides: object) -> Iterator[TestClient]:
    kefu = Kefu.start(Settings(data_dir=tmp_path, database_url=database_url, **overrides))
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client
    kefu.close()


@pytest.fixture
def client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    yield from _start(tmp_path, database_url)


def _signed(timestamp: int, nonce: str, token: str = WECHAT_TOKEN) -> dict[str, str]:
    signature = hashlib.sha1("".join(sorted([token, str(timestamp), nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": str(timestamp), "nonce": nonce}


def _reply_text(response_text: str) -> str:
    return ET.fromstring(response_text).findtext("Content") or ""


# ---- plaintext mode: freshness and nonces ------------------------------------------------------


@BOTH_BACKENDS
def test_a_month_old_wechat_signature_with_a_forged_body_is_refused(client: TestClient) -> None:
    old = int(time.time()) - 30 * 86400
    forged = text_message_xml("gh_shop", "oWx_c1001", "我的快递到哪了", old, "8001")
    response = client.post(
        f"/channels/wechat?{urlencode(_signed(old, 'n30'))}", content=forged.encode()
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "stale"
    assert "SF" not in response.text and "ZT" not in response.text


def test_a_nonce_used_for_one_message_cannot_carry_another(client: TestClient) -> None:
    now = int(time.time())
    query = urlencode(_signed(now, "n-once"))
    first = text_message_xml("gh_shop", "oWx_c1001", "在吗", now, "8002")
    assert client.post(f"/channels/wechat?{query}", content=first.encode()).status_code == 200
    # WeChat's retry of the very same message with the same query still gets the answer
    retry = client.post(f"/channels/wechat?{query}", content=first.encode())
    assert retry.status_code == 200
    other = text_message_xml("gh_shop", "oWx_c1001", "我的快递到哪了", now, "8003")
    replay = client.post(f"/channels/wechat?{query}", content=other.encode())
    assert replay.status_code == 403 and replay.json()["error"]["code"] == "replayed"


def test_nonce_and_signature_memory_is_shared_by_workers_through_redis(
    tmp_path: Path, redis_url: str
) -> None:
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    workers = [_start(tmp_path / name, database_url, redis_url=redis_url) for name in ("w1", "w2")]
    first, second = (next(w) for w in workers)
    now = int(time.time())
    query = urlencode(_signed(now, "n-shared"))
    body = text_message_xml("gh_shop", "oWx_c1001", "在吗", now, "8004").encode()
    assert first.post(f"/channels/wechat?{query}", content=body).status_code == 200
    forged = text_message_xml("gh_shop", "oWx_c1001", "我的快递到哪了", now, "8005").encode()
    replay = second.post(f"/channels/wechat?{query}", content=forged)
    assert replay.status_code == 403 and replay.json()["error"]["code"] == "replayed"
    # a webhook captured on one worker and sent to another is refused there too
    raw = json.dumps({"event_id": "ev-w1", "user_id": "dy-88001", "text": "在吗"}).encode()
    headers = signed_headers(WEBHOOK_SECRET, raw, time.time())
    assert first.post("/channels/webhook/douyin", content=raw, headers=headers).status_code == 200
    again = second.post("/channels/webhook/douyin", content=raw, headers=headers)
    assert again.status_code == 401 and again.json()["error"]["code"] == "replayed"
    for w in workers:
        next(w, None)


@BOTH_BACKENDS
def test_another_user_resending_a_msgid_gets_their_own_answer(client: TestClient) -> None:
    now = int(time.time())
    mine = text_message_xml("gh_shop", "oWx_c1001", "ZT7788990011 这个单号现在在哪", now, "9001")
    first = client.post(f"/channels/wechat?{wechat_query()}", content=mine.encode())
    theirs = text_message_xml("gh_shop", "oWx_stranger", "在吗", now, "9001")
    second = client.post(f"/channels/wechat?{wechat_query()}", content=theirs.encode())
    assert first.status_code == second.status_code == 200
    assert "ZT7788990011" in _reply_text(first.text)
    stranger_sees = _reply_text(second.text)
    assert stranger_sees and stranger_sees != _reply_text(first.text)
    assert "ZT7788990011" not in stranger_sees
    # the turns' threads record the answers after replying: let them finish before teardown
    store = channels_of(client.app.state.kefu).store  # type: ignore[attr-defined]
    for key in ("oWx_c1001:9001", "oWx_stranger:9001"):
        eventually(lambda key=key: (store.receipt("wechat", key) or _NONE).reply_text is not None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_a_dtd_is_refused_whatever_the_encoding(encoding: str) -> None:
    document = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><Content>&b;</Content></xml>"
    )
    with pytest.raises(BadWechatMessage):
        parse_message(document.encode(encoding))


def test_a_plain_utf16_message_still_reads() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?>' + text_message_xml(
        "gh", "o1", "在吗", 1, "1"
    )
    assert parse_message(document.encode("utf-16")).content == "在吗"


# ---- safe mode and compatible mode ----------------------------------------------------------


@pytest.fixture
def safe_client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _start(
        tmp_path,
        f"sqlite:///{tmp_path / 'kefu.db'}",
        wechat_encoding_aes_key=AES_KEY,
        wechat_app_id=APP_ID,
    )


def _wechat_server() -> WeChatCrypto:
    return WeChatCrypto(WECHAT_TOKEN, AES_KEY, APP_ID)


def _encrypted_post(
    client: TestClient, inner_xml: str, *, plaintext_too: str = "", msg_signature: str = ""
) -> Response:
    """Post ``inner_xml`` as WeChat does in safe mode (and, with ``plaintext_too``, compatible
    mode: the plaintext fields beside the ciphertext)."""
    now, nonce = int(time.time()), f"n{time.monotonic_ns() % 10**9}"
    envelope = ET.fromstring(_wechat_server().encrypt_message(inner_xml, nonce, now))
    encrypted = envelope.findtext("Encrypt") or ""
    query = {
        **_signed(now, nonce),
        "encrypt_type": "aes",
        "msg_signature": msg_signature or (envelope.findtext("MsgSignature") or ""),
        "openid": "oWx_c1001",
    }
    body = f"<xml><ToUserName><![CDATA[gh_shop]]></ToUserName>{plaintext_too}"
    body += f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    response = client.post(f"/channels/wechat?{urlencode(query)}", content=body.encode())
    return response


def test_a_safe_mode_message_is_decrypted_and_answered_encrypted(
    safe_client: TestClient,
) -> None:
    inner = text_message_xml(
        "gh_shop", "oWx_c1001", "ZT7788990011 这个单号现在在哪", int(time.time()), "9101"
    )
    response = _encrypted_post(safe_client, inner)
    assert response.status_code == 200
    sealed = response.text
    assert "ZT7788990011" not in sealed  # the reply travels encrypted too
    envelope = ET.fromstring(sealed)
    reply = _wechat_server().decrypt_message(
        sealed,
        envelope.findtext("MsgSignature"),
        envelope.findtext("TimeStamp"),
        envelope.findtext("Nonce"),
    )
    root = ET.fromstring(reply)
    assert root.findtext("ToUserName") == "oWx_c1001"
    assert "ZT7788990011" in (root.findtext("Content") or "")


def test_a_safe_mode_message_with_a_wrong_msg_signature_is_refused(
    safe_client: TestClient,
) -> None:
    inner = text_message_xml("gh_shop", "oWx_c1001", "在吗", int(time.time()), "9102")
    response = _encrypted_post(safe_client, inner, msg_signature="0" * 40)
    assert response.status_code == 403


def test_a_message_encrypted_with_another_key_is_refused(safe_client: TestClient) -> None:
    now, nonce = int(time.time()), "n-otherkey"
    other = WeChatCrypto(WECHAT_TOKEN, "B" * 43, APP_ID)
    envelope = ET.fromstring(
        other.encrypt_message(text_message_xml("gh", "oWx_c1001", "在吗", now, "9103"), nonce, now)
    )
    query = {
        **_signed(now, nonce),
        "encrypt_type": "aes",
        "msg_signature": envelope.findtext("MsgSignature") or "",
    }
    body = f"<xml><Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
    response = safe_client.post(f"/channels/wechat?{urlencode(query)}", content=body.encode())
    assert response.status_code == 403


def test_compatible_mode_reads_only_the_signed_ciphertext(safe_client: TestClient) -> None:
    inner = text_message_xml("gh_shop", "oWx_c1001", "在吗", int(time.time()), "9104")
    # the plaintext copy beside the ciphertext is not covered by msg_signature: a forger could
    # change it, so it must not be what kefu answers
    forged = (
        "<FromUserName><![CDATA[oWx_c1001]]></FromUserName><MsgType>text</MsgType>"
        "<Content><![CDATA[ZT7788990011 这个单号现在在哪]]></Content><MsgId>9104</MsgId>"
    )
    response = _encrypted_post(safe_client, inner, plaintext_too=forged)
    sealed = response.text
    envelope = ET.fromstring(sealed)
    reply = _wechat_server().decrypt_message(
        sealed,
        envelope.findtext("MsgSignature"),
        envelope.findtext("TimeStamp"),
        envelope.findtext("Nonce"),
    )
    assert "ZT7788990011" not in reply


def test_with_safe_mode_on_plaintext_messages_are_refused(safe_client: TestClient) -> None:
    body = text_message_xml("gh_shop", "oWx_c1001", "在吗", int(time.time()), "9105")
    response = safe_client.post(f"/channels/wechat?{wechat_query()}", content=body.encode())
    assert response.status_code == 403


# ---- webhooks ------------------------------------------------------------------------------


@BOTH_BACKENDS
def test_a_captured_webhook_sent_again_is_refused(client: TestClient) -> None:
    body = {"event_id": "ev-r1", "user_id": "dy-77001", "text": "在吗"}
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = signed_headers(WEBHOOK_SECRET, raw, time.time())
    first = client.post("/channels/webhook/douyin", content=raw, headers=headers)
    replay = client.post("/channels/webhook/douyin", content=raw, headers=headers)
    assert first.status_code == 200
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "replayed"
    assert "replies" not in replay.json()


def test_each_webhook_platform_signs_with_its_own_secret(
    tmp_path: Path,
) -> None:
    douyin_secret = "douyin-only-secret-0123456789abcdef"
    clients = _start(
        tmp_path,
        f"sqlite:///{tmp_path / 'kefu.db'}",
        webhook_secrets={"douyin": douyin_secret},
    )
    client = next(clients)
    body = {"event_id": "ev-p1", "user_id": "dy-77002", "text": "在吗"}
    shared = post_webhook(client, "douyin", body)
    assert shared.status_code == 401 and shared.json()["error"]["code"] == "bad_signature"
    own = post_webhook(client, "douyin", body, secret=douyin_secret)
    assert own.status_code == 200 and own.json()["replies"]
    # a platform without its own secret keeps the shared one
    app = post_webhook(client, "app", {"event_id": "ev-p2", "user_id": "u-77003", "text": "在吗"})
    assert app.status_code == 200
    next(clients, None)


def test_callbacks_to_a_platform_are_signed_with_that_platforms_secret(tmp_path: Path) -> None:
    from kefu.channels.outbound import CallbackSender

    douyin_secret = "douyin-only-secret-0123456789abcdef"
    clients = _start(
        tmp_path,
        f"sqlite:///{tmp_path / 'kefu.db'}",
        webhook_secrets={"douyin": douyin_secret},
    )
    client = next(clients)
    senders = channels_of(client.app.state.kefu).outbox.senders  # type: ignore[attr-defined]
    douyin, app = senders["douyin"], senders["app"]
    assert isinstance(douyin, CallbackSender) and isinstance(app, CallbackSender)
    assert douyin.secret == douyin_secret and app.secret == WEBHOOK_SECRET
    next(clients, None)
