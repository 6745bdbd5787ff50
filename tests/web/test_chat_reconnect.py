"""The chat survives a dropped connection: it reconnects, resumes after the last message it saw,
resends what the customer typed meanwhile, and shows every message exactly once, in order.

The page's WebSocket runs through Playwright's ``route_web_socket``, a line the test can cut and
keep cut (connections refused) like a train going through a tunnel; the page and the server are
the real ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

NOTHING_PENDING = "() => !document.querySelector('[data-testid=chat-log] li.msg.pending')"
LOG_IDS = """() => [...document.querySelectorAll('[data-testid=chat-log] li.msg[data-id]')]
  .map((li) => li.dataset.id)"""


class Line:
    """The page's chat socket, passed through to the server until cut."""

    def __init__(self, page: Any) -> None:
        self.up = True
        self.cut_after_ack = False  # cut right after the server acknowledged a message
        self._open: list[Any] = []
        page.route_web_socket("**/api/v1/ws/chat*", self._connect)

    def _connect(self, ws: Any) -> None:
        if not self.up:
            ws.close(code=4000, reason="no network")
            return
        server = ws.connect_to_server()
        self._open.append(ws)

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if self.cut_after_ack and frame.get("type") == "ack":
                self.cut_after_ack = False
                ws.close(code=4000, reason="lost")  # the ack and what follows never arrive
                return
            ws.send(message)

        server.on_message(from_server)

    def cut(self) -> None:
        self.up = False
        for ws in self._open:
            ws.close(code=4000, reason="no network")
        self._open.clear()

    def restore(self) -> None:
        self.up = True


def _open_chat(page: Any, customer: str) -> Any:
    page.goto(f"/?customer={customer}&channel=web")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector("[data-testid=chat-connection][data-state='chat.connected']")
    return page.locator("[data-testid=chat-log]")


def _say(page: Any, text: str) -> None:
    page.fill("[data-testid=chat-input]", text)
    page.click("[data-testid=chat-send]")


def _stored_ids(live: LiveServer, conversation_id: str, customer: str) -> list[str]:
    r = live.api(
        "GET", f"/api/v1/conversations/{conversation_id}/messages", params={"customer_id": customer}
    )
    assert r.status_code == 200, r.text
    return [m["id"] for m in r.json()]


def test_after_a_dropped_connection_nothing_is_lost_or_shown_twice(
    page: Any, live_server: LiveServer
) -> None:
    line = Line(page)
    log = _open_chat(page, "C1004")
    _say(page, "我要找人工")
    log.locator("li.msg.customer:not(.pending)", has_text="我要找人工").wait_for()
    log.locator("li.msg.bot").last.wait_for()
    conversation_id = page.evaluate("() => sessionStorage.getItem('kefu.chat.C1004.web')")
    assert conversation_id
    s01 = live_server.login("S01")
    agent_path = f"/api/v1/agent/conversations/{conversation_id}"
    try:
        accepted = live_server.api("POST", f"{agent_path}/accept", headers=s01)
        assert accepted.status_code == 200, accepted.text
        page.wait_for_selector("[data-testid=chat-status][data-status=with_agent]")

        line.cut()
        page.wait_for_selector("[data-testid=chat-connection][data-state='chat.reconnecting']")
        # while the customer is away: the agent answers, and the customer writes
        agent_text = "您好，我是客服，马上为您查看"
        sent = live_server.api(
            "POST", f"{agent_path}/messages", headers=s01, json={"text": agent_text}
        )
        assert sent.status_code == 200, sent.text
        _say(page, "订单号 1001，麻烦看一下")
        assert log.locator("li.msg.customer.pending").count() == 1
        page.wait_for_timeout(1500)  # reconnect attempts are refused meanwhile
        assert log.locator("li.msg.agent").count() == 0
        assert log.locator("li.msg.customer.pending").count() == 1

        line.restore()
        log.locator("li.msg.agent", has_text=agent_text).wait_for()
        log.locator("li.msg.customer:not(.pending)", has_text="订单号 1001").wait_for()
        page.wait_for_function(NOTHING_PENDING)
        page.wait_for_selector("[data-testid=chat-connection][data-state='chat.connected']")

        stored = _stored_ids(live_server, conversation_id, "C1004")
        shown = page.evaluate(LOG_IDS)
        assert shown == stored  # every stored message once, in the stored order
        assert log.locator("li.msg.pending").count() == 0
        assert log.locator("li.msg.customer", has_text="订单号 1001").count() == 1
        assert page.errors == []
    finally:
        # the console tests ask for a person as this customer later: leave nothing open
        live_server.api("POST", f"{agent_path}/close", headers=s01, json={"resolution": "ok"})


def test_a_message_whose_answer_was_lost_is_resent_and_stored_once(
    page: Any, live_server: LiveServer
) -> None:
    line = Line(page)
    log = _open_chat(page, "C1001")
    line.cut_after_ack = True  # the server stores the message; the page never hears back
    _say(page, "优惠券怎么用")
    # the reconnect brings the stored message and the bot's answer; the resend's ack, no copy
    log.locator("li.msg.customer:has-text('优惠券怎么用') ~ li.msg.bot").first.wait_for()
    page.wait_for_function(NOTHING_PENDING)
    page.wait_for_selector("[data-testid=chat-connection][data-state='chat.connected']")
    assert not line.cut_after_ack  # the ack really was lost once

    conversation_id = page.evaluate("() => sessionStorage.getItem('kefu.chat.C1001.web')")
    r = live_server.api(
        "GET", f"/api/v1/conversations/{conversation_id}/messages", params={"customer_id": "C1001"}
    )
    asked = [m for m in r.json() if m["text"] == "优惠券怎么用"]
    assert len(asked) == 1  # the resend with the same client_msg_id was not stored again
    assert page.evaluate(LOG_IDS) == [m["id"] for m in r.json()]
    assert log.locator("li.msg.customer", has_text="优惠券怎么用").count() == 1
    assert page.errors == []
