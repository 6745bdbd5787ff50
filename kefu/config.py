"""Settings from the environment (contract section 4)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Mode(StrEnum):
    DEMO = "demo"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEFU_", extra="ignore")

    mode: Mode = Mode.DEMO
    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, validation_alias="PORT")
    log_level: str = "INFO"
    max_message_chars: int = 2000
    # messages one customer may send per minute before 429: a person types far slower, a loop not
    customer_messages_per_minute: int = 30
    # secret for agent tokens and signed customer identities; demo mode derives one if unset
    secret_key: str = "kefu-demo-secret-change-me"
    agent_token_ttl_s: int = 8 * 3600
    wechat_token: str = "kefu-wechat-demo-token"
    webhook_secret: str = "kefu-webhook-demo-secret"
    webhook_max_skew_s: int = 300
    # WeChat customer-service API for replies that miss the 5 s passive window (and agent replies);
    # unset: such deliveries are only recorded (demo), never sent
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_reply_budget_s: float = 4.5
    # the shop's approved template (模板消息) for service notices outside WeChat's 48-hour window
    wechat_notice_template_id: str | None = None
    # the shop's own order system over HTTP (docs/commerce-http.md); unset: the embedded one
    commerce_url: str | None = None
    commerce_api_key: str | None = None
    commerce_timeout_s: float = 2.0
    seed_demo: bool = True  # seed the demo shop into a new, empty database
    model_dir: Path | None = None  # trained models; default <data_dir>/models, shareable read-only

    @model_validator(mode="after")
    def _no_demo_secrets_in_production(self) -> Settings:
        # a production shop signing tokens with the published demo key would let anyone forge
        # a customer's identity or an agent's login
        if self.mode is Mode.PRODUCTION:
            for name in ("secret_key", "wechat_token", "webhook_secret"):
                if getattr(self, name) == type(self).model_fields[name].default:
                    raise ValueError(f"KEFU_{name.upper()} must be set in production mode")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The configured database, SQLite in the data dir when none is set."""
        if self.database_url:
            url = self.database_url
            # psycopg 3 is the driver we ship; plain postgresql:// URLs should just work
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'kefu.db').resolve()}"

    @property
    def model_cache_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
