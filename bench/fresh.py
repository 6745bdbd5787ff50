"""Fresh servers for a bench run: a PostgreSQL database dropped and made again, a Redis database
flushed (never point these at data you keep)."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def fresh_postgres(url: str) -> str:
    """Drop and create the database named at the end of ``url`` (postgresql://…/NAME); returns
    the SQLAlchemy URL of it."""
    server, name = url.rsplit("/", 1)
    admin = create_engine(
        "postgresql+psycopg://" + server.split("://", 1)[1] + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def fresh_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()
