"""The embedded server killed with SIGKILL while webhook messages are in flight: after a restart
every message is answered (by the platform's retry or the job engine's recovery task), none is
left answering 409 forever."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from kefu.channels.webhook import signed_headers
from tests.channels.support import WEBHOOK_SECRET
from tests.test_scale_out import _free_port, _wait_healthy

pytestmark = pytest.mark.slow

MESSAGES = 100
KILL_AFTER_ANSWERS = 15


class _Platform(BaseHTTPRequestHandler):
    """The app platform's callback endpoint: late replies land here."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def platform() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    server.shutdown()


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kefu", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _post(base: str, event: dict[str, Any]) -> int:
    raw = json.dumps(event, ensure_ascii=False).encode()
    headers = signed_headers(WEBHOOK_SECRET, raw, time.time())
    try:
        url = f"{base}/channels/webhook/app"
        return httpx.post(url, content=raw, headers=headers, timeout=15).status_code
    except httpx.HTTPError:
        return 0  # the connection died with the server


def test_a_server_killed_mid_messages_answers_every_one_after_restart(
    tmp_path: Path, platform: str
) -> None:
    env = {
        **os.environ,
        "KEFU_DATA_DIR": str(tmp_path / "data"),
        "KEFU_LOG_LEVEL": "WARNING",
        "KEFU_CUSTOMER_MESSAGES_PER_MINUTE": "100000",
        "KEFU_CALLBACK_ALLOWED_NETWORKS": "127.0.0.0/8",  # the platform runs on this machine
    }
    env.pop("KEFU_DATABASE_URL", None)
    env.pop("KEFU_REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "kefu", "seed"], env=env, check=True, timeout=120)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    server = _serve(env, port, log)
    events = [
        {
            "event_id": f"ev-{n}",
            "user_id": f"app-user-{n}",
            "text": "耳机什么时候补货",
            "callback_url": platform,
        }
        for n in range(MESSAGES)
    ]
    try:
        _wait_healthy(base, server)
        answered = threading.Semaphore(0)

        def first_try(event: dict[str, Any]) -> int:
            status = _post(base, event)
            if status == 200:
                answered.release()
            return status

        with ThreadPoolExecutor(16) as pool:
            futures = [pool.submit(first_try, e) for e in events]
            for _ in range(KILL_AFTER_ANSWERS):
                assert answered.acquire(timeout=60), "the server answered too few before the kill"
            server.send_signal(signal.SIGKILL)
            first = [f.result() for f in futures]
        server.wait(timeout=10)
        print(f"before the kill: {first.count(200)} answered, {MESSAGES - first.count(200)} not")
        assert 0 in first or any(s != 200 for s in first), "the kill hit no message in flight"

        server = _serve(env, port, log)
        _wait_healthy(base, server)
        # the platform retries each message until it gets an answer; none may stay stuck
        pending = {e["event_id"]: e for e in events}
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for event_id, event in list(pending.items()):
                if _post(base, event) == 200:
                    del pending[event_id]
            time.sleep(0.5)
        print(f"after the restart: {MESSAGES - len(pending)} answered")
        assert not pending, f"{len(pending)} of {MESSAGES} messages never answered: {list(pending)}"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)
