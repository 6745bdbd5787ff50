"""Alembic environment: runs on the connection kefu hands over, or on KEFU_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from kefu.config import get_settings
from kefu.store.db import make_engine
from kefu.store.tables import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(get_settings().sqlalchemy_url)
    with engine.begin() as conn:
        _run(conn)
