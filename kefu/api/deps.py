"""Dependencies routes use to reach the running kefu."""

from __future__ import annotations

from fastapi import Request

from kefu.wiring import Kefu


def kefu_of(request: Request) -> Kefu:
    kefu: Kefu = request.app.state.kefu
    return kefu


async def get_kefu(request: Request) -> Kefu:
    """The route dependency (async: a plain function dependency costs every request a hop to
    the thread pool and back)."""
    return kefu_of(request)
