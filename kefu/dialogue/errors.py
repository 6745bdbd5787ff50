"""Client mistakes in a message turn; the HTTP edge turns them into a 4xx JSON error."""

from __future__ import annotations

from kefu.domain.errors import ClientError


class InvalidMessage(ClientError):
    status_code = 422
    code = "invalid_message"


class MessageTooLong(ClientError):
    status_code = 413
    code = "message_too_long"


class UnknownChannel(ClientError):
    status_code = 422
    code = "unknown_channel"


class UnknownCustomer(ClientError):
    status_code = 404
    code = "customer_not_found"


class ConversationNotFound(ClientError):
    """Unknown, malformed or another customer's conversation: all look the same."""

    status_code = 404
    code = "conversation_not_found"


class IdentityRequired(ClientError):
    """A channel identity that belongs to a shop customer, claimed without their signed token."""

    status_code = 401
    code = "unauthorized"
