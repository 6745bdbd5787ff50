"""The request id on every response and log line, as a plain ASGI middleware: Starlette's
``BaseHTTPMiddleware`` costs a task and a stream copy per request, a measurable share of a
routine turn at a peak."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kefu.log_context import request_id_var

log = logging.getLogger("kefu.api")

# a caller's own id is echoed only when it is a plain token (no header or log injection)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        rid = given if _CLIENT_ID.match(given) else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        start = time.perf_counter()
        status = [0]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s %s %s %.1fms",
                    scope.get("method"),
                    scope.get("path"),
                    status[0],
                    (time.perf_counter() - start) * 1000,
                )
