"""Service notices outside WeChat's 48-hour window go out as the shop's template message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from kefu.channels.outbound import WechatTemplateSender
from kefu.runtime.shared import InProcessState
from kefu.store.channel_repo import Delivery


def test_the_template_sender_posts_the_notice_in_the_shops_template() -> None:
    calls: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "AT1", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    sender = WechatTemplateSender(
        "wxapp",
        "secret",
        "TPL-ORDER",
        InProcessState(),
        httpx.Client(transport=httpx.MockTransport(api)),
    )
    payload = {"text": "您的订单已发货：顺丰速运 SF1", "order_id": "E2026111100002"}
    now = datetime.now(UTC)
    sender.send(Delivery("d1", "wechat_template", "oWx_1", payload, "pending", 0, now, None))
    assert calls[-1].url.path == "/cgi-bin/message/template/send"
    body = json.loads(calls[-1].content)
    assert body["touser"] == "oWx_1" and body["template_id"] == "TPL-ORDER"
    assert body["data"]["first"]["value"].endswith("SF1")
    assert body["data"]["keyword1"]["value"] == "E2026111100002"
