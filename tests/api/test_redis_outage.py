"""Redis going away at run time: messages and agent login answer 503 with a clear code (not 500),
and service resumes by itself when Redis is back. Against a real redis-server this test starts
on a free port of its own and stops."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kefu.api.app import create_app
from kefu.config import Settings
from kefu.wiring import Kefu
from tests.conftest import _unavailable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        _unavailable("redis-server not installed: the outage test needs its own server")
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _say(client: TestClient, text: str) -> tuple[int, dict[str, object]]:
    body = {"channel": "web", "customer_id": "C1001", "text": text}
    response = client.post("/api/v1/messages", json=body)
    return response.status_code, response.json()


def _login(client: TestClient) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/agent/login", json={"agent_id": "A01", "password": "demo"})
    return response.status_code, response.json()


def test_redis_down_is_503_and_service_resumes_when_it_returns(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    settings = Settings(
        data_dir=tmp_path / "shop", redis_url=f"redis://127.0.0.1:{redis_server.port}/0"
    )
    kefu = Kefu.start(settings)
    try:
        with TestClient(create_app(kefu=kefu), raise_server_exceptions=False) as client:
            assert _say(client, "在吗")[0] == 200
            assert _login(client)[0] == 200

            redis_server.stop()
            for status, body in (_say(client, "还在吗"), _login(client)):
                assert status == 503
                assert body["error"]["code"] == "state_unavailable"  # type: ignore[index]
            assert client.get("/healthz").status_code == 503

            redis_server.start()  # same port, empty: nobody restarts kefu
            status, body = _say(client, "我的订单到哪了")
            assert status == 200, body
            assert _login(client)[0] == 200
            history = client.get(
                f"/api/v1/conversations/{body['conversation_id']}/messages",
                params={"customer_id": "C1001"},
            ).json()
            texts = [m["text"] for m in history]
            assert "还在吗" not in texts  # the refused message was never half-stored
            assert "在吗" in texts and "我的订单到哪了" in texts
    finally:
        kefu.close()
