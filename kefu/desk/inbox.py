"""An agent's open chats as the server knows them: who the customer is, the last message and
how many customer messages the agent has not read. The console lists these after any login, on
any browser, so no chat depends on one tab's storage."""

from __future__ import annotations

from typing import Any

from kefu.desk.events import conversation_channel, message_dict
from kefu.desk.outbox import Outbox
from kefu.desk.ports import Marks, QueueStore
from kefu.desk.shop import Shop
from kefu.domain.conversations import Message, Sender
from kefu.domain.desk import Agent
from kefu.domain.ports import ConversationStore

# a read mark outlives any shift; after that every message counts as read history anyway
READ_MARK_TTL_S = 7 * 24 * 3600


def _mark_key(agent_id: str, conversation_id: str) -> str:
    return f"desk:read:{agent_id}:{conversation_id}"


def seen_by_staff_key(conversation_id: str) -> str:
    """How far any agent has read a conversation: the customer's read receipts."""
    return f"desk:read-receipt:{conversation_id}"


class Inbox:
    def __init__(
        self,
        *,
        marks: Marks | None,
        queue: QueueStore,
        conversations: ConversationStore,
        shop: Shop,
        outbox: Outbox,
    ) -> None:
        self.marks = marks  # None: nothing is remembered as read
        self.queue = queue
        self.conversations = conversations
        self.shop = shop
        self.outbox = outbox

    def seen_by_staff(self, conversation_id: str) -> int:
        """The last message seq an agent has seen in the conversation (0: none)."""
        stored = self.marks.get(seen_by_staff_key(conversation_id)) if self.marks else None
        try:
            return int(stored) if stored else 0
        except ValueError:
            return 0

    def read_up_to(self, agent_id: str, conversation_id: str) -> int:
        """The sequence number of the last message this agent has seen in the conversation."""
        if self.marks is None:
            return 0
        stored = self.marks.get(_mark_key(agent_id, conversation_id))
        try:
            return int(stored) if stored else 0
        except ValueError:
            return 0

    def mark_read(self, agent: Agent, conversation_id: str, seq: int) -> None:
        """The agent has seen everything up to ``seq`` (marks only move forward)."""
        if self.marks is None or seq <= self.read_up_to(agent.id, conversation_id):
            return
        self.marks.set(_mark_key(agent.id, conversation_id), str(seq), READ_MARK_TTL_S)
        if seq > self.seen_by_staff(conversation_id):
            # the customer's side shows 已读 under the messages a person has seen
            self.marks.set(seen_by_staff_key(conversation_id), str(seq), READ_MARK_TTL_S)
            self.outbox.publish(conversation_channel(conversation_id), {"type": "read", "seq": seq})

    def open_chats(self, agent: Agent) -> list[dict[str, Any]]:
        """The chats this agent is serving now, the one with the newest message first."""
        chats: list[dict[str, Any]] = []
        for entry in self.queue.active_of(agent.id):
            conversation = self.conversations.get(entry.conversation_id)
            if conversation is None:
                continue
            seen = self.read_up_to(agent.id, entry.conversation_id)
            # polled every few seconds by every console: read only what came after the agent's
            # mark, and the marked message itself when nothing did
            newer = self.conversations.messages(entry.conversation_id, after_seq=seen, limit=1000)
            unread = sum(1 for m in newer if m.sender is Sender.CUSTOMER)
            last: Message | None = None
            if newer:
                last = newer[-1]
            elif seen:
                marked = self.conversations.messages(
                    entry.conversation_id, after_seq=seen - 1, limit=1
                )
                last = marked[0] if marked else None
            customer = self.shop.customer(conversation.customer_id)
            chats.append(
                {
                    "conversation_id": conversation.id,
                    "customer_id": conversation.customer_id,
                    "customer_name": customer.name if customer else None,
                    "vip": customer.vip.value if customer else entry.vip,
                    "lang": conversation.lang,
                    "channel": conversation.channel,
                    "status": conversation.status.value,
                    "skill": entry.skill,
                    "unread": unread,
                    "last_message": message_dict(last) if last else None,
                }
            )
        chats.sort(key=lambda c: c["last_message"]["at"] if c["last_message"] else "", reverse=True)
        return chats
