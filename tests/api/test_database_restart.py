"""PostgreSQL restarted under a running kefu: the pool holds no pre-pinged connections, so the
first request on a dropped connection must be a 503 the client can retry, never a 500, and the
next request must be served on fresh connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kefu.api.app import create_app
from kefu.config import Settings
from kefu.wiring import Kefu

pytestmark = pytest.mark.postgres


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    kefu = Kefu.start(Settings(data_dir=tmp_path, database_url=postgres_url))
    with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
        yield client, postgres_url
    kefu.close()


def _say(client: TestClient, words: str) -> int:
    body = {"channel": "web", "customer_id": "C1001", "text": words}
    return client.post("/api/v1/messages", json=body).status_code


def test_dropped_database_connections_cost_one_retryable_503_then_service_resumes(
    served: tuple[TestClient, str],
) -> None:
    client, url = served
    assert _say(client, "在吗") == 200  # the pool now holds live connections
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # what a database restart does to every open connection
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    statuses = [_say(client, "你们发什么快递") for _ in range(3)]
    assert 500 not in statuses
    assert statuses[-1] == 200  # served again on fresh connections
    assert all(s in (200, 503) for s in statuses)
