"""Per-client rate limits on the routes a surge (or a script) can flood.

Counted in the shared state, so the limit holds across every worker when Redis is configured. A
limited client gets a 429 with Retry-After; nothing it sent is half-processed.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from kefu.api.errors import TooManyRequests
from kefu.wiring import Kefu


def rate_limit(scope: str, limit: int, window_s: float) -> Callable[[Request], None]:
    """A dependency allowing ``limit`` requests per ``window_s`` per client for ``scope``."""

    def check(request: Request) -> None:
        kefu: Kefu = request.app.state.kefu
        client = request.client.host if request.client else "unknown"
        if not kefu.state.allow(f"{scope}:{client}", limit, window_s):
            raise TooManyRequests(
                f"too many requests: at most {limit} per {window_s:g} s, try again shortly"
            )

    return check
