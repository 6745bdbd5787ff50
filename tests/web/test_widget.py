"""The widget on a shop's own site (another origin, a strict CSP): one script tag gives a launcher
with the shop's name, welcome and hours; the chat opens in kefu's frame, a guest stays one guest
across reloads, taps a product card, sends an emoji, leaves a 留言 while nobody is online, sees
已读 when a person reads, and rates with labels and 问题解决了吗. On a 390×844 phone the chat
takes the screen and the input stays on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.web.conftest import LiveServer
from tests.web.desk_steps import set_status
from tests.web.test_chat_image import png

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _shop_page(live: LiveServer) -> bytes:
    # the shop's own CSP names kefu for the script, its API and its frame, and nothing inline
    kefu = live.url
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' {kefu};
 connect-src 'self' {kefu}; frame-src {kefu}; style-src 'self'; img-src 'self'">
<title>云杉优选 · 羽绒服</title></head>
<body><h1>轻暖羽绒服</h1><p>shop page</p>
<script src="{kefu}/widget.js" data-product="P1003" async></script></body></html>""".encode()


@pytest.fixture(scope="module")
def shop_site(live_server: LiveServer) -> Iterator[str]:
    """The shop's own site: a server of its own (another origin than kefu's)."""
    body = _shop_page(live_server)

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/a-shop-page"
    server.shutdown()


@pytest.fixture
def shop_context(browser: Any, live_server: LiveServer, shop_site: str) -> Iterator[Any]:
    shop = shop_site.rsplit("/", 1)[0]

    def make(**options: Any) -> Any:
        context = browser.new_context(locale="zh-CN", **options)

        def guard(route: Any) -> None:
            url = route.request.url
            local = (shop, live_server.url, live_server.url.replace("http", "ws", 1))
            if url.startswith(local):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", guard)
        context.shop = shop_site
        made.append(context)
        return context

    made: list[Any] = []
    yield make
    for context in made:
        context.close()


def _open(page: Any) -> Any:
    page.goto(page.context.shop)
    launcher = page.locator("[data-kefu=launcher]")
    launcher.filter(has_text="云杉优选").wait_for()
    launcher.click()
    page.locator("[data-kefu=frame]").wait_for()
    frame = page.frame_locator("[data-kefu=frame]")
    frame.locator("body[data-ready='1']").wait_for()
    return frame


def _widget_frame(page: Any) -> Any:
    return next(f for f in page.frames if "/widget" in f.url)


def test_a_guest_chats_through_the_widget_on_the_shops_site(
    shop_context: Any, live_server: LiveServer
) -> None:
    for agent in ("A01", "A02", "A03"):
        set_status(live_server, agent, "offline")  # nobody online: the widget offers 留言
    context = shop_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(context.shop)
    page.locator("[data-kefu=launcher]").filter(has_text="云杉优选").wait_for()
    welcome = page.locator("[data-kefu=welcome]")
    assert "欢迎光临云杉优选" in welcome.inner_text()
    assert "09:00–24:00" in page.locator("[data-kefu=hours]").inner_text()

    frame = _open(page)
    assert frame.locator("[data-testid=widget-shop]").inner_text() == "云杉优选"
    assert "09:00–24:00" in frame.locator("[data-testid=widget-hours]").inner_text()
    frame.locator("[data-testid=widget-nobody]").wait_for()

    # 留言 while nobody is online: an empty one is refused on the spot, a real one is a ticket
    frame.locator("[data-testid=widget-leave-open]").click()
    frame.locator("[data-testid=leave-submit]").click()
    assert "留言" in frame.locator("#leave-error").inner_text()
    frame.locator("[data-testid=leave-text]").fill("羽绒服L码什么时候补货？到了请告诉我")
    frame.locator("[data-testid=leave-phone]").fill("13800002222")
    frame.locator("[data-testid=leave-submit]").click()
    done = frame.locator("[data-testid=widget-leave-done]")
    done.wait_for()
    ticket_id = done.inner_text().split("工单号 ")[1].split("）")[0]
    ticket = live_server.api(
        "GET", f"/api/v1/agent/tickets/{ticket_id}", headers=live_server.login("S01")
    )
    assert ticket.status_code == 200 and "13800002222" in ticket.text

    # the product card of the page the shopper is on: one tap asks about it
    card = frame.locator("[data-testid=widget-product-card]")
    assert "P1003" not in card.inner_text()  # the name, not a code
    card.click()
    log = frame.locator("[data-testid=widget-log]")
    log.locator("li.w-msg.customer").filter(has_text="P1003").wait_for()
    log.locator("li.w-msg.bot").first.wait_for()

    # emoji go into the text where the cursor is
    frame.locator("[data-testid=widget-input]").fill("谢谢")
    frame.locator("[data-testid=widget-emoji]").click()
    frame.locator("[data-testid=widget-emoji-panel] button[aria-label='👍']").click()
    assert frame.locator("[data-testid=widget-input]").input_value() == "谢谢👍"
    frame.locator("[data-testid=widget-send]").click()
    log.locator("li.w-msg.customer").filter(has_text="谢谢👍").wait_for()

    frame.locator("[data-testid=widget-input]").fill("转人工")
    frame.locator("[data-testid=widget-input]").press("Enter")
    visitor = _widget_frame(page).evaluate("localStorage.getItem('kefu.widget.visitor')")
    kefu = live_server.kefu
    guest = kefu.commerce.find_customer_by_identity("web", visitor)
    assert guest is not None and guest.id.startswith("G")
    log.locator("li.w-msg.customer").filter(has_text="转人工").wait_for()
    conversation = kefu.dialogue.store.latest_open(guest.id)
    assert conversation is not None

    # a photo of the defect: shown in the widget (a guest's own photo) and to the agent
    frame.locator("[data-testid=widget-photo-input]").set_input_files(
        files=[{"name": "defect.png", "mimeType": "image/png", "buffer": png()}]
    )
    photo = log.locator("li.w-msg.customer img.photo")
    photo.wait_for()
    page.wait_for_timeout(200)
    assert photo.evaluate("img => img.complete && img.naturalWidth") > 0

    # a person reads and answers: 已读 under the shopper's messages, the reply shows up
    sup = live_server.login("S01")
    base = f"/api/v1/agent/conversations/{conversation.id}"
    assert live_server.api("POST", base + "/accept", headers=sup).status_code == 200
    assert live_server.api("GET", base, headers=sup).status_code == 200
    log.locator("li.w-msg.customer [data-testid=receipt][data-read='1']").last.wait_for()
    assert "已读" in log.locator("li.w-msg.customer [data-testid=receipt]").last.inner_text()
    sent = live_server.api(
        "POST", base + "/messages", headers=sup, json={"text": "您好，L码下周到货"}
    )
    assert sent.status_code == 200, sent.text
    log.locator("li.w-msg.agent").filter(has_text="L码下周到货").wait_for()
    view = live_server.api("GET", base, headers=sup).json()
    assert any(m.get("image") for m in view["messages"])

    # a reload of the shop's page: the same guest, the same conversation
    page.reload()
    frame = _open(page)
    log = frame.locator("[data-testid=widget-log]")
    log.locator("li.w-msg.agent").filter(has_text="L码下周到货").wait_for()
    assert _widget_frame(page).evaluate("localStorage.getItem('kefu.widget.visitor')") == visitor

    # closed: the rating card, with labels and 问题解决了吗
    closed = live_server.api("POST", base + "/close", headers=sup, json={"resolution": "已答复"})
    assert closed.status_code == 200, closed.text
    rating = frame.locator("[data-testid=widget-rating]")
    rating.wait_for()
    assert "满意" in rating.inner_text() and "问题解决了吗" in rating.inner_text()
    frame.locator("[data-testid=widget-rating-4]").click()
    assert frame.locator("[data-testid=widget-rating-label]").inner_text() == "满意"
    frame.locator("[data-testid=resolved-no]").click()
    frame.locator("[data-testid=widget-rating-submit]").click()
    rating.wait_for(state="hidden")
    survey = kefu.desk.surveys.latest_for_conversation(conversation.id)
    assert survey is not None and survey.score == 4
    assert errors == []


def test_on_a_phone_the_widget_takes_the_screen_and_keeps_the_input_on_it(
    shop_context: Any, live_server: LiveServer
) -> None:
    context = shop_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    frame = _open(page)
    box = page.locator("[data-kefu=frame]").bounding_box()
    assert box is not None and box["width"] == PHONE["width"] and box["height"] == PHONE["height"]
    for n, text in enumerate(("优惠券怎么用", "能开发票吗", "L码适合多高的人")):
        frame.locator("[data-testid=widget-input]").fill(text)
        frame.locator("[data-testid=widget-send]").click()
        frame.locator("li.w-msg.bot").nth(n).wait_for()
    for testid in ("widget-input", "widget-send", "widget-close"):
        inner = frame.locator(f"[data-testid={testid}]").bounding_box()
        assert inner is not None, testid
        assert inner["y"] >= 0 and inner["y"] + inner["height"] <= PHONE["height"], (testid, inner)
        assert inner["x"] >= 0 and inner["x"] + inner["width"] <= PHONE["width"], (testid, inner)
    # closing the chat gives the shop's page back, with the launcher
    frame.locator("[data-testid=widget-close]").click()
    page.locator("[data-kefu=frame]").wait_for(state="hidden")
    page.locator("[data-kefu=launcher]").wait_for()
