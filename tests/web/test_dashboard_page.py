"""The dashboard draws its charts from the real database, and works with no internet at all."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

_PAINTED = """(id) => {
  const c = document.getElementById(id);
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
  return painted;
}"""


def _talk(live: LiveServer) -> None:
    for text in ("我的订单到哪了", "优惠券怎么用", "能开发票吗"):
        r = live.api(
            "POST",
            "/api/v1/messages",
            json={"channel": "web", "customer_id": "C1003", "text": text},
        )
        assert r.status_code == 200, r.text


def _open_dashboard(page: Any) -> None:
    page.goto("/dashboard")
    page.fill("[data-testid=login-agent]", "S01")
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("body[data-loaded='1']")


def test_the_dashboard_draws_charts_from_real_messages(page: Any, live_server: LiveServer) -> None:
    _talk(live_server)
    truth = live_server.api(
        "GET", "/api/v1/analytics/overview?hours=24", headers=live_server.login("S01")
    ).json()
    _open_dashboard(page)
    shown = page.locator("[data-testid=kpi-customer-messages] .value").inner_text()
    assert int(shown) >= 3 and int(shown) >= truth["totals"]["customer_messages"]
    for chart in ("chart-volume", "chart-rates", "chart-intents"):
        assert page.evaluate(_PAINTED, chart) > 500, f"{chart} is blank"
    intents = page.locator("[data-testid=table-intents]").inner_text()
    assert "order_status" in intents or "logistics" in intents
    assert page.locator("[data-testid=no-charts]").is_hidden()
    # nothing was fetched from anywhere but this server
    assert page.blocked == []
    assert page.errors == []


def test_without_the_chart_bundle_the_dashboard_shows_tables_and_says_why(
    page: Any, live_server: LiveServer
) -> None:
    page.route("**/static/vendor/**", lambda route: route.abort())
    _open_dashboard(page)
    assert page.locator("[data-testid=no-charts]").is_visible()
    assert "build_assets.sh" in page.locator("[data-testid=no-charts]").inner_text()
    assert page.locator("[data-testid=table-queue] table").count() == 1
    assert page.locator("[data-testid=kpi-bot-resolution] .value").inner_text()


def test_every_page_loads_with_the_internet_blocked(page: Any, live_server: LiveServer) -> None:
    for path in ("/", "/console", "/dashboard", "/admin"):
        page.goto(path)
        page.wait_for_selector("body[data-ready='1']")
    assert page.blocked == []
    assert page.errors == []
