"""What the desk says: system messages into a conversation, and events on the live channels."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kefu.desk.events import conversation_channel, message_dict
from kefu.desk.ports import Publisher
from kefu.desk.texts import render
from kefu.domain.conversations import Message, Sender
from kefu.domain.ports import ConversationStore


class Outbox:
    def __init__(
        self,
        *,
        conversations: ConversationStore,
        publisher: Publisher,
        messages: dict[str, Any],
    ) -> None:
        self.conversations = conversations
        self.publisher = publisher
        self.messages = messages

    def publish(self, channel: str, payload: dict[str, Any]) -> None:
        self.publisher.publish(channel, json.dumps(payload, ensure_ascii=False, default=str))

    def tell_customer(
        self,
        conversation_id: str,
        lang: str,
        key: str,
        at: datetime,
        *,
        kind: str = "notice",
        meta: dict[str, Any] | None = None,
        **values: Any,
    ) -> Message:
        """The desk's message ``key`` in the conversation's language, stored and published."""
        text = render(self.messages, key, lang, **values)
        message = self.conversations.append_message(
            conversation_id, Sender.SYSTEM, text, at, kind=kind, meta=meta
        )
        self._published(conversation_id, message)
        return message

    def tell_customer_text(self, conversation_id: str, text: str, at: datetime) -> Message:
        message = self.conversations.append_message(
            conversation_id, Sender.SYSTEM, text, at, kind="notice"
        )
        self._published(conversation_id, message)
        return message

    def _published(self, conversation_id: str, message: Message) -> None:
        self.publish(
            conversation_channel(conversation_id), {"type": "message", **message_dict(message)}
        )
