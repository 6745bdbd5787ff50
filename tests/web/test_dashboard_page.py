"""The dashboard draws its charts from the real database, and works with no internet at all."""

from __future__ import annotations

from pathlib import Path
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
    # sign in only once the page's script has bound the form: a click before that submits the
    # bare HTML form and reloads the page (seen on a loaded CI machine)
    page.wait_for_selector("body[data-ready='1']", state="attached")
    page.fill("[data-testid=login-agent]", "S01")
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")
    # the board either draws or says what went wrong (the sign-in's or the board's own error): a
    # failure shows the message, not a timeout
    page.wait_for_selector(
        "body[data-loaded='1'], #board-error:not(:empty), #login .error:not(:empty)",
        state="attached",
    )
    assert page.locator("#login .error").inner_text() == ""
    assert page.locator("#board-error").inner_text() == ""
    assert page.errors == []
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
    # human names, never the API's codes
    assert "订单状态" in intents or "物流查询" in intents
    assert "order_status" not in intents and "logistics" not in intents
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


_HEIGHTS = """() => ({
  page: document.documentElement.scrollHeight,
  charts: [...document.querySelectorAll('canvas')].map((c) => c.getBoundingClientRect().height),
})"""


def test_the_dashboard_keeps_its_height_through_two_minutes_of_live_refresh(
    page: Any, live_server: LiveServer
) -> None:
    _talk(live_server)
    # the page's own timers run on a clock the test moves: two minutes pass in a few seconds
    page.clock.install()
    _open_dashboard(page)
    page.wait_for_selector("body[data-refreshes]")
    page.wait_for_timeout(300)  # let chart.js settle its first layout
    before = page.evaluate(_HEIGHTS)
    assert all(150 <= h <= 400 for h in before["charts"]), before
    refreshes = int(page.evaluate("Number(document.body.dataset.refreshes)"))
    # the same data each time (new rows in a table would rightly make the page longer)
    for n in range(1, 9):  # refreshed every 15 s: 8 refreshes in two minutes
        page.clock.run_for(15_000)
        page.wait_for_selector(f"body[data-refreshes='{refreshes + n}']")
        page.wait_for_timeout(100)
    after = page.evaluate(_HEIGHTS)
    assert after == before
    # one unit per axis: the volume chart is messages per minute, and says so
    axis = page.evaluate("() => Chart.getChart('chart-volume').options.scales.y.title.text")
    assert axis == "条/分钟"
    assert page.errors == []


def test_the_board_shows_agents_and_channels_and_exports_every_table_as_csv(
    page: Any, live_server: LiveServer
) -> None:
    _talk(live_server)
    _open_dashboard(page)
    agents = page.locator("[data-testid=table-agents]")
    agents.locator("td", has_text="王主管（S01）").wait_for()
    assert any(s in agents.inner_text() for s in ("在线", "离开", "离线"))
    assert "offline" not in agents.inner_text()
    assert "网页" in page.locator("[data-testid=table-channels]").inner_text()
    with page.expect_download() as download:
        page.click("[data-testid=dashboard-export]")
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert "各渠道会话" in text and "网页" in text and "王主管（S01）" in text
    assert page.errors == []


def test_the_board_follows_the_language_the_manager_picks(
    page: Any, live_server: LiveServer
) -> None:
    _talk(live_server)
    _open_dashboard(page)
    page.select_option("[data-testid=lang]", "en")
    page.wait_for_url("**lang=en**")
    page.wait_for_selector("body[data-loaded='1']")  # the stored session signs in again
    assert page.locator("[data-testid=kpi-conversations] .label").inner_text() == "Conversations"
    intents = page.locator("[data-testid=table-intents]").inner_text()
    assert "Question type" in intents and "问题类型" not in intents
    # the choice is remembered on this browser
    page.goto("/dashboard")
    page.wait_for_selector("body[data-loaded='1']")
    assert page.locator("[data-testid=lang]").input_value() == "en"
    page.select_option("[data-testid=lang]", "zh-TW")
    page.wait_for_url("**lang=zh-TW**")
    page.wait_for_selector("body[data-loaded='1']")
    assert page.locator("[data-testid=kpi-conversations] .label").inner_text() == "會話數"
    assert page.errors == []
