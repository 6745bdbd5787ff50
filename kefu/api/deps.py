"""Dependencies routes use to reach the running kefu."""

from __future__ import annotations

from fastapi import Request

from kefu.wiring import Kefu


def get_kefu(request: Request) -> Kefu:
    kefu: Kefu = request.app.state.kefu
    return kefu
