"""The FastAPI app factory."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool

from kefu import __version__
from kefu.api.errors import install_error_handlers
from kefu.api.routes import (
    admin_agents,
    admin_words,
    agent,
    analytics,
    channels,
    health,
    images,
    knowledge,
    messages,
    nlu,
    pages,
    promotions,
    promotions_admin,
    realtime,
)
from kefu.config import Settings, get_settings
from kefu.logging_setup import configure_logging, request_id_var
from kefu.wiring import Kefu

log = logging.getLogger("kefu.api")


def create_app(settings: Settings | None = None, kefu: Kefu | None = None) -> FastAPI:
    """The whole HTTP service; starts kefu in the lifespan unless one is handed in (tests)."""
    settings = settings or (kefu.settings if kefu else get_settings())
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = kefu is None
        app.state.kefu = kefu or Kefu.start(settings)
        if owned:
            # load the NLU model before taking traffic: the first customer should not wait for it
            await run_in_threadpool(lambda: app.state.kefu.dialogue.nlu)
        try:
            yield
        finally:
            if owned:
                app.state.kefu.close()

    app = FastAPI(title="kefu", version=__version__, lifespan=lifespan)
    install_error_handlers(app)

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        request.state.request_id = rid
        token = request_id_var.set(rid)
        start = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["x-request-id"] = rid
        log.debug(
            "%s %s %s %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - start) * 1000,
        )
        return response

    app.include_router(health.router)
    app.include_router(promotions.router)
    # --- routers: each area includes its router here ---
    app.include_router(messages.router)
    app.include_router(knowledge.router)
    app.include_router(agent.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    app.include_router(analytics.router)
    app.include_router(promotions_admin.router)
    app.include_router(admin_words.router)
    app.include_router(admin_agents.router)
    app.include_router(nlu.router)
    app.include_router(channels.router)
    app.include_router(realtime.router)
    app.include_router(images.router)
    return app
