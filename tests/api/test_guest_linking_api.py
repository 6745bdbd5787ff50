"""Guests linking to the shop's customer over HTTP (CONTRACT 5, "Guests"): the demo's phone and
code, and production's signed identity. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from kefu.config import Mode, Settings
from kefu.edge.identity import issue_customer_token
from kefu.wiring import Kefu

ORDER_DATA = re.compile(r"E2026\d+|ZT\d{6,}")


def post(c: TestClient, **body: Any) -> dict[str, Any]:
    answer = c.post("/api/v1/messages", json={"channel": "web", **body})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def said(result: dict[str, Any]) -> str:
    return "\n".join(r["text"] for r in result["replies"])


def test_a_web_visitor_links_with_phone_and_code_and_sees_one_history(client: TestClient) -> None:
    first = post(client, channel_user_id="widget-v1", text="羽绒服有哪些尺码")
    asked = post(client, channel_user_id="widget-v1", text="我的快递到哪了")
    assert not ORDER_DATA.search(said(asked))
    # before linking the visitor cannot read C1001's conversations by their own id
    sent = post(client, channel_user_id="widget-v1", text="13800001001")
    code = re.findall(r"(?<!\d)\d{6}(?!\d)", said(sent))[-1]
    linked = post(client, channel_user_id="widget-v1", text=code)
    assert "ZT7788990011" in said(linked)

    listed = client.get("/api/v1/conversations", params={"customer_id": "C1001"})
    assert listed.status_code == 200
    assert first["conversation_id"] in {c["id"] for c in listed.json()}
    history = client.get(
        f"/api/v1/conversations/{first['conversation_id']}/messages",
        params={"customer_id": "C1001"},
    ).json()
    assert history[0]["text"] == "羽绒服有哪些尺码"


def test_production_links_a_guest_with_the_shops_signed_identity(
    tmp_path: Path, database_url: str
) -> None:
    from kefu.api.app import create_app
    from tests.conftest import PRODUCTION_SECRETS, demo_data_for_production

    demo_data_for_production(tmp_path, database_url)
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, mode=Mode.PRODUCTION, **PRODUCTION_SECRETS
    )
    shop = Kefu.start(settings)
    try:
        with TestClient(create_app(kefu=shop), raise_server_exceptions=False) as c:
            browsing = post(c, channel_user_id="visitor-p1", text="羽绒服有货吗")
            asked = post(c, channel_user_id="visitor-p1", text="我的快递到哪了")
            # no SMS in production: the guest is asked to sign in, and sees no orders
            assert "登录" in said(asked) and not ORDER_DATA.search(said(asked))
            assert not re.search(r"(?<!\d)\d{6}(?!\d)", said(asked))

            token = issue_customer_token("C1001", PRODUCTION_SECRETS["secret_key"])
            signed = post(
                c,
                channel_user_id="visitor-p1",
                token=token,
                conversation_id=asked["conversation_id"],
                text="我登录好了",
            )
            # the question asked as a guest is answered now, in the same conversation
            assert signed["conversation_id"] == asked["conversation_id"]
            assert "ZT7788990011" in said(signed)
            again = post(c, channel_user_id="visitor-p1", token=token, text="我的快递到哪了")
            assert "ZT7788990011" in said(again)

            mine = c.get("/api/v1/conversations", headers={"Authorization": f"Bearer {token}"})
            assert mine.status_code == 200
            assert browsing["conversation_id"] in {x["id"] for x in mine.json()}
            # the identity is C1001's now: without the token it opens nothing
            unsigned = c.post(
                "/api/v1/messages",
                json={"channel": "web", "channel_user_id": "visitor-p1", "text": "我的快递到哪了"},
            )
            assert unsigned.status_code == 401 and "ZT77" not in unsigned.text

            # a token never takes over another customer's identity (C1001's app id) for C1003
            other = issue_customer_token("C1003", PRODUCTION_SECRETS["secret_key"])
            post(c, channel="app", channel_user_id="app-u-77001", token=other, text="你好")
            owner = shop.commerce.find_customer_by_identity("app", "app-u-77001")
            assert owner is not None and owner.id == "C1001"
    finally:
        shop.close()
