"""``kefu import`` and ``kefu notices`` as an operator uses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.cli import app
from kefu.config import get_settings
from kefu.resources import data_path

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_importing_the_examples_in_order_succeeds(tmp_path: Path) -> None:
    for kind, name in [
        ("products", "products.csv"),
        ("customers", "customers.jsonl"),
        ("orders", "orders_taobao.csv"),
        ("shipments", "shipments.csv"),
    ]:
        result = runner.invoke(app, ["import", kind, str(data_path("import", name))])
        assert result.exit_code == 0, result.output
        assert "0 rejected" in result.output


def test_rejected_rows_are_listed_and_the_exit_status_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "products.csv"
    bad.write_text(
        "sku,name_zh,price\nP9901,好东西,9.90\nP9902,,1.00\nP 9903,坏编码,1.00\n", "utf-8"
    )
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["import", "products", str(bad), "--report", str(report)])
    assert result.exit_code == 2
    assert "1 imported, 2 rejected" in result.output
    assert "line 3: name_zh is missing" in result.output
    assert "line 4" in result.output and report.is_file()
    assert runner.invoke(app, ["import", "planets", str(bad)]).exit_code != 0


def test_the_stalled_parcel_search_runs_from_the_command_line() -> None:
    first = runner.invoke(app, ["notices", "stalled"])
    assert first.exit_code == 0, first.output
    assert "E2026110100004" in first.output and "1 stalled parcel(s)" in first.output
    assert "0 stalled parcel(s)" in runner.invoke(app, ["notices", "stalled"]).output
