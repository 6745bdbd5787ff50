"""Planning on the running service: the plan API, ``kefu plan``, and the staff-short alert with
its feed and webhook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kefu.analytics.hourly_forecast import SHOP_TZ
from kefu.config import Settings, get_settings
from kefu.ops.planning import check_staff_short, plan_for
from kefu.store.db import Database
from kefu.store.planning_repo import SqlPlanning
from kefu.store.tables.conversations import ConversationRow
from kefu.wiring import Kefu

# a busy shop: peaks of 60 conversations an hour in the evening, quiet nights
DAY_SHAPE = [
    8,
    4,
    2,
    2,
    2,
    4,
    8,
    16,
    30,
    40,
    44,
    42,
    40,
    40,
    42,
    40,
    38,
    36,
    40,
    50,
    60,
    50,
    30,
    14,
]
PLAN_START = datetime(2026, 12, 7, 0, tzinfo=SHOP_TZ).astimezone(UTC)  # a Monday


def add_history(db: Database, weeks: int = 3) -> None:
    """Conversations with the daily shape above on every day of the weeks before PLAN_START."""
    rows = []
    first = PLAN_START - timedelta(weeks=weeks)
    for h in range(weeks * 7 * 24):
        at = first + timedelta(hours=h)
        for i in range(DAY_SHAPE[at.astimezone(SHOP_TZ).hour]):
            when = at + timedelta(seconds=i * 50)
            rows.append(
                ConversationRow(
                    id=f"h{h:04d}x{i:02d}",
                    customer_id="C1001",
                    channel="web",
                    status="closed",
                    lang="zh-CN",
                    state={},
                    created_at=when,
                    updated_at=when,
                )
            )
    with db.session() as s:
        s.add_all(rows)


@pytest.fixture
def busy(sqlite_settings: Settings) -> Iterator[Kefu]:
    kefu = Kefu.start(sqlite_settings)
    add_history(kefu.db)
    yield kefu
    kefu.close()


def _boss(client: TestClient) -> dict[str, str]:
    login = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    return {"Authorization": f"Bearer {login.json()['token']}"}


def test_the_plan_follows_the_history_and_its_shifts_cover_every_hour(busy: Kefu) -> None:
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=busy)) as client:
        assert client.get("/api/v1/analytics/plan").status_code == 401
        boss = _boss(client)
        for bad in (
            "start=yesterday",
            "start=2026-12-07T00:00:00",
            "shift_hours=8,x",
            "shift_hours=30",
            "hours=0",
        ):
            answer = client.get(f"/api/v1/analytics/plan?{bad}", headers=boss)
            assert answer.status_code == 422, (bad, answer.text)
            assert "error" in answer.json()
        got = client.get(
            "/api/v1/analytics/plan",
            params={"start": PLAN_START.isoformat(), "hours": 24, "concurrency": 1},
            headers=boss,
        )
    assert got.status_code == 200, got.text
    plan = got.json()
    hours = plan["hours"]
    assert len(hours) == 24
    by_local = {datetime.fromisoformat(h["at"]).astimezone(SHOP_TZ).hour: h for h in hours}
    assert by_local[20]["expected"] == pytest.approx(60, rel=0.05)
    assert by_local[20]["agents"] > by_local[3]["agents"] >= 0
    assert all(h["service_level"] >= 0.8 for h in hours)
    shift_plan = plan["shift_plan"]
    assert all(s >= n for s, n in zip(shift_plan["staffed"], shift_plan["needed"], strict=True))
    assert shift_plan["needed"] == [h["agents"] for h in hours]
    assert plan["backtest"]["wape"] < 0.2  # a steady pattern is forecast well


def test_staff_short_alert_fires_once_per_hour_to_the_feed_and_the_webhook(
    sqlite_settings: Settings, alert_webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = alert_webhook
    kefu = Kefu.start(sqlite_settings.model_copy(update={"alert_webhook_url": url}))
    try:
        add_history(kefu.db)
        now = PLAN_START + timedelta(hours=18, minutes=30)  # the evening peak is next
        needed = plan_for(kefu, now + timedelta(minutes=30), 4)
        assert all(h.agents >= 1 for h in needed.hours)
        # the adopted plan has one agent fewer than needed in each of the next hours
        SqlPlanning(kefu.db).save_staffing(
            {h.forecast.at: h.agents - 1 for h in needed.hours}, now, "S01"
        )
        assert check_staff_short(kefu, now) == 4
        assert check_staff_short(kefu, now) == 0  # already raised: not again
        assert len(received) == 4 and received[0]["kind"] == "staff_short"
        from kefu.api.app import create_app

        with TestClient(create_app(kefu=kefu)) as client:
            feed = client.get("/api/v1/analytics/alerts", headers=_boss(client)).json()
        assert len(feed) == 4
        detail = feed[-1]["detail"]
        assert detail["agents_needed"] == detail["agents_planned"] + 1
        # enough staff on the plan: quiet
        SqlPlanning(kefu.db).save_staffing(
            {h.forecast.at: h.agents for h in needed.hours}, now, "S01"
        )
        assert check_staff_short(kefu, now + timedelta(minutes=1)) == 0
    finally:
        kefu.close()


def test_kefu_plan_prints_agents_per_hour_and_shifts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kefu.cli import app

    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    kefu = Kefu.start(get_settings())
    add_history(kefu.db)
    kefu.close()
    try:
        result = CliRunner().invoke(
            app, ["plan", "--hours", "24", "--start", PLAN_START.isoformat(), "--save"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "12-07 Mon 20:00" in out and "agents" in out
    assert "backtest on the last 168h held back: WAPE" in out
    assert "shifts (" in out and "× 8h from" in out
    assert "plan adopted" in out


def test_the_plan_on_the_demo_shop_says_it_has_no_history_to_backtest(client: TestClient) -> None:
    got = client.get("/api/v1/analytics/plan?hours=6", headers=_boss(client))
    assert got.status_code == 200, got.text
    plan = got.json()
    assert len(plan["hours"]) == 6 and plan["backtest"] is None
    assert plan["inputs"]["aht_s"] >= 60  # the floor, with no handled chat to measure
    assert plan["shift_plan"]["needed"] == [h["agents"] for h in plan["hours"]]


def test_kefu_plan_prints_the_hours_of_the_configured_shop_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kefu.cli import app
    from kefu.texts.zone import DEFAULT_SHOP_TIMEZONE, use_shop_zone

    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_SHOP_TIMEZONE", "Europe/Berlin")
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["plan", "--hours", "3", "--start", PLAN_START.isoformat()]
        )
    finally:
        get_settings.cache_clear()
        use_shop_zone(DEFAULT_SHOP_TIMEZONE)  # one zone per process: give the others theirs back
    assert result.exit_code == 0, result.output
    # the first hour, Monday 00:00 in Shanghai, is Sunday 17:00 in Berlin in December
    assert "12-06 Sun 17:00" in result.output and "12-07 Mon 00:00" not in result.output
