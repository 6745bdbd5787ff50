"""Notes, tags, a supervisor's whisper and the customer's past conversations in the console's side
panel; the customer's own chat page never shows a word of the notes or the whisper."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import close_chat, fresh_handoff, give_to, sign_in

pytestmark = pytest.mark.browser

NOTE = "顾客说包裹外箱破损，已让其拍照"
WHISPER = "可以直接补发，不用走退货"


def test_an_agent_notes_and_tags_a_chat_and_reads_the_supervisors_whisper(
    browser: Any, live_server: LiveServer
) -> None:
    earlier = fresh_handoff(live_server, "C1005", "我要找人工客服")
    close_chat(live_server, earlier["conversation_id"])
    waiting = fresh_handoff(live_server, "C1005", "快递盒子压坏了，转人工")
    conversation_id = waiting["conversation_id"]
    give_to(live_server, conversation_id, "A02")

    agent_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = agent_context.new_page()
    sign_in(console, "A02", "/console?poll_ms=300")
    item = console.locator(f"[data-testid=my-chats] li[data-conversation-id='{conversation_id}']")
    item.locator("[data-testid=open-chat]").click()
    # the customer's earlier conversation is listed beside the chat
    console.locator(
        f"[data-testid=customer-past] li[data-conversation-id='{earlier['conversation_id']}']"
    ).wait_for()

    console.fill("[data-testid=tag-input]", "外箱破损")
    console.press("[data-testid=tag-input]", "Enter")
    console.locator("[data-testid=conv-tag]", has_text="外箱破损").wait_for()
    console.fill("[data-testid=note-input]", NOTE)
    console.click("[data-testid=note-add]")
    console.locator("[data-testid=conv-note]", has_text=NOTE).wait_for()
    assert console.locator("[data-testid=whisper-input]").is_hidden()  # agents do not whisper

    # the supervisor watches the chat and whispers to the agent serving it
    sup_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    supervisor = sup_context.new_page()
    sign_in(supervisor, "S01", "/console?poll_ms=300")
    live = supervisor.locator(
        f"[data-testid=live-chats] li[data-conversation-id='{conversation_id}']"
    )
    live.locator("[data-testid=watch-chat]").click()
    supervisor.locator("[data-testid=conv-note]", has_text=NOTE).wait_for()
    supervisor.fill("[data-testid=whisper-input]", WHISPER)
    supervisor.click("[data-testid=whisper-send]")
    console.locator("[data-testid=conv-whisper]", has_text=WHISPER).wait_for()

    # removing a tag from its chip
    console.locator("[data-testid=conv-tag]", has_text="外箱破损").locator("button").click()
    console.locator("[data-testid=conv-tag]").first.wait_for(state="detached")

    # the customer's page: the chat, never the notes or the whisper
    shopper = agent_context.new_page()
    shopper.goto("/?customer=C1005&channel=web")
    shopper.wait_for_selector("body[data-ready='1']")
    shopper.locator("[data-testid=chat-log] li.msg.customer", has_text="转人工").wait_for()
    text = shopper.locator("[data-testid=chat-log]").inner_text()
    assert NOTE not in text and WHISPER not in text and "外箱破损" not in text
    sup_context.close()
    agent_context.close()
    close_chat(live_server, conversation_id)
