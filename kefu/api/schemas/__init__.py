"""Wire models: the shapes of the contract's requests and responses, validated at the edge so the
core receives typed values and the OpenAPI document says what each route answers. One module per
area of the API (messages: the customer's side; desk: agents and supervisors; ops: dashboards,
planning, privacy and operations; shop: knowledge, promotions, channels and the widget); the
customer's message models, which outside clients know by name, are re-exported here.
Response models forbid undeclared keys: tests/api/test_openapi_wire.py holds every route to it."""

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
