"""The dialogue state kept in ``Conversation.state`` (JSON): survives restarts and workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_INTENTS = 10
MAX_SENTIMENTS = 5


@dataclass
class DialogueState:
    intents: list[str] = field(default_factory=list)  # recent intents, oldest first
    slots: dict[str, Any] = field(default_factory=dict)  # order_id, sku, company, tax_id, ...
    pending: dict[str, Any] | None = None  # an action waiting for the customer's yes
    awaiting: dict[str, Any] | None = None  # a question the bot asked: intent, slot, options
    unresolved: int = 0  # consecutive turns the bot could not resolve
    low_confidence: int = 0  # consecutive turns understood with low confidence
    lang: str = "zh-CN"
    sentiment: list[str] = field(default_factory=list)  # recent sentiment labels (trend)
    notice_sent: bool = False  # the "a person will answer" notice was shown while waiting
    side: str | None = None  # the rollout side ("ai" or "people") the conversation started on
    urgent: bool = False  # the customer said it is urgent: a handoff gets priority
    last_reply: str = ""  # what the bot said last turn: saying it again resolves nothing
    waiting_told: dict[str, Any] | None = None  # the queue place and wait last told
    # a guest's way to their orders: step ("phone" | "code"), the order question to answer after
    linking: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> DialogueState:
        raw = raw or {}
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def last_intent(self) -> str | None:
        return self.intents[-1] if self.intents else None

    def remember_intent(self, intent: str) -> None:
        self.intents = [*self.intents, intent][-MAX_INTENTS:]

    def remember_sentiment(self, sentiment: str) -> None:
        self.sentiment = [*self.sentiment, sentiment][-MAX_SENTIMENTS:]
