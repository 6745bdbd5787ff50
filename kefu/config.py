"""Settings from the environment (contract section 4)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kefu.privacy.keyring import DataKeyring
from kefu.texts.zone import DEFAULT_SHOP_TIMEZONE, parse_zone


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
    log_format: Literal["text", "json"] = "text"
    max_message_chars: int = 2000
    # messages one customer may send per minute before 429: a person types far slower, a loop not
    customer_messages_per_minute: int = 30
    # per client address, across customers (a script cycling ids); 0 turns it off (load tests)
    ip_messages_per_minute: int = 300
    # peers (load balancers) whose X-Forwarded-For names the client: addresses or CIDRs, commas
    trusted_proxies: str = ""
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
    # admission control per worker: new messages get 503 + Retry-After once the turns in hand
    # would take longer than this to clear; optional work is shed at half of it
    turn_budget_ms: int = 500
    max_inflight_turns: int = 256
    # turns one worker runs at once (the rest wait their turn in the event loop): more only help
    # while a turn waits on the network (PostgreSQL, Redis, an HTTP order system); on SQLite the
    # writers would just queue on the file lock. Unset: 1 on SQLite without a model, 4 otherwise
    turn_concurrency: int | None = None
    # consume background tasks inside the server: unset means yes without Redis (the embedded
    # default), no with Redis (``kefu worker`` processes do it)
    jobs_in_process: bool | None = None
    # run the periodic tasks (SLA, notices, stalled parcels, retention) on a schedule; off, they
    # run only through `kefu jobs` (a shop's own cron) — and the tests, which control the clock
    jobs_periodic: bool = True
    # build the knowledge index and load the sentence encoder before taking traffic (the tests
    # turn it off: most never ask the knowledge base, and the model is loaded once per process)
    warm_on_start: bool = True
    # private networks trusted as webhook callback targets (the shop's own platform in its own
    # network), comma-separated CIDRs; empty: callbacks go to public addresses only
    callback_allowed_networks: str = ""
    # the shop's approved template (模板消息) for service notices outside WeChat's 48-hour window
    wechat_notice_template_id: str | None = None
    # the shop's own order system over HTTP (docs/commerce-http.md); unset: the embedded one
    commerce_url: str | None = None
    commerce_api_key: str | None = None
    commerce_timeout_s: float = 2.0
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
    # readiness fails while no job runner has reported for a while (set where one must run)
    ready_requires_jobs: bool = False
    # where service alerts (wait-time promises broken, staff short of the forecast) are posted
    alert_webhook_url: str | None = None
    # the shops' sites (https://shop.example) that may embed the chat widget: its launcher reads
    # the widget API across origins and its frame may sit in their pages; comma-separated.
    # Empty: any site in demo mode (trying kefu from a local page), none in production
    widget_origins: str = ""
    # the shop's language model (contract 5): an OpenAI-compatible server; unset: no model at all
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    # each use has its own switch (all only with llm_base_url set)
    llm_phrasing: bool = True  # the bot's answers reworded, facts checked before sending
    llm_understanding: bool = True  # an unsure intent chosen by the model among the labels
    llm_desk: bool = True  # hand-over summaries and reply drafts for agents
    llm_gaps: bool = True  # draft answers for frequent uncovered questions, into review
    # what one turn may spend waiting for the model; the template answer goes out after that
    llm_turn_budget_ms: int = 1500
    llm_desk_timeout_s: float = 10.0  # an agent asking for a summary can wait longer
    llm_max_concurrency: int = 8
    llm_breaker_fail_max: int = 5
    llm_breaker_reset_s: float = 30.0
    # phones, addresses and names left out of what is sent to the model (off: the shop's own
    # model, in its own network, may see them)
    llm_mask_personal_data: bool = True
    # the shop's IANA time zone: reply times (unless the customer's profile names a zone), the
    # NLU's "today", export rows without an offset and the hourly forecast are local to it
    shop_timezone: str = DEFAULT_SHOP_TIMEZONE

    @field_validator("shop_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:  # a typo fails at start, not in the first customer's reply
            parse_zone(value)
        except ValueError as exc:
            raise ValueError(f"KEFU_SHOP_TIMEZONE {exc}") from None
        return value

    @model_validator(mode="after")
    def _no_demo_secrets_in_production(self) -> Settings:
        # a production shop signing tokens with the published demo key (or a guessable one) would
        # let anyone forge a customer's identity, an agent's login or a channel's signature
        if self.mode is Mode.PRODUCTION:
            # the demo shop's customers, orders and agents (password "demo") have no place in a
            # real shop's database, whatever KEFU_SEED_DEMO says
            self.seed_demo = False
            for name in ("secret_key", "wechat_token", "webhook_secret"):
                problem = weak_secret_problem(
                    getattr(self, name), type(self).model_fields[name].default, _MIN_SECRET[name]
                )
                if problem:
                    raise ValueError(f"KEFU_{name.upper()} {problem} in production mode")
        if self.mode is Mode.PRODUCTION and not self.data_key:
            raise ValueError(
                "KEFU_DATA_KEY must be set in production mode (personal data is encrypted with it;"
                " `kefu data new-key` prints one)"
            )
        if self.data_key:
            self.data_keyring()  # a malformed key fails here, with its reason, not on first use
        if self.llm_base_url and not self.llm_model:
            raise ValueError("KEFU_LLM_MODEL must be set with KEFU_LLM_BASE_URL")
        if self.llm_turn_budget_ms <= 0 or self.llm_max_concurrency < 1:
            raise ValueError(
                "KEFU_LLM_TURN_BUDGET_MS and KEFU_LLM_MAX_CONCURRENCY must be positive"
            )
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
    def widget_origin_list(self) -> list[str]:
        """Origins allowed to embed the widget; ``["*"]`` for any (demo mode, none configured)."""
        found = [o.strip().rstrip("/") for o in self.widget_origins.split(",") if o.strip()]
        if not found and self.mode is Mode.DEMO:
            return ["*"]
        return found

    @property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        """``trusted_proxies`` parsed; a bad entry fails at start, not on the first request."""
        return [
            ip_network(p.strip(), strict=False)
            for p in self.trusted_proxies.split(",")
            if p.strip()
        ]

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
    def turns_at_once(self) -> int:
        if self.turn_concurrency is not None:
            return max(1, self.turn_concurrency)
        # a turn waiting up to its LLM budget on the model would hold the only slot on SQLite
        # for that long: with a model, turns overlap their waits (their writes still queue)
        if self.llm_base_url:
            return 4
        # PostgreSQL: two at once overlap one turn's round trips with another's work; more only
        # trade the GIL between threads (bench_peak, 2 workers, 32 connections: 2 at once 366-449
        # replies/s, 3 386, 4 271-385, 1 366)
        return 2 if self.database_url else 1

    @property
    def model_cache_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"


# WeChat caps its Token at 32 characters; the others have no such bound
_MIN_SECRET = {"secret_key": 32, "wechat_token": 24, "webhook_secret": 32}
_MIN_DISTINCT_CHARS = 12
_KNOWN_WEAK = ("demo", "change-me", "changeme", "password", "secret", "kefu", "123456", "qwerty")


def weak_secret_problem(value: str, demo_default: str, min_chars: int) -> str | None:
    """Why ``value`` is not a usable production secret, or None when it is long and random."""
    if value == demo_default:
        return "must be set (the demo value is public)"
    if len(value) < min_chars:
        return f"must be at least {min_chars} random characters (e.g. `openssl rand -hex 32`)"
    if len(set(value)) < _MIN_DISTINCT_CHARS or any(w in value.lower() for w in _KNOWN_WEAK):
        return "looks guessable; use a random value (e.g. `openssl rand -hex 32`)"
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
