"""The admin page: a supervisor edits the knowledge base and sees every back-office section;
a section whose API refuses shows the refusal instead of breaking the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def _sign_in(page: Any, agent: str) -> None:
    page.goto("/admin")
    page.fill("[data-testid=login-agent]", agent)
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")


def test_a_supervisor_creates_a_knowledge_entry_and_opens_every_section(
    page: Any, live_server: LiveServer
) -> None:
    _sign_in(page, "S01")
    page.locator("[data-testid=kb-list] tbody tr").first.wait_for()
    page.click("[data-testid=kb-new]")
    page.fill("[data-testid=kb-id]", "web-test-gift-wrap")
    page.fill("[data-testid=kb-question]", "可以包装成礼物吗")
    page.fill("[data-testid=kb-answer-zh-CN]", "可以，下单时备注“礼品包装”即可，免费。")
    page.click("[data-testid=kb-save]")
    page.locator("[data-testid=kb-list] td", has_text="web-test-gift-wrap").wait_for()
    stored = live_server.api(
        "GET", "/api/v1/admin/kb/entries/web-test-gift-wrap", headers=live_server.login("S01")
    )
    assert stored.status_code == 200 and stored.json()["question"] == "可以包装成礼物吗"

    for tab in ("proposals", "promotions", "coupons", "words", "agents"):
        page.click(f"[data-testid=tab-{tab}]")
        section = page.locator(f"[data-testid=section-{tab}]")
        section.locator("table, .empty, [data-testid=section-error]").first.wait_for()
    assert "A01" in page.locator("[data-testid=section-agents]").inner_text()
    assert page.errors == []


def test_an_agent_without_admin_rights_sees_the_refusal_not_a_broken_page(
    page: Any, live_server: LiveServer
) -> None:
    _sign_in(page, "A01")
    error = page.locator("[data-testid=section-kb] [data-testid=section-error]")
    error.wait_for()
    assert error.inner_text()
    page.click("[data-testid=tab-promotions]")
    page.locator("[data-testid=section-promotions] [data-testid=section-error]").wait_for()
    assert page.errors == []
