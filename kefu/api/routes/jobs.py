"""The embedded job consumer: in the default setup (no Redis) the server runs the background tasks
itself, on a few threads, for as long as it serves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool

from kefu.wiring import Kefu


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    kefu: Kefu = app.state.kefu
    if kefu.jobs.in_process:
        await run_in_threadpool(kefu.jobs.start_consumer)
    try:
        yield
    finally:
        await run_in_threadpool(kefu.jobs.stop_consumer)


router = APIRouter(lifespan=lifespan)
