"""Errors of the knowledge base that a client can act on (edges turn them into 4xx JSON)."""

from __future__ import annotations

from kefu.domain.errors import ClientError


class KbInvalid(ClientError):
    status_code = 422
    code = "invalid_entry"


class KbNotFound(ClientError):
    status_code = 404
    code = "not_found"


class KbConflict(ClientError):
    status_code = 409
    code = "conflict"
