"""The HTTP edge: health, the JSON error shape and request ids."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient


def test_healthz_answers_ok_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_unknown_route_gets_the_json_error_shape(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found" and body["error"]["message"]


def test_request_id_is_echoed_when_the_client_sends_one(client: TestClient) -> None:
    response = client.get("/healthz", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"


def test_a_server_is_warm_before_its_first_customer(tmp_path: Path) -> None:
    """The knowledge index and the sentence encoder load before traffic, not on the first
    questions of a fresh instance (seconds of CPU that made a new instance shed its customers)."""
    from kefu.api.app import create_app
    from kefu.config import Settings

    app = create_app(Settings(data_dir=tmp_path, warm_on_start=True))
    try:
        with TestClient(app):
            knowledge = app.state.kefu.knowledge
            assert knowledge._live.revision is not None  # the index is built
            assert knowledge._queries is not None and knowledge._queries.cached("你好") is not None
    finally:
        gc.unfreeze()  # a warm start froze the heap: the test process's objects go back


def test_a_warm_server_spares_its_start_up_objects_from_full_collections(tmp_path: Path) -> None:
    """A full collection walking the start-up heap stalled every turn of a worker for ~200 ms."""
    import time

    from kefu.api.app import create_app
    from kefu.config import Settings

    app = create_app(Settings(data_dir=tmp_path, warm_on_start=True))
    try:
        with TestClient(app):
            assert gc.get_freeze_count() > 100_000
            started = time.perf_counter()
            gc.collect()
            assert time.perf_counter() - started < 0.1
    finally:
        gc.unfreeze()  # the test process's own objects go back to the collector
