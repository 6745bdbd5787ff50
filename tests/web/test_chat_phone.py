"""The chat page on a 390×844 phone: one compact header row, and the input and send button stay
on screen however long the conversation gets (the page itself never scrolls them away)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _inside_the_screen(page: Any, testid: str) -> None:
    box = page.locator(f"[data-testid={testid}]").bounding_box()
    assert box is not None, testid
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (testid, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (testid, box)


def test_on_a_phone_the_chat_input_stays_on_screen(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto("/?customer=C1002&channel=app")
    page.wait_for_selector("body[data-ready='1']")
    header = page.locator("header.bar").bounding_box()
    assert header is not None and header["height"] <= 64, header
    _inside_the_screen(page, "chat-input")
    _inside_the_screen(page, "chat-send")

    log = page.locator("[data-testid=chat-log]")
    for n, text in enumerate(("优惠券怎么用", "能开发票吗", "L码适合多高的人", "耳机什么时候补货")):
        page.fill("[data-testid=chat-input]", text)
        page.click("[data-testid=chat-send]")
        log.locator("li.msg.bot").nth(n).wait_for()
    _inside_the_screen(page, "chat-input")
    _inside_the_screen(page, "chat-send")
    # the log scrolls inside itself; the page does not grow past the screen
    assert page.evaluate("document.documentElement.scrollHeight") <= PHONE["height"]
    context.close()
