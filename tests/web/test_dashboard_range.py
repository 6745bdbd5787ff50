"""The dashboard over chosen dates: per-agent figures, the channel split, a CSV of what is on the
board, and a question the knowledge base missed turned into an entry form in one click."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kefu.store.tables.knowledge import UncoveredQuestionRow
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser

GAP = "羽绒服的包装盒可以寄回回收吗"


def test_a_supervisor_reads_a_date_range_exports_it_and_fills_a_gap(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    with live_server.kefu.db.session() as s:
        s.add(UncoveredQuestionRow(text=GAP, normalized=GAP, lang="zh-CN", at=now))
    page.goto("/dashboard")
    page.fill("[data-testid=login-agent]", "S01")
    page.fill("[data-testid=login-password]", "demo")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("body[data-loaded='1']")
    figures = page.locator("[data-testid=table-agent-figures]")
    figures.locator("table").wait_for()
    assert "平均处理时长" in figures.inner_text() and "A02" in figures.inner_text()

    # a range of dates (the shop's days): the board shows it and stops refreshing itself
    today = now.date()
    page.fill("[data-testid=range-start]", (today - timedelta(days=1)).isoformat())
    page.fill("[data-testid=range-end]", (today + timedelta(days=1)).isoformat())
    before = int(page.evaluate("document.body.dataset.refreshes"))
    page.click("[data-testid=range-apply]")
    page.locator(f"body[data-refreshes='{before + 1}']").wait_for(state="attached")
    assert page.locator("[data-testid=table-uncovered]").inner_text().count(GAP) == 1
    assert page.locator("[data-testid=table-channels] table").count() == 1

    with page.expect_download() as downloaded:
        page.click("[data-testid=dashboard-export]")
    download = downloaded.value
    name = (today - timedelta(days=1)).isoformat()
    assert name in download.suggested_filename and download.suggested_filename.endswith(".csv")
    target = tmp_path / "board.csv"
    download.save_as(target)
    csv = target.read_text(encoding="utf-8-sig")
    assert "客服个人数据" in csv and "A02" in csv and GAP in csv

    # one click from the gap to the knowledge entry form, the question filled in
    row = page.locator("[data-testid=table-uncovered] tr", has_text=GAP)
    row.locator("[data-testid=uncovered-to-kb]").click()
    page.wait_for_url("**/admin*")
    editor = page.locator("[data-testid=kb-editor]")
    editor.wait_for()
    assert page.locator("[data-testid=kb-question]").input_value() == GAP
    assert page.blocked == [] and page.errors == []
