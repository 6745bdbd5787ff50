"""A real kefu server (uvicorn, fresh SQLite data dir) and Debian's Chromium through Playwright.

The browser is never downloaded: without /usr/bin/chromium the tests skip with the reason, unless
KEFU_REQUIRE_BROWSER=1 makes that a failure (as in CI).
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from kefu.config import Settings
from kefu.wiring import Kefu

CHROMIUM = Path(os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = os.environ.get("KEFU_REQUIRE_BROWSER") == "1"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, url: str, kefu: Kefu) -> None:
        self.url = url
        self.kefu = kefu
        self._tokens: dict[str, dict[str, str]] = {}

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, self.url + path, timeout=30, **kw)

    def login(self, agent_id: str) -> dict[str, str]:
        """Bearer headers for a demo agent (one login each: logins are rate limited)."""
        if agent_id not in self._tokens:
            body = {"agent_id": agent_id, "password": "demo"}
            r = self.api("POST", "/api/v1/agent/login", json=body)
            assert r.status_code == 200, r.text
            self._tokens[agent_id] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self._tokens[agent_id]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from kefu.api.app import create_app

    data_dir = tmp_path_factory.mktemp("kefu-web")
    # the browser contexts say who they are through X-Forwarded-For (see `page`): each test is its
    # own client address, as real visitors are, so one test's logins do not use up the next one's
    # per-address login allowance on a machine fast enough to run many within a minute
    kefu = Kefu.start(Settings(data_dir=data_dir, trusted_proxies="127.0.0.1"))
    # load the NLU model and the knowledge index before the first page waits for them
    kefu.dialogue.nlu  # noqa: B018
    kefu.knowledge.search("你好", "zh-CN", None, k=1, record=False)
    port = _free_port()
    config = uvicorn.Config(
        create_app(kefu=kefu), host="127.0.0.1", port=port, log_level="warning", ws="auto"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the kefu server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", kefu)
    server.should_exit = True
    thread.join(timeout=10)
    kefu.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: browser tests need Debian's chromium (make chromium)"
        if REQUIRE:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


_CLIENTS = itertools.count(1)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context whose requests to anything but the test server are aborted.

    Each context comes from its own client address (the benchmarking range 198.18.0.0/15).
    """
    n = next(_CLIENTS)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        extra_http_headers={"X-Forwarded-For": f"198.18.{n // 250}.{n % 250 + 1}"},
    )
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        local = (live_server.url, live_server.url.replace("http", "ws", 1), "data:", "blob:")
        if url.startswith(local):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.blocked = blocked
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()
