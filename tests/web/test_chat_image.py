"""A customer's photo reaches the agent: picked on the chat page, checked and stored by the
server, shown in the customer's log and in the agent's console."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import close_chat, fresh_handoff, give_to, sign_in

pytestmark = pytest.mark.browser

_LOADED = "(img) => img.complete && img.naturalWidth > 0"


def png(width: int = 8, height: int = 6) -> bytes:
    """A real, small PNG (red pixels), as a phone would send."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_a_photo_the_customer_sends_reaches_the_agent(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    waiting = fresh_handoff(live_server, "C1001", "衣服有破洞，我要找人工")
    conversation_id = waiting["conversation_id"]
    give_to(live_server, conversation_id, "A02")

    page.goto("/?customer=C1001&channel=web")
    page.locator("[data-testid=chat-status][data-status=with_agent]").wait_for()
    # already with a person: the chips no longer offer to ask for one
    page.locator("[data-testid=chat-chips] button").first.wait_for()
    assert "转人工" not in page.locator("[data-testid=chat-chips]").inner_text()
    page.set_input_files(
        "[data-testid=chat-image-input]",
        files=[{"name": "defect.png", "mimeType": "image/png", "buffer": png()}],
    )
    mine = page.locator("[data-testid=chat-log] li.customer img[data-testid=chat-photo]").last
    mine.wait_for()
    page.wait_for_function(_LOADED, arg=mine.element_handle())

    # a file that is not an image is refused on the page, and nothing is sent
    page.set_input_files(
        "[data-testid=chat-image-input]",
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}],
    )
    page.locator("[data-testid=chat-log] li.notice", has_text="只支持").wait_for()

    console = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    sign_in(console, "A02")
    item = console.locator(f"[data-testid=my-chats] li[data-conversation-id='{conversation_id}']")
    item.locator("[data-testid=open-chat]").click()
    shown = console.locator("[data-testid=history] li.customer img[data-testid=history-image]")
    shown.last.wait_for()
    console.wait_for_function(_LOADED, arg=shown.last.element_handle())
    assert console.evaluate("(img) => img.naturalWidth", shown.last.element_handle()) == 8
    # the customer panel speaks the agent's language: no internal codes
    orders = console.locator("[data-testid=customer-orders]").inner_text()
    assert "已发货" in orders and "shipped" not in orders
    assert "P1001×" not in orders and "×1" in orders
    profile = console.locator("[data-testid=customer-profile]").inner_text()
    assert "黄金会员" in profile and "gold" not in profile
    history = live_server.api(
        "GET", f"/api/v1/agent/conversations/{conversation_id}", headers=live_server.login("A02")
    ).json()["messages"]
    images = [m for m in history if m.get("image")]
    assert len(images) == 1 and images[0]["image"]["content_type"] == "image/png"
    assert page.errors == [] and console.context.pages[0] is console
    console.context.close()
    close_chat(live_server, conversation_id)
