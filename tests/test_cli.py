"""The ``kefu`` command as an operator uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kefu.cli import app
from kefu.config import get_settings
from kefu.edge.identity import verify_customer_token

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_token_prints_an_identity_the_service_accepts() -> None:
    result = runner.invoke(app, ["token", "C1001", "--ttl", "600"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert verify_customer_token(token, get_settings().secret_key) == "C1001"


def test_seed_then_jobs_run_once_on_the_demo_shop() -> None:
    assert runner.invoke(app, ["seed"]).exit_code == 0
    again = runner.invoke(app, ["seed"])
    assert "nothing seeded" in again.output  # a database with data is never overwritten
    result = runner.invoke(app, ["jobs"])
    assert result.exit_code == 0, result.output
    assert "desk.run_jobs" in result.output and "outbound.sweep" in result.output


def test_eval_nlu_reports_accuracy_languages_and_confusions(tmp_path: Path) -> None:
    rows = [
        {"text": "我要退货", "intent": "return_refund", "lang": "zh-CN"},
        {"text": "where is my parcel", "intent": "logistics", "lang": "en"},
        {"text": "今天天气怎么样", "intent": "other", "lang": "zh-CN"},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "nlu", str(path)])
    assert result.exit_code == 0, result.output
    assert "intent accuracy" in result.output and "per language" in result.output
    assert "zh-CN" in result.output and "en" in result.output


def test_eval_nlu_on_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "nlu", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2


def test_jobs_dead_letters_lists_the_tasks_given_up_with_their_error(data_dir: Path) -> None:
    from datetime import UTC, datetime

    from kefu.store.db import Database
    from kefu.store.jobs_repo import SqlDeadLetters
    from kefu.store.seed import prepare_database

    assert "no dead letters" in runner.invoke(app, ["jobs", "dead-letters"]).output
    db = Database.from_url(get_settings().sqlalchemy_url)
    prepare_database(db, seed=False)
    SqlDeadLetters(db).record(
        "outbound.deliver", ["d123", "wechat"], "WeChat errcode 45015", 8, datetime.now(UTC)
    )
    db.dispose()
    result = runner.invoke(app, ["jobs", "dead-letters"])
    assert result.exit_code == 0, result.output
    assert "outbound.deliver" in result.output and "d123" in result.output
    assert "45015" in result.output and "attempts=8" in result.output
