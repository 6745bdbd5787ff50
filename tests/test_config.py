"""Settings an operator gives through the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kefu.config import Mode, Settings


def test_postgres_urls_use_the_shipped_driver() -> None:
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:5432/kefu")
    assert settings.sqlalchemy_url == "postgresql+psycopg://postgres@127.0.0.1:5432/kefu"


def test_environment_and_port_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("KEFU_MAX_MESSAGE_CHARS", "500")
    settings = Settings()
    assert settings.port == 9100 and settings.max_message_chars == 500


def test_production_refuses_the_published_demo_secrets() -> None:
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY"):
        Settings(mode=Mode.PRODUCTION)
    with pytest.raises(ValidationError, match="KEFU_WEBHOOK_SECRET"):
        Settings(mode=Mode.PRODUCTION, secret_key="s", wechat_token="w")
    ok = Settings(mode=Mode.PRODUCTION, secret_key="s", wechat_token="w", webhook_secret="h")
    assert ok.mode is Mode.PRODUCTION
