"""A production shop starts safe: no demo data, no published passwords, a first admin by command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kefu.api.app import create_app
from kefu.cli import app
from kefu.config import Mode, Settings, get_settings
from kefu.desk.credentials import UnsafeStart
from kefu.wiring import Kefu

runner = CliRunner()
SECRETS = {
    "KEFU_SECRET_KEY": "3c9e1a7f52b04d86e1f9a3c75b2d08e4f6a1c93b",
    "KEFU_WECHAT_TOKEN": "Zp5Lx9Qa2Mv7Rc4Tn8Wb3Hk6",
    "KEFU_WEBHOOK_SECRET": "a4f81c3e9b270d5f6e8a1c4b93d07f2e5b6c1a8d",
}
NEW_PASSWORD = "kv7#Qm2-zR9!pL4x"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KEFU_DATABASE_URL", raising=False)
    monkeypatch.delenv("KEFU_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _production(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("KEFU_MODE", "production")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def _login(kefu: Kefu, agent_id: str, password: str) -> int:
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        body = {"agent_id": agent_id, "password": password}
        return client.post("/api/v1/agent/login", json=body).status_code


def test_a_fresh_production_install_has_no_demo_data(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEFU_SEED_DEMO", "true")  # even when asked for it
    settings = _production(monkeypatch)
    assert settings.mode is Mode.PRODUCTION and not settings.seed_demo
    kefu = Kefu.start(settings)
    try:
        assert kefu.desk.agents.all() == []
        assert kefu.commerce.list_products() == []
        assert _login(kefu, "S01", "demo") == 401
    finally:
        kefu.close()
    refused = runner.invoke(app, ["seed"])
    assert refused.exit_code == 2 and "production" in refused.output


def test_the_first_admin_is_made_by_command_and_can_log_in(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _production(monkeypatch)
    made = runner.invoke(app, ["admin", "create", "ADM1", "--password-stdin"], input=NEW_PASSWORD)
    assert made.exit_code == 0, made.output
    assert NEW_PASSWORD not in made.output  # never echoed
    kefu = Kefu.start(settings)
    try:
        assert _login(kefu, "ADM1", NEW_PASSWORD) == 200
        assert kefu.desk.agents.get("ADM1").role.value == "admin"  # type: ignore[union-attr]
    finally:
        kefu.close()
    again = runner.invoke(app, ["admin", "create", "ADM1", "--password-stdin"], input=NEW_PASSWORD)
    assert again.exit_code == 1  # an existing agent is never overwritten by `create`


@pytest.mark.parametrize("weak", ["demo", "short", "aaaaaaaaaaaaaaaa"])
def test_admin_create_refuses_weak_passwords(
    env: Path, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    _production(monkeypatch)
    monkeypatch.setenv("KEFU_ADMIN_PASSWORD", weak)
    refused = runner.invoke(app, ["admin", "create", "ADM2"])
    assert refused.exit_code == 2 and "refused" in refused.output


def test_production_refuses_to_start_while_a_demo_password_works(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a database that began as the demo shop, now switched to production
    Kefu.start(Settings(data_dir=env)).close()
    settings = _production(monkeypatch)
    with pytest.raises(UnsafeStart, match="A01, A02, A03, A04, A05, A06, S01") as refused:
        Kefu.start(settings)
    assert "kefu admin password" in str(refused.value)
    for agent in ("A01", "A02", "A03", "A04", "A05", "A06", "S01"):
        changed = runner.invoke(
            app, ["admin", "password", agent, "--password-stdin"], input=NEW_PASSWORD
        )
        assert changed.exit_code == 0, changed.output
    kefu = Kefu.start(settings)
    try:
        assert _login(kefu, "S01", "demo") == 401
        assert _login(kefu, "S01", NEW_PASSWORD) == 200
    finally:
        kefu.close()
