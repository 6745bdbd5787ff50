"""Every implementation of a port, as one parametrized fixture per port family.

Stores run on SQLite and PostgreSQL, runtime state in-process and on Redis. A missing PostgreSQL
or Redis skips, or fails under KEFU_REQUIRE_SERVICES=1, through the helpers of tests/conftest.py.

One migrated and seeded database per backend serves a whole run (creating one per test would
cost PostgreSQL most of the time budget): each test writes under fresh ids, so tests never see
each other's rows. Contracts that change the demo shop's own rows (commerce actions) open a
database of their own per module with ``open_database``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kefu.config import Settings
from kefu.domain.conversations import Conversation, ConversationStatus
from kefu.runtime.locks import InProcessTurnLocks, RedisTurnLocks, TurnLocks
from kefu.runtime.shared import InProcessState, RedisState, SharedState
from kefu.store.channel_repo import SqlChannelStore
from kefu.store.conversation_repo import SqlConversations, new_id
from kefu.store.db import Database
from kefu.store.encrypted import use_keyring
from kefu.store.seed import prepare_database
from tests.conftest import fresh_postgres_database

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
RUNTIMES = ["inprocess", pytest.param("redis", marks=pytest.mark.redis)]


@contextmanager
def open_database(kind: str, folder: Path) -> Iterator[Database]:
    """A migrated database with the demo shop in it, removed afterwards."""
    # personal-data columns encrypt with the test key (as Kefu.start sets it)
    use_keyring(Settings(data_dir=folder).data_keyring())
    if kind == "sqlite":
        db = Database.from_url(f"sqlite:///{folder / 'kefu.db'}")
        try:
            prepare_database(db, seed=True)
            yield db
        finally:
            db.engine.dispose()
        return
    with fresh_postgres_database() as url:
        db = Database.from_url(url)
        try:
            prepare_database(db, seed=True)
            yield db
        finally:
            db.engine.dispose()


@pytest.fixture(scope="session", params=STORES)
def store_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The demo shop's database on each store backend, shared by the contracts of a run."""
    with open_database(request.param, tmp_path_factory.mktemp(request.param)) as db:
        yield db


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def new_customer(store_db: Database) -> Callable[[], str]:
    """A customer nobody else's test knows: a guest first seen now."""

    def make() -> str:
        return SqlChannelStore(store_db).bind_guest(
            "web", unique("visitor"), "Visitor", datetime.now(UTC)
        )

    return make


@pytest.fixture
def new_conversation(store_db: Database, new_customer: Callable[[], str]) -> Callable[..., str]:
    """A stored conversation of a fresh customer (or of ``customer_id``); returns its id."""

    def make(customer_id: str | None = None, at: datetime | None = None) -> str:
        at = at or datetime.now(UTC)
        conversation = Conversation(
            id=new_id("c"),
            customer_id=customer_id or new_customer(),
            channel="web",
            status=ConversationStatus.BOT,
            lang="zh-CN",
            created_at=at,
            updated_at=at,
        )
        SqlConversations(store_db).create(conversation)
        return conversation.id

    return make


@pytest.fixture(params=RUNTIMES)
def runtime(request: pytest.FixtureRequest) -> str:
    """Where runtime state lives: this process, or the Redis every worker shares."""
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_url")
        return url
    return "inprocess"


@pytest.fixture
def state_of(runtime: str) -> Iterator[Callable[[], SharedState]]:
    """Makes one worker's view of the shared state: in-process, every worker of the test is
    this process (one object); on Redis each call is a separate worker with its connection."""
    made: list[SharedState] = []
    single = InProcessState()

    def make() -> SharedState:
        if runtime == "inprocess":
            return single
        made.append(RedisState(runtime))
        return made[-1]

    yield make
    for state in made:
        state.close()
    single.close()


@pytest.fixture
def state(state_of: Callable[[], SharedState]) -> SharedState:
    return state_of()


@pytest.fixture
def locks_of(runtime: str) -> Iterator[Callable[..., TurnLocks]]:
    """Makes one worker's turn locks with the given waiting time: in-process, every worker of
    the test is this process (one object per waiting time); on Redis each call is a worker."""
    made: dict[object, TurnLocks] = {}

    def make(wait_s: float = 5.0) -> TurnLocks:
        if runtime == "inprocess":
            return made.setdefault(wait_s, InProcessTurnLocks(wait_s))
        made[object()] = RedisTurnLocks(runtime, wait_s=wait_s)
        return list(made.values())[-1]

    yield make
    for locks in made.values():
        locks.close()
