"""The customer chat page: a customer picks who they are, writes, and sees the bot answer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_a_customer_sends_a_message_and_sees_the_reply(page: Any, live_server: LiveServer) -> None:
    page.goto("/?customer=C1001&channel=web")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("[data-testid=chat-input]", "我的订单到哪了")
    page.click("[data-testid=chat-send]")
    log = page.locator("[data-testid=chat-log]")
    log.locator("li.msg.customer:not(.pending)", has_text="我的订单到哪了").wait_for()
    reply = log.locator("li.msg.bot").first
    reply.wait_for()
    assert reply.locator(".text").inner_text().strip()
    # live over the WebSocket, not the polling fallback
    assert page.locator("[data-testid=chat-connection]").get_attribute("data-state") == (
        "chat.connected"
    )
    assert page.errors == []


def test_starter_chips_in_the_customers_language_send_a_question(
    page: Any, live_server: LiveServer
) -> None:
    # C1005 writes traditional Chinese: the page and its starter questions follow
    page.goto("/?customer=C1005&channel=app")
    page.wait_for_selector("body[data-ready='1']")
    chips = page.locator("[data-testid=chat-chips] button")
    assert chips.first.inner_text() == "我的訂單到哪了"
    assert page.locator("[data-testid=chat-send]").inner_text() == "傳送"
    chips.filter(has_text="優惠怎麼用").click()
    page.locator("[data-testid=chat-log] li.msg.bot").first.wait_for()


def test_without_a_websocket_the_chat_falls_back_to_posting_and_polling(
    page: Any, live_server: LiveServer
) -> None:
    page.goto("/?customer=C1006&channel=email&transport=http")
    page.wait_for_selector("body[data-ready='1']")
    connection = page.locator("[data-testid=chat-connection]")
    assert connection.get_attribute("data-state") == "chat.offline_mode"
    page.fill("[data-testid=chat-input]", "我要退货")
    page.click("[data-testid=chat-send]")
    page.locator("[data-testid=chat-log] li.msg.bot").first.wait_for()
    assert page.locator("[data-testid=chat-log] li.msg.customer").count() == 1
