"""Errors a client can act on: edges turn them into a 4xx ``{"error": {code, message}}``.

The core says what kind of refusal an error is (``Problem``) and names it with a stable ``code``
(the contract's error codes); which status that is on a wire (HTTP, a webhook's answer) is the
edge's business: ``kefu.edge.problems.http_status``.
"""

from __future__ import annotations

from enum import StrEnum


class Problem(StrEnum):
    """The kind of refusal, whatever the wire."""

    INVALID = "invalid"  # the request is malformed
    UNPROCESSABLE = "unprocessable"  # well-formed, but breaks a rule of the shop or the contract
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"  # a kind of content kefu does not take (an image type)
    UNAUTHENTICATED = "unauthenticated"  # who is asking is unknown or unproven
    FORBIDDEN = "forbidden"  # known, but not allowed
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the state changed or does not allow it now
    RATE_LIMITED = "rate_limited"
    BUSY = "busy"  # try again shortly; nothing was stored
    UNAVAILABLE = "unavailable"  # a service kefu needs is down; nothing was changed


class ClientError(Exception):
    problem: Problem = Problem.INVALID
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, problem: Problem | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if problem is not None:
            self.problem = problem


class ServiceBusy(ClientError):
    """Not the client's mistake but one it can act on: try again after ``retry_after_s``. Nothing
    of the request was stored, so a retry cannot duplicate it."""

    problem = Problem.BUSY
    code = "busy"
    retry_after_s = 1
