"""The contract's JSON error shape for every failure: ``{"error": {"code", "message"}}``.

Client mistakes are 4xx with a clear message; a bug is a 500 with a request id and a log line,
never a stack trace to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kefu.domain.errors import ClientError
from kefu.edge.problems import http_status
from kefu.runtime.shared import StateUnavailable

log = logging.getLogger("kefu.api")


def error_body(code: str, message: str, request: Request | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    rid = getattr(request.state, "request_id", None) if request is not None else None
    if rid:
        body["error"]["request_id"] = rid
    return body


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClientError)
    async def _client_error(request: Request, exc: ClientError) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        retry = getattr(exc, "retry_after_s", None)
        if headers is None and retry is not None:
            headers = {"Retry-After": str(retry)}
        return JSONResponse(
            error_body(exc.code, exc.message, request), http_status(exc), headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("invalid_request", _describe_validation(exc), request), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail), request), exc.status_code, headers=exc.headers
        )

    @app.exception_handler(StateUnavailable)
    async def _state_down(request: Request, exc: StateUnavailable) -> JSONResponse:
        log.warning("shared state unavailable: %s", exc)
        message = "the service is briefly unavailable (shared state); retry in a few seconds"
        return JSONResponse(
            error_body("state_unavailable", message, request), 503, headers={"Retry-After": "5"}
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if not exc.connection_invalidated:  # a bug or a constraint: the generic 500 below
            return await _unexpected(request, exc)
        # The database dropped the connection (a restart, a failover): SQLAlchemy has emptied
        # the pool, the request's transaction never committed, so a retry is safe and the next
        # one gets a fresh connection.
        log.warning("database connection lost: %s", exc.orig)
        message = "the database connection was reset; retry in a moment"
        return JSONResponse(
            error_body("database_unavailable", message, request), 503, headers={"Retry-After": "1"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception(
            "unhandled error", extra={"request_id": getattr(request.state, "request_id", "-")}
        )
        return JSONResponse(error_body("internal_error", "internal error", request), 500)
