"""Settings from the environment (contract section 4)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kefu.privacy.keyring import DataKeyring


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
    # one secret per webhook platform (JSON: {"douyin": "…", "app": "…"}); a platform not listed
    # falls back to webhook_secret, so a leaked secret of one platform does not open the others
    webhook_secrets: dict[str, str] = Field(default_factory=dict)
    webhook_max_skew_s: int = 300
    # WeChat customer-service API for replies that miss the 5 s passive window (and agent replies);
    # unset: such deliveries are only recorded (demo), never sent
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_reply_budget_s: float = 4.5
    # safe / compatible mode (安全模式 / 兼容模式): the account's 43-character EncodingAESKey; the
    # AppID above must be set too. Plaintext bodies are then refused unless accept_plaintext is on
    # (only while switching the account's mode in the WeChat console)
    wechat_encoding_aes_key: str | None = None
    wechat_accept_plaintext: bool = False
    # personal data at rest (phones, addresses, invoice details): one base64 key, or
    # "id:key,id:key" with the current key first (rotation); production refuses to start without it
    data_key: str | None = None
    # conversations and personal data older than this are anonymised by the retention job
    retention_days: int = 3 * 365
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
        if self.mode is Mode.PRODUCTION and not self.data_key:
            raise ValueError(
                "KEFU_DATA_KEY must be set in production mode (personal data is encrypted with it;"
                " `kefu data new-key` prints one)"
            )
        if self.data_key:
            self.data_keyring()  # a malformed key fails here, with its reason, not on first use
        if self.wechat_encoding_aes_key and not self.wechat_app_id:
            raise ValueError("KEFU_WECHAT_APP_ID must be set with KEFU_WECHAT_ENCODING_AES_KEY")
        return self

    def data_keyring(self) -> DataKeyring:
        """The keys for personal data: the configured ones, or in demo mode one derived."""
        if self.data_key:
            return DataKeyring.parse(self.data_key)
        return DataKeyring.derived(self.secret_key)

    def webhook_secret_for(self, platform: str) -> str:
        """The secret a webhook platform signs with: its own, else the shared one."""
        return self.webhook_secrets.get(platform) or self.webhook_secret

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
