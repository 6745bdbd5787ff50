"""``kefu worker``: a separate process that consumes the production queue (Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kefu.channels.hub import channels_of
from kefu.config import Settings
from kefu.store.channel_repo import SENT
from kefu.wiring import Kefu
from tests.channels.support import eventually

pytestmark = pytest.mark.redis


@pytest.fixture
def server_side(tmp_path: Path, redis_url: str) -> Iterator[Kefu]:
    """What a server does with Redis configured: enqueue, never consume."""
    k = Kefu.start(Settings(data_dir=tmp_path, redis_url=redis_url))
    assert not k.jobs.in_process
    yield k
    k.close()


def test_a_delivery_queued_by_a_server_is_sent_by_a_kefu_worker_process(
    server_side: Kefu, tmp_path: Path, redis_url: str
) -> None:
    delivery_id = channels_of(server_side).outbox.enqueue(
        "wechat", "oWx_c1006", {"text": "您好，我是客服小李"}, datetime.now(UTC)
    )
    assert server_side.jobs.pending() == 1  # queued in Redis, nobody here consumes it
    env = {**os.environ, "KEFU_DATA_DIR": str(tmp_path), "KEFU_REDIS_URL": redis_url}
    env.pop("KEFU_DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "kefu", "worker", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        store = channels_of(server_side).store
        sent = eventually(
            lambda: (d := store.get(delivery_id)) is not None and d.status == SENT, 60
        )
        assert sent  # (periodic tasks of the worker may queue more work meanwhile)
    finally:
        worker.send_signal(signal.SIGINT)  # Huey's graceful stop
        assert worker.wait(timeout=30) == 0
