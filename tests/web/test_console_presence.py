"""Presence in the console: the agent sets it; signing out and closing the last console tab go
offline; supervisors (on the dashboard or anywhere) are routed no chats unless they choose to be."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import (
    close_chat,
    fresh_handoff,
    set_status,
    sign_in,
    status_of,
    wait_status,
)

pytestmark = pytest.mark.browser


def test_an_agent_who_signs_out_is_offline_and_gets_no_new_chat(
    browser: Any, live_server: LiveServer
) -> None:
    a03 = live_server.login("A03")  # the API token, taken now: a login later would go online
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = context.new_page()
    sign_in(console, "A03")
    assert console.locator("[data-testid=presence]").input_value() == "online"
    wait_status(live_server, "A03", "online")

    # the agent sets presence: away takes no new chats either
    console.select_option("[data-testid=presence]", "away")
    wait_status(live_server, "A03", "away")
    console.select_option("[data-testid=presence]", "online")
    wait_status(live_server, "A03", "online")

    console.click("#logout")
    console.locator("[data-testid=login-submit]").wait_for()
    wait_status(live_server, "A03", "offline")
    handoff = fresh_handoff(live_server, "C1004", "I want to talk to a real person please")
    assert handoff["routed_to"] != "A03"
    a03_queue = live_server.api("GET", "/api/v1/agent/queue", headers=a03)
    assert handoff["conversation_id"] not in [
        q["conversation_id"] for q in a03_queue.json() if q.get("routed_to") == "A03"
    ]
    context.close()
    close_chat(live_server, handoff["conversation_id"])


def test_closing_the_last_console_tab_goes_offline(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    first = context.new_page()
    sign_in(first, "A01")
    wait_status(live_server, "A01", "online")
    # a second console tab of the same browser
    second = context.new_page()
    sign_in(second, "A01")
    second.wait_for_selector("body[data-unread]")

    first.close(run_before_unload=True)
    time.sleep(1)
    assert status_of(live_server, "A01") == "online"  # one console tab is still open

    second.close(run_before_unload=True)
    wait_status(live_server, "A01", "offline")
    context.close()


def test_a_supervisor_on_the_dashboard_is_not_routed_chats_unless_they_choose(
    browser: Any, live_server: LiveServer
) -> None:
    # nobody but the supervisor could serve an English customer now
    set_status(live_server, "A03", "offline")
    set_status(live_server, "S01", "offline")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    board = context.new_page()
    board.goto("/dashboard")
    board.fill("[data-testid=login-agent]", "S01")
    board.fill("[data-testid=login-password]", "demo")
    board.click("[data-testid=login-submit]")
    board.wait_for_selector("body[data-loaded='1']")
    assert status_of(live_server, "S01") == "offline"
    waiting = fresh_handoff(live_server, "C1004", "I want to talk to a real person please")
    assert waiting["routed_to"] is None

    # the supervisor opens the console: still no chats until choosing to take them
    console = context.new_page()
    sign_in(console, "S01")
    assert status_of(live_server, "S01") == "offline"
    console.locator("[data-testid=presence][data-status=offline]").wait_for()
    assert console.locator("[data-testid=presence]").input_value() == "offline"
    assert console.locator("#presence-hint").is_visible()
    console.select_option("[data-testid=presence]", "online")
    wait_status(live_server, "S01", "online")
    taken = fresh_handoff(live_server, "C1004", "Can I talk to a person about my order")
    assert taken["routed_to"] == "S01"
    set_status(live_server, "S01", "offline")
    context.close()
    close_chat(live_server, taken["conversation_id"])


def test_a_refused_sign_in_is_explained_in_the_agents_language(page: Any) -> None:
    page.goto("/console")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("[data-testid=login-agent]", "A99")
    page.fill("[data-testid=login-password]", "not-the-password")
    page.click("[data-testid=login-submit]")
    error = page.locator("#login .error")
    error.filter(has_text="工号或密码错误").wait_for()
    assert "wrong" not in error.inner_text()
