"""The FastAPI app factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from kefu import __version__
from kefu.api.audit import install_admin_audit
from kefu.api.body_guard import BodyGuard
from kefu.api.errors import install_error_handlers
from kefu.api.middleware import RequestIdMiddleware
from kefu.api.openapi_errors import install_error_schema
from kefu.api.routes import (
    admin_agents,
    admin_words,
    agent,
    analytics,
    channels,
    desk_notes,
    health,
    images,
    imports,
    jobs,
    knowledge,
    messages,
    metrics,
    nlu,
    order_events,
    outcomes,
    pages,
    planning,
    privacy,
    promotions,
    promotions_admin,
    realtime,
    rollout,
    widget,
)
from kefu.config import Settings, get_settings
from kefu.logging_setup import configure_logging
from kefu.wiring import Kefu

log = logging.getLogger("kefu.api")


def create_app(settings: Settings | None = None, kefu: Kefu | None = None) -> FastAPI:
    """The whole HTTP service; starts kefu in the lifespan unless one is handed in (tests)."""
    settings = settings or (kefu.settings if kefu else get_settings())
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = kefu is None
        app.state.kefu = kefu or Kefu.start(settings)
        if owned:
            # load the NLU model before taking traffic: the first customer should not wait for it
            await run_in_threadpool(lambda: app.state.kefu.dialogue.nlu)
            if settings.warm_on_start:
                # and the knowledge index and sentence encoder: seconds of CPU that would land on
                # the first questions of a fresh instance, just when a peak scales out
                await run_in_threadpool(app.state.kefu.knowledge.warm)
                # what start-up built (the model, dictionaries, indexes: about half a million
                # objects) lives as long as the process: out of the collector's sight, a full
                # collection no longer walks it, which cost about 200 ms of a stalled worker
                gc.freeze()
        try:
            yield
        finally:
            threads, app.state.turn_threads = getattr(app.state, "turn_threads", None), None
            if threads is not None:  # the server let running requests finish first
                threads.shutdown(wait=True, cancel_futures=True)
            if owned:
                app.state.kefu.close()

    app = FastAPI(title="kefu", version=__version__, lifespan=lifespan)
    install_error_handlers(app)
    app.add_middleware(BodyGuard)  # sizes and malformed JSON refused before any route reads
    install_admin_audit(app)

    app.add_middleware(RequestIdMiddleware)
    # the embedded widget's API answers the shops' sites (and only them) across origins
    app.add_middleware(widget.WidgetCors, settings=settings)

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
    install_error_schema(app)
    app.include_router(jobs.router)
    app.include_router(rollout.router)
    app.include_router(metrics.router)
    app.include_router(planning.router)
    app.include_router(outcomes.router)
    app.include_router(order_events.router)
    app.include_router(imports.router)
    app.include_router(privacy.router)
    app.include_router(images.router)
    app.include_router(widget.router)
    app.include_router(desk_notes.router)
    return app
