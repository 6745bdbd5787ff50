"""Pushes a stored notice to the channel kefu.notify chose for it (``meta["delivery"]``).

``wechat``: a customer-service message (the customer wrote within 48 hours); ``wechat_template``:
a template message, for service notices only; a webhook platform: its callback; ``history``:
nothing to push, the customer sees it in the chat history.
"""

from __future__ import annotations

from datetime import datetime

from kefu.channels.outbound import Outbox
from kefu.channels.webhook import PLATFORMS
from kefu.domain.conversations import Message
from kefu.store.channel_repo import SqlChannelStore


def deliver_notice(
    store: SqlChannelStore, outbox: Outbox, message: Message, customer_id: str, now: datetime
) -> str | None:
    """Queue the notice for its channel; the delivery id, None when nothing is pushed."""
    delivery = str(message.meta.get("delivery") or "history")
    if delivery in ("wechat", "wechat_template"):
        open_id = store.identity_of(customer_id, "wechat")
        if open_id is None:
            return None
        payload: dict[str, object] = {"text": message.text}
        if delivery == "wechat_template":
            payload.update(
                category=message.meta.get("category"), order_id=message.meta.get("order_id")
            )
        return outbox.enqueue(delivery, open_id, payload, now)
    if delivery in PLATFORMS:
        user_id = store.identity_of(customer_id, delivery)
        url = store.callback(delivery, user_id) if user_id else None
        if user_id is None or url is None:
            return None
        payload = {
            "type": "notice",
            "user_id": user_id,
            "conversation_id": message.conversation_id,
            "message": {
                "id": message.id,
                "seq": message.seq,
                "sender": message.sender.value,
                "text": message.text,
                "at": message.at.isoformat(),
                "kind": message.kind,
                "order_id": message.meta.get("order_id"),
            },
        }
        return outbox.enqueue(delivery, url, payload, now)
    return None
