"""The agent console: sign in, take a handed-off chat from the queue, reply; the customer sees it.
Customer text is shown as text, never run as HTML."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def _customer_asks_for_a_person(page: Any, customer: str, text: str) -> str:
    page.goto(f"/?customer={customer}&channel=web")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("[data-testid=chat-input]", text)
    page.click("[data-testid=chat-send]")
    page.locator("[data-testid=chat-status][data-status=waiting_agent]").wait_for()
    conversation_id = page.evaluate(f"sessionStorage.getItem('kefu.chat.{customer}.web')")
    assert conversation_id
    return str(conversation_id)


def _agent_seeing(live: LiveServer, conversation_id: str) -> str:
    """The demo agent the desk offers this conversation to (routing decides, not the test)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for agent in ("A01", "A02", "A03", "S01"):
            queue = live.api("GET", "/api/v1/agent/queue", headers=live.login(agent)).json()
            if any(q["conversation_id"] == conversation_id for q in queue):
                return agent
        time.sleep(0.2)
    everything = live.api("GET", "/api/v1/agent/queue", headers=live.login("S01")).json()
    raise AssertionError(f"{conversation_id} is in no agent's queue; all: {everything}")


def _sign_in(console: Any, agent: str) -> None:
    console.goto("/console")
    console.fill("[data-testid=login-agent]", agent)
    console.fill("[data-testid=login-password]", "demo")
    console.click("[data-testid=login-submit]")
    console.locator("[data-testid=queue]").wait_for()


def test_an_agent_accepts_a_handed_off_chat_and_the_customer_sees_the_reply(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    conversation_id = _customer_asks_for_a_person(page, "C1002", "我要找人工")
    agent = _agent_seeing(live_server, conversation_id)

    console = page.context.browser.new_context(base_url=live_server.url).new_page()
    _sign_in(console, agent)
    item = console.locator(f"[data-testid=queue] li[data-conversation-id='{conversation_id}']")
    item.wait_for()
    assert "C1002" in item.inner_text()
    item.locator("[data-testid=accept]").click()
    console.locator("[data-testid=history] li.customer", has_text="我要找人工").wait_for()
    assert "C1002" in console.locator("[data-testid=customer-profile]").inner_text()
    console.fill("[data-testid=reply-input]", "您好，我是客服小李，请问有什么可以帮您？")
    typing = page.locator("[data-testid=chat-typing]")
    typing.wait_for()
    assert typing.inner_text() == "人工客服正在输入…"
    console.click("[data-testid=reply-send]")
    console.locator("[data-testid=history] li.agent", has_text="我是客服小李").wait_for()

    page.locator("[data-testid=chat-log] li.msg.agent", has_text="我是客服小李").wait_for()
    page.locator("[data-testid=chat-status][data-status=with_agent]").wait_for()

    # the agent closes the chat: the customer is asked to rate it, and the rating is stored
    console.fill("[data-testid=resolution]", "已转接售后处理")
    console.click("[data-testid=close]")
    page.locator("[data-testid=chat-rating]").wait_for()
    page.click("[data-testid=rating-5]")
    assert page.locator("[data-testid=rating-label]").inner_text() == "非常满意"
    page.fill("[data-testid=rating-comment]", "很快")
    page.click("[data-testid=rating-submit]")
    page.locator("[data-testid=chat-rating]").wait_for(state="hidden")
    overview = live_server.api(
        "GET", "/api/v1/analytics/overview?hours=1", headers=live_server.login("S01")
    ).json()
    assert overview["satisfaction"]["distribution"]["5"] >= 1
    console.context.close()


def test_a_script_in_a_customer_message_shows_as_text_in_the_console(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    payload = '转人工 <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    conversation_id = _customer_asks_for_a_person(page, "C1004", payload)
    agent = _agent_seeing(live_server, conversation_id)

    console = page.context.browser.new_context(base_url=live_server.url).new_page()
    _sign_in(console, agent)
    item = console.locator(f"[data-testid=queue] li[data-conversation-id='{conversation_id}']")
    item.locator("[data-testid=accept]").click()
    shown = console.locator("[data-testid=history] li.customer .text").first
    shown.wait_for()
    assert shown.inner_text() == payload
    assert console.locator("[data-testid=history] img").count() == 0
    assert console.locator("[data-testid=history] script").count() == 0
    assert console.evaluate("typeof window.__xss") == "undefined"
    # and the customer's own page shows it as text too
    assert page.locator("[data-testid=chat-log] img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    console.context.close()
