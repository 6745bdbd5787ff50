"""A broken wait-time promise reaches the supervisor in the console, not only the dashboard: the
alert names the tier, the wait and the promise, and opens the chat; agents do not see the feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from kefu.ops.alerts import raise_alert
from tests.web.conftest import LiveServer
from tests.web.desk_steps import fresh_handoff, sign_in

pytestmark = pytest.mark.browser


def test_a_vip_wait_breach_shows_in_the_supervisors_console_and_opens_the_chat(
    browser: Any, live_server: LiveServer
) -> None:
    waiting = fresh_handoff(live_server, "C1003", "快点给我转人工")
    conversation_id = waiting["conversation_id"]
    detail = {
        "conversation_id": conversation_id,
        "tier": "vip",
        "skill": "general",
        "target_s": 60,
        "waited_s": 75.0,
    }
    key = f"wait_breach:{conversation_id}:{uuid.uuid4().hex}"
    assert raise_alert(live_server.kefu, key, "wait_breach", datetime.now(UTC), detail)

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    supervisor = context.new_page()
    sign_in(supervisor, "S01", "/console?poll_ms=300")
    alert = supervisor.locator("[data-testid=alerts] li", has_text=conversation_id)
    alert.wait_for()
    assert "VIP顾客已等75秒（承诺60秒）" in alert.inner_text()
    alert.locator("[data-testid=alert-open]").click()
    supervisor.locator("#conv-title").wait_for()
    assert supervisor.locator("#conv").is_visible()

    context.close()

    agents = browser.new_context(base_url=live_server.url, locale="zh-CN")
    agent = agents.new_page()
    sign_in(agent, "A01", "/console?poll_ms=300")
    assert agent.locator("[data-testid=alerts]").is_hidden()
    agents.close()
