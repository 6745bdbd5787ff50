"""Per-client rate limits as a route dependency (every door's rules: ``kefu.edge.limits``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from kefu.edge.limits import check, client_address
from kefu.wiring import Kefu


def rate_limit(scope: str, limit: int, window_s: float) -> Callable[[Request], None]:
    """A dependency: at most ``limit`` requests per ``window_s`` per client address."""

    def dependency(request: Request) -> None:
        kefu: Kefu = request.app.state.kefu
        address = client_address(request, kefu.settings)
        check(kefu.state, f"{scope}:{address}", limit, window_s, "too many requests")

    return dependency
