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
        json={"channel": "web", "customer_id": "C1003", "text": "满多少包邮"},
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


def test_a_promotion_made_with_the_form_is_live_and_quotes_correctly(
    page: Any, live_server: LiveServer
) -> None:
    _sign_in(page)
    page.click("[data-testid=tab-promotions]")
    form = page.locator("[data-testid=promo-form]")
    form.wait_for()
    form.locator("[data-testid=promo-kind]").select_option("nth_item_discount")
    form.locator("[data-testid=promo-id]").fill("WEB-2ND-80")
    form.locator("[data-testid=promo-sku]").fill("P1005")
    form.locator("[data-testid=promo-nth]").fill("2")
    # a slip the form catches, in Chinese, before anything is sent
    form.locator("[data-testid=promo-rate]").fill("8")
    form.locator("[data-testid=promo-save]").click()
    error = form.locator("[data-testid=promo-error]")
    error.wait_for()
    assert "0 和 1 之间" in error.inner_text()
    admin = live_server.login("S01")
    assert (
        live_server.api("GET", "/api/v1/admin/promotions/WEB-2ND-80", headers=admin).status_code
        == 404
    )

    form.locator("[data-testid=promo-rate]").fill("0.8")
    form.locator("[data-testid=promo-save]").click()
    form.locator("[data-testid=promo-saved]").wait_for()
    # the sample cart is priced by the live engine: 2 × 129.00, the second at 80%
    total = form.locator("[data-testid=promo-preview-total]")
    total.wait_for()
    assert "232.20" in total.inner_text()
    page.locator("[data-testid=promotion-list] td", has_text="第N件折扣").first.wait_for()

    quote = live_server.api(
        "POST",
        "/api/v1/promotions/quote",
        json={"customer_id": "C1002", "items": [{"sku": "P1005", "qty": 2}], "coupons": []},
    ).json()
    assert {"id": "WEB-2ND-80", "amount": "25.80"}.items() <= next(
        d for d in quote["discounts"] if d["id"] == "WEB-2ND-80"
    ).items()
    assert quote["subtotal"] == "258.00" and quote["total"] == "232.20"
    assert page.errors == []


def test_a_proposal_is_reviewed_beside_the_answer_customers_get_now(
    page: Any, live_server: LiveServer
) -> None:
    admin = live_server.login("S01")
    current = live_server.api("GET", "/api/v1/admin/kb/entries/returns-no-reason", headers=admin)
    now_answer = current.json()["answers"]["zh-CN"]
    proposed = live_server.api(
        "POST",
        "/api/v1/admin/kb/proposals",
        headers=admin,
        json={
            "question": "七天无理由退货怎么退",
            "answer": "签收后7天内在订单页申请退货即可，运费险自动理赔。",
            "lang": "zh-CN",
            "agent_id": "A02",
            "entry_id": "returns-no-reason",
        },
    )
    assert proposed.status_code in (200, 201, 202), proposed.text
    _sign_in(page)
    page.click("[data-testid=tab-proposals]")
    row = page.locator("[data-testid=section-proposals] tr", has_text="运费险自动理赔")
    row.wait_for()
    assert now_answer in row.locator("[data-testid=proposal-current]").inner_text()
    assert "简体中文" in row.inner_text()
    assert page.errors == []
