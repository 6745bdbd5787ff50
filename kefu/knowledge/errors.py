"""Errors of the knowledge base that a client can act on (edges turn them into 4xx JSON)."""

from __future__ import annotations

from enum import StrEnum

from kefu.domain.errors import ClientError, Problem


class KnowledgeErrorCode(StrEnum):
    """The contract's error codes of this package (what a client reads in ``error.code``)."""

    INVALID_ENTRY = "invalid_entry"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"


class KbInvalid(ClientError):
    problem = Problem.UNPROCESSABLE
    code = KnowledgeErrorCode.INVALID_ENTRY


class KbNotFound(ClientError):
    problem = Problem.NOT_FOUND
    code = KnowledgeErrorCode.NOT_FOUND


class KbConflict(ClientError):
    problem = Problem.CONFLICT
    code = KnowledgeErrorCode.CONFLICT
