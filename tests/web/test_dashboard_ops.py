"""The dashboard's running-the-peak sections show the API's numbers with their definitions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_ops_sections_show_outcomes_sides_promises_plan_and_definitions(
    page: Any, live_server: LiveServer
) -> None:
    boss = live_server.login("S01")
    live_server.api("PUT", "/api/v1/admin/rollout", json={"ai_share": 50}, headers=boss)
    for customer in ("C1001", "C1002", "C1003", "C1004", "C1005"):
        r = live_server.api(
            "POST",
            "/api/v1/messages",
            json={"channel": "web", "customer_id": customer, "text": "下单后多久发货？"},
        )
        assert r.status_code == 200, r.text
    page.goto("/dashboard")
    page.fill("[data-testid=login-agent]", "S01")
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("body[data-ops-loaded='1']")
    outcomes = page.locator("[data-testid=ops-outcomes]").inner_text()
    assert "bot resolution (need met)" in outcomes and "no rating of 1 or 2" in outcomes
    sides = page.locator("[data-testid=ops-rollout]").inner_text()
    assert "AI share 50%" in sides and "AI − people" in sides
    promises = page.locator("[data-testid=ops-promises]").inner_text()
    assert "vip" in promises and "normal" in promises and "urgent tickets" in promises
    assert "shift start" in page.locator("[data-testid=ops-plan]").inner_text()
    assert page.blocked == []
    assert page.errors == []
