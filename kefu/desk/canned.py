"""快捷语: an agent's canned replies, filled from the conversation (the customer's name, the order
they named or their latest, its status and tracking), in the conversation's language."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from kefu.desk import assist
from kefu.desk.access import CheckAccess
from kefu.desk.policy import DeskPolicy
from kefu.desk.shop import Shop
from kefu.desk.texts import render
from kefu.domain.conversations import Sender
from kefu.domain.desk import Agent
from kefu.domain.ports import ConversationStore
from kefu.resources import data_path


@lru_cache(maxsize=4)
def _load(path: Path | None = None) -> dict[str, Any]:
    source = path or data_path("desk", "canned_replies.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def load_replies(path: Path | None = None) -> tuple[dict[str, Any], ...]:
    """The shipped canned replies (checked: each has a shortcut, a title and zh-CN text)."""
    replies = _load(path)["replies"]
    for reply in replies:
        if not reply.get("shortcut") or "zh-CN" not in reply["text"] or not reply.get("title"):
            raise ValueError(f"canned reply incomplete: {reply}")
    return tuple(replies)


def _pick(texts: dict[str, str], lang: str) -> str:
    for candidate in (lang, "zh-CN" if lang.startswith("zh") else "en", "zh-CN"):
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()))


class CannedReplies:
    def __init__(
        self,
        *,
        conversations: ConversationStore,
        shop: Shop,
        policy: DeskPolicy,
        check_access: CheckAccess,
    ) -> None:
        self.conversations = conversations
        self.shop = shop
        self.policy = policy
        self.check_access = check_access

    def for_conversation(self, agent: Agent, conversation_id: str) -> list[dict[str, str]]:
        conversation, _ = self.check_access(agent, conversation_id)
        lang = conversation.lang
        messages = self.conversations.messages(conversation_id, limit=1000)
        said = " ".join(m.text for m in messages if m.sender is Sender.CUSTOMER)
        customer = self.shop.customer(conversation.customer_id)
        order = assist.relevant_order(said, self.shop.orders(conversation.customer_id))
        values = assist.fill_values(order, customer)
        values["agent_name"] = agent.name
        couriers = _load().get("couriers", {})
        if values.get("courier") in couriers:
            values["courier"] = _pick(couriers[values["courier"]], lang)
        if order is not None:
            values["order_status"] = render(
                self.policy.messages, f"order_status.{order.status.value}", lang
            )
        return [
            {
                "shortcut": r["shortcut"],
                "title": _pick(r["title"], lang),
                "text": assist.fill(_pick(r["text"], lang), values),
            }
            for r in load_replies()
        ]
