"""The handoff policy (data/dialogue/policy.json): when a person must take over."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kefu.domain.handoff import HandoffReason
from kefu.resources import data_path


@dataclass(frozen=True)
class HandoffPolicy:
    anger_threshold: float
    abuse_anger: float
    anger_word_boost: float  # exasperated words ("干什么吃的") the anger model underrates
    complaint_runner_up: float  # complaint this likely, in a negative message, is a complaint
    dispute_anger: float  # negative and at least this angry: pushback on a decision
    unresolved_turns: int
    low_confidence: float
    low_confidence_turns: int
    fragment_confidence: float
    dispute_amount: Decimal
    dispute_intents: frozenset[str]
    handoff_intents: dict[str, HandoffReason]
    order_intents: frozenset[str]
    shipping_hours: int
    peak_shipping_hours: int
    restock_days_default: int
    courier_by_category: dict[str, str]  # who will carry an order that has not shipped yet
    kb_min_score_out_of_scope: float  # an off-topic message needs a clear knowledge-base hit
    # intents that change something: never carried into a turn that did not ask for them
    action_intents: frozenset[str]
    routine_while_waiting: frozenset[str]  # what the bot still answers in the queue
    curated_min_score: float  # an approved answer this close replaces a generic skill reply
    # a waiting customer hears again when the place moves this much or the wait this much
    waiting_notice_position_step: int
    waiting_notice_wait_step_s: int
    # the shop's no-reason return window as the bot explains it (the order system decides)
    no_reason_days: int
    # below this the bot offers a return or exchange and waits for a yes instead of filing it
    action_confidence: float

    @classmethod
    def load(cls, path: Path | None = None) -> HandoffPolicy:
        with (path or data_path("dialogue", "policy.json")).open(encoding="utf-8") as f:
            raw: dict[str, Any] = json.load(f)
        return cls(
            anger_threshold=float(raw["anger_threshold"]),
            abuse_anger=float(raw["abuse_anger"]),
            anger_word_boost=float(raw["anger_word_boost"]),
            complaint_runner_up=float(raw["complaint_runner_up"]),
            dispute_anger=float(raw["dispute_anger"]),
            unresolved_turns=int(raw["unresolved_turns"]),
            low_confidence=float(raw["low_confidence"]),
            low_confidence_turns=int(raw["low_confidence_turns"]),
            fragment_confidence=float(raw["fragment_confidence"]),
            dispute_amount=Decimal(raw["dispute_amount"]),
            dispute_intents=frozenset(raw["dispute_intents"]),
            handoff_intents={k: HandoffReason(v) for k, v in raw["handoff_intents"].items()},
            order_intents=frozenset(raw["order_intents"]),
            no_reason_days=int(raw["no_reason_days"]),
            action_confidence=float(raw["action_confidence"]),
            shipping_hours=int(raw["shipping_hours"]),
            peak_shipping_hours=int(raw["peak_shipping_hours"]),
            restock_days_default=int(raw["restock_days_default"]),
            courier_by_category={str(k): str(v) for k, v in raw["courier_by_category"].items()},
            kb_min_score_out_of_scope=float(raw["kb_min_score_out_of_scope"]),
            action_intents=frozenset(raw["action_intents"]),
            routine_while_waiting=frozenset(raw["routine_while_waiting"]),
            curated_min_score=float(raw["curated_min_score"]),
            waiting_notice_position_step=max(1, int(raw["waiting_notice_position_step"])),
            waiting_notice_wait_step_s=max(1, int(raw["waiting_notice_wait_step_s"])),
        )

    def planned_courier(self, categories: list[str]) -> str:
        """The courier an order will ship with: the first category with its own courier."""
        for category in categories:
            if category in self.courier_by_category:
                return self.courier_by_category[category]
        return self.courier_by_category["default"]

    def asked_reason(self, intent: str) -> HandoffReason | None:
        """Intents that always go to a person: asking for one, complaints."""
        return self.handoff_intents.get(intent)

    def is_angry(self, anger: float) -> bool:
        return anger >= self.anger_threshold

    def too_many_unresolved(self, unresolved: int) -> bool:
        return unresolved >= self.unresolved_turns

    def is_low_confidence(self, confidence: float) -> bool:
        return confidence < self.low_confidence

    def too_often_unsure(self, low_confidence_turns: int) -> bool:
        return low_confidence_turns >= self.low_confidence_turns

    def is_high_value_dispute(self, intent: str, order_value: Decimal, disputed: bool) -> bool:
        return disputed and intent in self.dispute_intents and order_value >= self.dispute_amount
