"""The edge's own refusals, and the one place a kind of refusal becomes an HTTP status.

Every door (routes, WeChat, webhook platforms) answers a ``ClientError`` with the status its
``Problem`` maps to here; ``kefu.api.errors`` renders the JSON body.
"""

from __future__ import annotations

from kefu.domain.errors import ClientError, Problem

# the one place a kind of refusal becomes an HTTP status
HTTP_STATUS: dict[Problem, int] = {
    Problem.INVALID: 400,
    Problem.UNAUTHENTICATED: 401,
    Problem.FORBIDDEN: 403,
    Problem.NOT_FOUND: 404,
    Problem.CONFLICT: 409,
    Problem.TOO_LARGE: 413,
    Problem.UNSUPPORTED: 415,
    Problem.UNPROCESSABLE: 422,
    Problem.RATE_LIMITED: 429,
    Problem.BUSY: 503,
    Problem.UNAVAILABLE: 503,
}


def http_status(exc: ClientError) -> int:
    return HTTP_STATUS[exc.problem]


class ApiError(ClientError):
    """An error the client can act on, raised by the HTTP edge itself."""


class NotFound(ApiError):
    problem = Problem.NOT_FOUND
    code = "not_found"


class Unauthorized(ApiError):
    problem = Problem.UNAUTHENTICATED
    code = "unauthorized"


class Forbidden(ApiError):
    problem = Problem.FORBIDDEN
    code = "forbidden"


class Conflict(ApiError):
    problem = Problem.CONFLICT
    code = "conflict"


class TooManyRequests(ApiError):
    problem = Problem.RATE_LIMITED
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int = 60, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s
        # every 429 says when to come back: a well-behaved client waits instead of hammering
        self.headers = {"Retry-After": str(retry_after_s)}


class PayloadTooLarge(ApiError):
    problem = Problem.TOO_LARGE
    code = "payload_too_large"


class ServiceUnavailable(ApiError):
    """A backend the service needs (Redis) is down: retry later, nothing was changed."""

    problem = Problem.UNAVAILABLE
    code = "service_unavailable"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.headers = {"Retry-After": "5"}
