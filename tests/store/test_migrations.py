"""The Alembic migrations build exactly the schema the code's tables describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kefu.store.db import Database
from kefu.store.tables import Base


def test_migrations_match_the_tables(database_url: str) -> None:
    db = Database.from_url(database_url)
    db.migrate()
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], f"tables changed without a migration: {diff}"
    db.dispose()


def test_migrating_twice_is_harmless(database_url: str) -> None:
    db = Database.from_url(database_url)
    db.migrate()
    db.migrate()
    assert db.is_empty()
    db.dispose()
