"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement

from kefu.store.fast import FastStatements

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrent workers."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    # No pre-ping: it costs every checkout a round trip (a turn checks out several times). A
    # connection the server dropped fails its statement; SQLAlchemy recognises the disconnect and
    # empties the pool, so after a database restart one request per worker gets a 503 (nothing
    # acknowledged is lost) and the next ones reconnect. Recycling keeps connections younger
    # than the idle timeouts of proxies and PgBouncer.
    return create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20, **kwargs)


class Database:
    """One engine and its session factory; ``session()`` commits on success, rolls back on error."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)
        # Reads outside a transaction: on PostgreSQL a transaction costs a read two more round
        # trips (BEGIN before it, ROLLBACK when the connection goes back to the pool) and gives
        # nothing under READ COMMITTED, where every statement takes its own snapshot anyway.
        # SQLite's driver begins no transaction for a SELECT: nothing to save there.
        self._reader: Engine = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._fast = FastStatements(engine)

    def rows(self, statement: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """One statement built once (a module constant, or cached per shape), atomic alone and
        committed when this returns: the reads and the one-statement writes on a turn's path.
        Compiled once and run on the driver's connection (``kefu.store.fast``): about half the
        client CPU of ``conn.execute``. Rows have attribute access by column name."""
        return self._fast.rows(statement, params)

    def reading(self) -> Connection:
        """A connection for reads only (``with db.reading() as conn:``); writes use
        ``engine.begin()`` or ``session()``, which commit as one unit."""
        return self._reader.connect()

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._factory() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def is_empty(self) -> bool:
        """True when the demo shop has not been loaded (no customers table or no rows in it)."""
        if not inspect(self.engine).has_table("customers"):
            return True
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM customers LIMIT 1").first() is None

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()
