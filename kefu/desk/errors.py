"""Desk errors a client can act on (the API turns each into its 4xx)."""

from __future__ import annotations

from kefu.domain.errors import ClientError


class NotAllowed(ClientError):
    """Another agent's conversation or ticket, or a supervisor's action."""

    status_code = 403
    code = "forbidden"


class Unknown(ClientError):
    status_code = 404
    code = "not_found"


class WrongState(ClientError):
    """Taken by another agent first, already closed, already rated, ..."""

    status_code = 409
    code = "conflict"


class Invalid(ClientError):
    status_code = 422
    code = "invalid_request"


class Unavailable(ClientError):
    status_code = 503
    code = "unavailable"
