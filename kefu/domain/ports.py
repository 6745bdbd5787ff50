"""The domain's ports: where conversations are kept and what the conversation asks of the desk
(kefu.store.conversation_repo and kefu.desk implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from kefu.domain.conversations import Conversation, Message, NewMessage, Sender
from kefu.domain.desk import TicketKind
from kefu.domain.handoff import (
    HandoffOutcome,
    HandoffRequest,
    LeftMessage,
    TicketRequest,
    WaitStatus,
)


class ConversationStore(Protocol):
    """Persistence of conversations and messages (kefu.store.conversation_repo implements it)."""

    def get(self, conversation_id: str) -> Conversation | None: ...
    def latest_open(self, customer_id: str) -> Conversation | None:
        """The customer's most recent conversation that is not closed, on any channel."""
        ...

    def create(self, conversation: Conversation) -> None: ...
    def save(self, conversation: Conversation) -> None:
        """Persist status, state and routing fields; raises ConcurrentUpdate on a lost race."""
        ...

    def commit_turn(
        self, conversation: Conversation, messages: Sequence[NewMessage], *, create: bool = False
    ) -> list[Message]:
        """One transaction: the conversation (created, or saved under its version) and the turn's
        messages in order. Raises ConcurrentUpdate, writing nothing, when the row changed."""
        ...

    def append_message(
        self,
        conversation_id: str,
        sender: Sender,
        text: str,
        at: datetime,
        *,
        kind: str | None = None,
        channel: str | None = None,
        agent_id: str | None = None,
        intent: str | None = None,
        confidence: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Message: ...
    def messages(
        self, conversation_id: str, after_seq: int = 0, limit: int = 500
    ) -> list[Message]: ...
    def record_event(
        self, conversation_id: str, kind: str, at: datetime, actor: str, detail: dict[str, Any]
    ) -> None: ...
    def of_customer(self, customer_id: str, limit: int = 20) -> list[Conversation]: ...


class DeskPort(Protocol):
    def hand_off(self, request: HandoffRequest) -> HandoffOutcome: ...
    def open_ticket(self, request: TicketRequest) -> str:
        """Create a ticket for work the bot started (returns, invoices, stalled parcels)."""
        ...

    def find_open_ticket(
        self, customer_id: str, order_id: str | None, kind: TicketKind
    ) -> str | None:
        """The open ticket of this kind for the order, if there is one (one per order and kind)."""
        ...

    def waiting_status(self, conversation_id: str, at: datetime) -> WaitStatus:
        """Position and expected wait of a conversation in the queue now."""
        ...

    def waiting_conversations(self, limit: int) -> list[str]:
        """Conversations in the queue now, most urgent first."""
        ...

    def notify(self, conversation_id: str, text: str, at: datetime) -> None:
        """A notice to the customer outside a turn (stored, then pushed to their channel)."""
        ...

    def leave_message(self, message: LeftMessage) -> str:
        """Take the conversation out of the queue; its ticket carries the message. Returns the
        ticket id."""
        ...
