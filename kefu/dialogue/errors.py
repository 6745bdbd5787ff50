"""Client mistakes in a message turn; the HTTP edge turns them into a 4xx JSON error."""

from __future__ import annotations

from enum import StrEnum

from kefu.domain.errors import ClientError, Problem


class DialogueErrorCode(StrEnum):
    """The contract's error codes of this package (what a client reads in ``error.code``)."""

    INVALID_MESSAGE = "invalid_message"
    MESSAGE_TOO_LONG = "message_too_long"
    UNKNOWN_CHANNEL = "unknown_channel"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    UNAUTHORIZED = "unauthorized"


class InvalidMessage(ClientError):
    problem = Problem.UNPROCESSABLE
    code = DialogueErrorCode.INVALID_MESSAGE


class MessageTooLong(ClientError):
    problem = Problem.TOO_LARGE
    code = DialogueErrorCode.MESSAGE_TOO_LONG


class UnknownChannel(ClientError):
    problem = Problem.UNPROCESSABLE
    code = DialogueErrorCode.UNKNOWN_CHANNEL


class UnknownCustomer(ClientError):
    problem = Problem.NOT_FOUND
    code = DialogueErrorCode.CUSTOMER_NOT_FOUND


class ConversationNotFound(ClientError):
    """Unknown, malformed or another customer's conversation: all look the same."""

    problem = Problem.NOT_FOUND
    code = DialogueErrorCode.CONVERSATION_NOT_FOUND


class IdentityRequired(ClientError):
    """A channel identity that belongs to a shop customer, claimed without their signed token."""

    problem = Problem.UNAUTHENTICATED
    code = DialogueErrorCode.UNAUTHORIZED
