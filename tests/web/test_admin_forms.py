"""The admin for operators: a knowledge edit the bot would never show (it answers that question
from a promotion rule or the catalogue) warns the operator and shows what the bot says instead;
a promotion made with the form (no JSON) is live and quotes correctly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def _sign_in(page: Any) -> None:
    page.goto("/admin")
    page.fill("[data-testid=login-agent]", "S01")
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")
    page.locator("[data-testid=kb-list] tbody tr").first.wait_for()


def _edit_entry(page: Any, entry_id: str) -> None:
    page.fill("[data-testid=kb-search]", entry_id)
    row = page.locator("[data-testid=kb-list] tbody tr", has_text=entry_id).first
    row.locator("[data-testid=kb-edit]").click()


def test_editing_an_answer_the_bot_takes_from_a_promotion_rule_warns_the_operator(
    page: Any, live_server: LiveServer
) -> None:
    _sign_in(page)
    _edit_entry(page, "free-shipping")
    # warned on opening the entry, before any time is spent on it
    early = page.locator("[data-testid=kb-editor] [data-testid=kb-shadow-warning]")
    early.wait_for()
    assert "促销规则" in early.inner_text()

    answer = page.locator("[data-testid=kb-answer-zh-CN]")
    answer.fill(answer.input_value().replace("99", "88"))
    page.click("[data-testid=kb-save]")
    warning = page.locator("[data-testid=section-kb] > [data-testid=kb-shadow-warning]")
    warning.wait_for()
    text = warning.inner_text()
    assert "促销规则" in text and "free-shipping" in text
    # what the bot really says, with the number from the rule
    assert "99元包邮" in text
    bot = live_server.api(
        "POST",
        "/api/v1/messages",
        json={"channel": "web", "customer_id": "C1006", "text": "满多少包邮"},
    ).json()
    assert "99" in bot["replies"][0]["text"]
    assert page.errors == []


def test_editing_an_answer_the_bot_does_use_raises_no_warning(
    page: Any, live_server: LiveServer
) -> None:
    _sign_in(page)
    entry = live_server.api(
        "GET", "/api/v1/admin/kb/entries/returns-no-reason", headers=live_server.login("S01")
    )
    assert entry.status_code == 200, entry.text
    _edit_entry(page, "returns-no-reason")
    page.click("[data-testid=kb-save]")
    page.locator("[data-testid=kb-list] td", has_text="returns-no-reason").first.wait_for()
    page.wait_for_timeout(300)
    assert page.locator("[data-testid=kb-shadow-warning]").count() == 0
    assert page.errors == []
