"""Shared fixtures: real SQLite, PostgreSQL and Redis (never mocks of them).

PostgreSQL and Redis suites run when KEFU_TEST_POSTGRES_URL / KEFU_TEST_REDIS_URL are set (CI sets
them); without a server they skip with the reason, unless KEFU_REQUIRE_SERVICES=1 makes that a
failure, as in CI.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kefu.config import Settings
from kefu.store.db import Database
from kefu.wiring import Kefu

# Trained models are keyed by a hash of their data and code: one cache serves every test.
os.environ.setdefault("KEFU_MODEL_DIR", os.path.join(tempfile.gettempdir(), "kefu-test-models"))
# Production mode refuses to start without a data key; tests of production behaviour get this one
# (a test of that refusal passes data_key=None). Demo-mode tests use it too: one key per process.
os.environ.setdefault("KEFU_DATA_KEY", "test:" + "dGVzdC1kYXRhLWtleS1mb3Ita2VmdS10ZXN0cy0wMDA=")

# periodic tasks on the real clock would act on the tests' data at random moments: tests that
# want the scheduler ask for it (Settings(jobs_periodic=True))
os.environ.setdefault("KEFU_JOBS_PERIODIC", "false")
# a server warms its knowledge index and sentence encoder before taking traffic; most tests
# never ask the knowledge base (tests of warming ask for it)
os.environ.setdefault("KEFU_WARM_ON_START", "false")

POSTGRES_URL = os.environ.get("KEFU_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("KEFU_TEST_REDIS_URL")
REQUIRE = os.environ.get("KEFU_REQUIRE_SERVICES") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


def _pg_admin_url() -> str:
    assert POSTGRES_URL
    url = POSTGRES_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A brand-new PostgreSQL database (its URL), dropped afterwards; a missing server fails the
    run under KEFU_REQUIRE_SERVICES instead of skipping."""
    if not POSTGRES_URL:
        _unavailable("KEFU_TEST_POSTGRES_URL not set: PostgreSQL tests skipped")
    admin_url = _pg_admin_url()
    name = f"kefu_t_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # server down
        _unavailable(f"PostgreSQL not reachable: {exc}")
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    if not REDIS_URL:
        _unavailable("KEFU_TEST_REDIS_URL not set: Redis tests skipped")
    import redis

    assert REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:
        _unavailable(f"Redis not reachable: {exc}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kefu.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def kefu(settings: Settings) -> Iterator[Kefu]:
    """A running kefu with the demo shop seeded, on each backend."""
    k = Kefu.start(settings)
    yield k
    k.close()


@pytest.fixture
def db(kefu: Kefu) -> Database:
    return kefu.db


@pytest.fixture
def client(kefu: Kefu) -> Iterator[TestClient]:
    from kefu.api.app import create_app

    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as c:
        yield c


# ---- production mode in tests -----------------------------------------------------------------

# long and random, as production demands (kefu.config refuses the demo values and short ones)
PRODUCTION_SECRETS = {
    "secret_key": "5d0b8e2f9a61c47e3b18f6a2d9c04e7b1a5f83d2",
    "wechat_token": "Hn4Tq8Zr2Vx6Lm9Pw3Ky7Bc5",
    "webhook_secret": "e7a93c1f50d4b82e6a0c9f71d3b58e24a6c0f19b",
}
PRODUCTION_AGENT_PASSWORD = "kv7#Qm2-zR9!pL4x"


def demo_data_for_production(data_dir: Path, database_url: str | None = None) -> None:
    """Seed the demo shop, then give its agents a non-published password: production never
    seeds and refuses to start while an agent has the demo password, yet its tests want data."""
    from kefu.desk.passwords import hash_password
    from kefu.store.desk_repo import SqlAgents

    shop = Kefu.start(Settings(data_dir=data_dir, database_url=database_url))
    try:
        agents = SqlAgents(shop.db)
        new_hash = hash_password(PRODUCTION_AGENT_PASSWORD)
        for agent in agents.all():
            agents.update(agent, new_hash)
    finally:
        shop.close()
