"""Desk errors a client can act on (the API turns each into its 4xx)."""

from __future__ import annotations

from enum import StrEnum

from kefu.domain.errors import ClientError, Problem


class DeskErrorCode(StrEnum):
    """The contract's error codes of this package (what a client reads in ``error.code``)."""

    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID_REQUEST = "invalid_request"
    UNAVAILABLE = "unavailable"


class NotAllowed(ClientError):
    """Another agent's conversation or ticket, or a supervisor's action."""

    problem = Problem.FORBIDDEN
    code = DeskErrorCode.FORBIDDEN


class Unknown(ClientError):
    problem = Problem.NOT_FOUND
    code = DeskErrorCode.NOT_FOUND


class WrongState(ClientError):
    """Taken by another agent first, already closed, already rated, ..."""

    problem = Problem.CONFLICT
    code = DeskErrorCode.CONFLICT


class Invalid(ClientError):
    problem = Problem.UNPROCESSABLE
    code = DeskErrorCode.INVALID_REQUEST


class Unavailable(ClientError):
    problem = Problem.BUSY
    code = DeskErrorCode.UNAVAILABLE
