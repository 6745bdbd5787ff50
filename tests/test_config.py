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


STRONG = {
    "secret_key": "9f2c7a41e08b5d36c1fa7e2094bd58c3a6e1f0d27b94c58e",
    "wechat_token": "Qx7mT2vR9kLp4Wn8Zc3Yb6Hd",
    "webhook_secret": "b81e4c9a07f35d2e6c1a98b4f027e5d3c6a91f08",
}


def test_production_refuses_the_published_demo_secrets() -> None:
    with pytest.raises(ValidationError, match="KEFU_SECRET_KEY must be set"):
        Settings(mode=Mode.PRODUCTION)
    with pytest.raises(ValidationError, match="KEFU_WEBHOOK_SECRET must be set"):
        Settings(mode=Mode.PRODUCTION, **{**STRONG, "webhook_secret": "kefu-webhook-demo-secret"})
    ok = Settings(mode=Mode.PRODUCTION, **STRONG)
    assert ok.mode is Mode.PRODUCTION


@pytest.mark.parametrize(
    ("name", "weak"),
    [
        ("secret_key", "s"),  # one character: forged tokens in seconds
        ("secret_key", "a" * 64),  # long but not random
        ("secret_key", "my-kefu-production-secret-key-2026!!"),  # words, guessable
        ("wechat_token", "token123"),
        ("webhook_secret", "0123456789abcdef"),
    ],
)
def test_production_refuses_short_or_guessable_secrets(name: str, weak: str) -> None:
    with pytest.raises(ValidationError, match=f"KEFU_{name.upper()}") as refused:
        Settings(mode=Mode.PRODUCTION, **{**STRONG, name: weak})
    assert "random" in str(refused.value)


def test_demo_mode_keeps_working_with_the_demo_secrets() -> None:
    assert Settings().mode is Mode.DEMO
