"""Transfer from the console: to a group by its name or to a colleague who is online, with a note
the next agent reads on the queue card; the chat leaves the agent who passed it on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import close_chat, fresh_handoff, give_to, say, set_status, sign_in

pytestmark = pytest.mark.browser


def test_an_agent_transfers_a_chat_to_an_online_colleague_with_a_note(
    browser: Any, live_server: LiveServer
) -> None:
    set_status(live_server, "A01", "online")
    set_status(live_server, "S01", "offline")
    waiting = fresh_handoff(live_server, "C1006", "我要换货，转人工")
    conversation_id = waiting["conversation_id"]
    give_to(live_server, conversation_id, "A02")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = context.new_page()
    sign_in(console, "A02")
    item = console.locator(f"[data-testid=my-chats] li[data-conversation-id='{conversation_id}']")
    item.locator("[data-testid=open-chat]").click()
    target = console.locator("[data-testid=transfer-to]")
    # groups by their names, colleagues by name, only those online
    target.locator("option[value='skill:after_sales']", has_text="售后").wait_for(state="attached")
    target.locator("option[value='agent:A01']", has_text="张敏").wait_for(state="attached")
    assert target.locator("option[value='agent:S01']").count() == 0  # the supervisor is offline
    target.select_option("agent:A01")
    console.fill("[data-testid=transfer-note]", "顾客要换L码，订单已核实")
    console.click("[data-testid=transfer]")
    item.wait_for(state="detached")

    queue = live_server.api("GET", "/api/v1/agent/queue", headers=live_server.login("A01")).json()
    card = next(q for q in queue if q["conversation_id"] == conversation_id)
    assert card["routed_to"] == "A01"
    assert "顾客要换L码，订单已核实" in card["summary"]
    context.close()
    close_chat(live_server, conversation_id)


def test_canned_replies_are_filled_from_the_order_the_customer_named(
    browser: Any, live_server: LiveServer
) -> None:
    waiting = fresh_handoff(live_server, "C1001", "我要找人工客服")
    conversation_id = waiting["conversation_id"]
    give_to(live_server, conversation_id, "A02")
    say(live_server, "C1001", "E2026111100001 这单的快递到哪了")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = context.new_page()
    sign_in(console, "A02")
    item = console.locator(f"[data-testid=my-chats] li[data-conversation-id='{conversation_id}']")
    item.locator("[data-testid=open-chat]").click()
    console.locator("[data-testid=history] li.customer", has_text="这单的快递").wait_for()
    reply = console.locator("[data-testid=reply-input]")
    reply.press_sequentially("/wl")
    first = console.locator("[data-testid=canned-item]").first
    first.wait_for()
    assert "物流进度" in first.inner_text()
    reply.press("Enter")  # takes the canned reply; a second Enter sends it
    text = reply.input_value()
    assert "E2026111100001" in text and "已发货" in text and "{" not in text
    reply.press("Enter")
    sent = console.locator("[data-testid=history] li.agent", has_text="E2026111100001")
    sent.wait_for()
    assert reply.input_value() == ""

    # the reply worked: the agent proposes it for the knowledge base, with the customer's question
    sent.locator("[data-testid=propose]").click()
    question = sent.locator("[data-testid=propose-question]")
    assert question.input_value() == "E2026111100001 这单的快递到哪了"
    question.fill("我的快递到哪了")
    sent.locator("[data-testid=propose-submit]").click()
    sent.locator("[data-testid=proposed]").wait_for()
    pending = live_server.api(
        "GET", "/api/v1/admin/kb/proposals?status=pending", headers=live_server.login("S01")
    ).json()
    assert any(
        p["question"] == "我的快递到哪了" and "E2026111100001" in p["answer"] for p in pending
    )
    context.close()
    close_chat(live_server, conversation_id)


def test_a_supervisor_sees_every_live_chat_and_moves_one_to_another_agent(
    browser: Any, live_server: LiveServer
) -> None:
    set_status(live_server, "A01", "online")
    waiting = fresh_handoff(live_server, "C1005", "我要找真人客服")
    conversation_id = waiting["conversation_id"]
    give_to(live_server, conversation_id, "A02")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = context.new_page()
    sign_in(console, "S01")
    live = console.locator(f"[data-testid=live-chats] li[data-conversation-id='{conversation_id}']")
    live.wait_for()
    assert "李强（A02）" in live.inner_text()
    # reading it (supervisors may) and moving it to a colleague who is online
    live.locator("[data-testid=watch-chat]").click()
    console.locator("[data-testid=history] li.customer", has_text="真人客服").wait_for()
    live.locator("[data-testid=reassign]").select_option("A01")
    console.locator(
        f"[data-testid=live-chats] li[data-conversation-id='{conversation_id}']",
        has_text="张敏（A01）",
    ).wait_for()
    mine = live_server.api("GET", "/api/v1/agent/conversations", headers=live_server.login("A01"))
    assert conversation_id in [c["conversation_id"] for c in mine.json()]
    context.close()
    close_chat(live_server, conversation_id)
