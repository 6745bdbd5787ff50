"""Wire models: the shapes of the contract's requests and responses, validated at the edge so the
core receives typed values and the OpenAPI document says what each route answers. One module per
area of the API; the names are re-exported here."""

from __future__ import annotations

from kefu.api.schemas.messages import (
    ConversationOut,
    ErrorDetail,
    ErrorOut,
    HistoryMessageOut,
    MessageIn,
    MessageOut,
    ReplyOut,
)

__all__ = [
    "ConversationOut",
    "ErrorDetail",
    "ErrorOut",
    "HistoryMessageOut",
    "MessageIn",
    "MessageOut",
    "ReplyOut",
]
