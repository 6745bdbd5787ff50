"""The agent's open chats come from the server: a new sign-in on a fresh browser lists every one,
with the customer's name, the unread count and the last message. A customer message in a chat the
agent is not looking at raises an unread badge, the count in the tab's title, a sound (which can
be muted) and a desktop notification (when permitted)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import close_chat, fresh_handoff, give_to, say, sign_in

pytestmark = pytest.mark.browser

# records desktop notifications instead of showing them (a headless browser shows none)
_SPY_NOTIFICATIONS = """
window.__notes = [];
class FakeNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__notes.push({ title, body: (options || {}).body }); }
}
window.Notification = FakeNotification;
"""


def _chat_item(console: Any, conversation_id: str) -> Any:
    return console.locator(f"[data-testid=my-chats] li[data-conversation-id='{conversation_id}']")


def test_signing_in_again_on_a_fresh_browser_lists_every_open_chat(
    browser: Any, live_server: LiveServer
) -> None:
    first = fresh_handoff(live_server, "C1006", "我要人工客服")
    second = fresh_handoff(live_server, "C1005", "我要找真人客服")
    for entry in (first, second):
        give_to(live_server, entry["conversation_id"], "A02")
    say(live_server, "C1006", "请问我的退款什么时候到账")

    # nothing in this browser knows these chats: they can only come from the server
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    console = context.new_page()
    sign_in(console, "A02")
    mine = _chat_item(console, first["conversation_id"])
    mine.wait_for()
    assert "刘洋" in mine.inner_text()
    assert "请问我的退款什么时候到账" in mine.locator("[data-testid=last-message]").inner_text()
    assert int(mine.locator("[data-testid=unread]").inner_text()) >= 2
    other = _chat_item(console, second["conversation_id"])
    assert "陳小明" in other.inner_text()

    # keyboard-first: Alt+↓ moves between the open chats
    console.keyboard.press("Alt+ArrowDown")
    console.locator("[data-testid=my-chats] li.on").wait_for()
    first_open = console.locator("[data-testid=my-chats] li.on").get_attribute(
        "data-conversation-id"
    )
    console.keyboard.press("Alt+ArrowDown")
    console.wait_for_selector(
        f"[data-testid=my-chats] li.on:not([data-conversation-id='{first_open}'])"
    )
    # opening a chat shows its history and clears its badge, on the server too
    mine.locator("[data-testid=open-chat]").click()
    console.locator("[data-testid=history] li.customer", has_text="退款什么时候到账").wait_for()
    mine.locator("[data-testid=unread]").wait_for(state="detached")
    listed = live_server.api(
        "GET", "/api/v1/agent/conversations", headers=live_server.login("A02")
    ).json()
    assert (
        next(c for c in listed if c["conversation_id"] == first["conversation_id"])["unread"] == 0
    )
    context.close()
    for entry in (first, second):
        close_chat(live_server, entry["conversation_id"])


def test_a_message_in_a_chat_not_on_screen_raises_a_badge_the_title_a_sound_and_a_notice(
    browser: Any, live_server: LiveServer
) -> None:
    looking = fresh_handoff(live_server, "C1001", "转人工")
    elsewhere = fresh_handoff(live_server, "C1003", "我要人工服务")
    for entry in (looking, elsewhere):
        give_to(live_server, entry["conversation_id"], "A01")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.add_init_script(_SPY_NOTIFICATIONS)
    console = context.new_page()
    sign_in(console, "A01")
    for entry in (looking, elsewhere):
        item = _chat_item(console, entry["conversation_id"])
        item.locator("[data-testid=open-chat]").click()
        item.locator("[data-testid=unread]").wait_for(state="detached")
    _chat_item(console, looking["conversation_id"]).locator("[data-testid=open-chat]").click()
    console.locator("[data-testid=history] li.customer", has_text="转人工").wait_for()
    console.wait_for_selector("body[data-unread='0']")
    assert not console.title().startswith("(")

    say(live_server, "C1003", "人呢？？？")
    badge = _chat_item(console, elsewhere["conversation_id"]).locator("[data-testid=unread]")
    badge.wait_for()
    assert badge.inner_text() == "1"
    assert console.title().startswith("(1)")
    assert console.evaluate("Number(document.body.dataset.dings || 0)") >= 1
    notes = console.evaluate("window.__notes")
    assert any("王芳" in n["title"] and "人呢" in n["body"] for n in notes), notes
    # the chat on screen raises nothing
    assert (
        _chat_item(console, looking["conversation_id"]).locator("[data-testid=unread]").count() == 0
    )

    # muted: the next message still shows, silently
    dings = console.evaluate("Number(document.body.dataset.dings || 0)")
    console.click("[data-testid=mute]")
    say(live_server, "C1003", "在吗")
    console.wait_for_selector("body[data-unread='2']")
    assert console.title().startswith("(2)")
    assert console.evaluate("Number(document.body.dataset.dings || 0)") == dings
    context.close()
    for entry in (looking, elsewhere):
        close_chat(live_server, entry["conversation_id"])
