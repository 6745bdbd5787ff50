"""The pages are served by the API process, ship their own assets and never reference a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.routes.pages import STATIC_DIR
from kefu.config import Mode, Settings
from kefu.resources import data_path
from kefu.wiring import Kefu


@pytest.fixture
def web(sqlite_settings: Settings) -> Iterator[TestClient]:
    from kefu.api.app import create_app

    kefu = Kefu.start(sqlite_settings)
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c
    kefu.close()


@pytest.mark.parametrize(
    ("path", "hooks"),
    [
        ("/", ["chat-input", "chat-send", "chat-log"]),
        ("/console", ["login-agent", "login-password", "login-submit", "queue", "reply-input"]),
        ("/dashboard", ["login-agent", "chart-volume"]),
        ("/admin", ["login-agent", "section-kb"]),
    ],
)
def test_each_page_is_served_with_its_test_hooks(
    web: TestClient, path: str, hooks: list[str]
) -> None:
    r = web.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for hook in hooks:
        assert f'data-testid="{hook}"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_pages_and_scripts_load_nothing_from_other_hosts(web: TestClient) -> None:
    sources = [web.get(p).text for p in ("/", "/console", "/dashboard", "/admin")]
    sources += [p.read_text(encoding="utf-8") for p in (STATIC_DIR / "js").glob("*.js")]
    sources.append((STATIC_DIR / "style.css").read_text(encoding="utf-8"))
    for text in sources:
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", text)
        assert "@import" not in text and "fonts.googleapis" not in text


def test_static_files_and_strings_are_served(web: TestClient) -> None:
    js = web.get("/static/js/chat.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "zh-TW" in web.get("/static/i18n.json").json()
    assert web.get("/static/nope.js").status_code == 404


def test_customer_facing_strings_exist_in_all_three_languages() -> None:
    import json

    strings = json.loads((STATIC_DIR / "i18n.json").read_text(encoding="utf-8"))
    # the chat page and the widget on the shop's site are the customer's
    chat_keys = {k for k in strings["zh-CN"] if k.startswith(("chat.", "widget."))}
    for lang in ("zh-TW", "en"):
        assert chat_keys <= set(strings[lang]), f"{lang} misses {chat_keys - set(strings[lang])}"
    assert strings["zh-CN"]["chat.starters"] == [
        "我的订单到哪了",
        "我要退货",
        "优惠怎么用",
        "转人工",
    ]
    widget = json.loads(data_path("desk", "widget.json").read_text(encoding="utf-8"))
    for texts in (widget["shop_name"], widget["welcome"], widget["hours"]):
        assert set(texts) == {"zh-CN", "zh-TW", "en"} and all(texts.values())


def test_pages_never_put_text_into_html(web: TestClient) -> None:
    for script in [*(STATIC_DIR / "js").glob("*.js"), STATIC_DIR / "widget-loader.js"]:
        text = script.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "outerHTML" not in text, script.name
        assert "insertAdjacentHTML" not in text and "document.write" not in text, script.name


def test_demo_customers_list_the_demo_shop(web: TestClient) -> None:
    customers = web.get("/api/v1/demo/customers").json()
    c1001 = next(c for c in customers if c["id"] == "C1001")
    assert c1001["vip"] == "gold" and c1001["lang"] == "zh-CN" and c1001["name"]
    assert {c["lang"] for c in customers} >= {"zh-CN", "en"}


def test_demo_endpoints_do_not_exist_in_production(tmp_path: Path) -> None:
    from kefu.api.app import create_app

    kefu = Kefu.start(
        Settings(
            data_dir=tmp_path,
            mode=Mode.PRODUCTION,
            secret_key="5d0b8e2f9a61c47e3b18f6a2d9c04e7b1a5f83d2",
            wechat_token="Hn4Tq8Zr2Vx6Lm9Pw3Ky7Bc5",
            webhook_secret="e7a93c1f50d4b82e6a0c9f71d3b58e24a6c0f19b",
        )
    )
    try:
        with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
            assert c.get("/api/v1/demo/customers").status_code == 404
            assert c.get("/").status_code == 200
    finally:
        kefu.close()


def test_a_customer_follows_only_their_own_conversation(web: TestClient) -> None:
    sent = web.post(
        "/api/v1/messages", json={"channel": "web", "customer_id": "C1001", "text": "你好"}
    ).json()
    cid = sent["conversation_id"]
    mine = web.get(f"/api/v1/demo/conversations/{cid}?customer_id=C1001")
    assert mine.status_code == 200 and mine.json()["status"] == sent["status"]
    assert web.get(f"/api/v1/demo/conversations/{cid}?customer_id=C1002").status_code == 404
