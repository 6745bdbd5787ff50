"""Errors a client can act on: edges turn them into a 4xx ``{"error": {code, message}}``."""

from __future__ import annotations


class ClientError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class ServiceBusy(ClientError):
    """Not the client's mistake but one it can act on: try again after ``retry_after_s``. Nothing
    of the request was stored, so a retry cannot duplicate it."""

    status_code = 503
    code = "busy"
    retry_after_s = 1
