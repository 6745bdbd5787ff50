"""What happens once messages are stored, told by the application layer, not by the store.

The store writes rows and knows nobody above it. ``AnnouncedConversations`` wraps whichever
``ConversationStore`` a running kefu uses and, after a write has committed, hands the stored
messages to ``MessageEvents``; the channels subscribe there (chat-socket wake-ups, outbound
delivery to WeChat and the platforms). Every writer of messages in a running kefu (the dialogue,
the desk, the notices) is given the announced store by the composition root, so none is missed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from kefu.domain.conversations import Conversation, Message, NewMessage, Sender
from kefu.domain.ports import ConversationStore

log = logging.getLogger("kefu.events")

MessageListener = Callable[[Sequence[Message]], None]


class MessageEvents:
    """The listeners of one running kefu, told of each write's messages together, in order."""

    def __init__(self) -> None:
        self._listeners: tuple[MessageListener, ...] = ()
        self._guard = threading.Lock()

    def subscribe(self, listener: MessageListener) -> Callable[[], None]:
        """Tell ``listener`` of every write from now on; returns the function that stops it."""
        with self._guard:
            self._listeners = (*self._listeners, listener)

        def stop() -> None:
            with self._guard:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return stop

    def stored(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        for listener in self._listeners:  # a tuple: subscribing meanwhile changes nothing here
            try:
                listener(messages)
            except Exception:  # the messages are stored; a failing listener must not undo that
                log.exception("new-message listener failed")


class AnnouncedConversations:
    """A ``ConversationStore`` whose message writes are announced once they have committed."""

    def __init__(self, store: ConversationStore, events: MessageEvents) -> None:
        self.store = store
        self.events = events

    def commit_turn(
        self, conversation: Conversation, messages: Sequence[NewMessage], *, create: bool = False
    ) -> list[Message]:
        stored = self.store.commit_turn(conversation, messages, create=create)
        self.events.stored(stored)
        return stored

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
    ) -> Message:
        message = self.store.append_message(
            conversation_id,
            sender,
            text,
            at,
            kind=kind,
            channel=channel,
            agent_id=agent_id,
            intent=intent,
            confidence=confidence,
            meta=meta,
        )
        self.events.stored([message])
        return message

    # reads and writes without messages: the store's own
    def get(self, conversation_id: str) -> Conversation | None:
        return self.store.get(conversation_id)

    def latest_open(self, customer_id: str) -> Conversation | None:
        return self.store.latest_open(customer_id)

    def create(self, conversation: Conversation) -> None:
        self.store.create(conversation)

    def save(self, conversation: Conversation) -> None:
        self.store.save(conversation)

    def messages(self, conversation_id: str, after_seq: int = 0, limit: int = 500) -> list[Message]:
        return self.store.messages(conversation_id, after_seq, limit)

    def record_event(
        self, conversation_id: str, kind: str, at: datetime, actor: str, detail: dict[str, Any]
    ) -> None:
        self.store.record_event(conversation_id, kind, at, actor, detail)

    def of_customer(self, customer_id: str, limit: int = 20) -> list[Conversation]:
        return self.store.of_customer(customer_id, limit)
