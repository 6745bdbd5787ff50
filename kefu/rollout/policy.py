"""Who the bot serves: a stable share of customers, minus the channels and intents switched off.

A customer's side comes from a hash of the customer id, not from a coin toss: every worker on
every machine computes the same side without asking anyone, and the same customer lands on the
same side in each new conversation. Buckets are fixed per customer, so raising the share only
moves people-side customers to the bot (nobody flips back and forth while the shop ramps up).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from kefu.domain.errors import ClientError, Problem

BUCKETS = 10_000  # hundredths of a percent: a share of 50 means buckets 0-4999


class Side(StrEnum):
    AI = "ai"
    PEOPLE = "people"


class InvalidRollout(ClientError):
    problem = Problem.UNPROCESSABLE
    code = "invalid_rollout"


@dataclass(frozen=True, slots=True)
class RolloutConfig:
    """The shop's current switches; ``ai_share`` is the percentage of customers the bot serves."""

    ai_share: int = 100
    ai_off_channels: tuple[str, ...] = ()
    ai_off_intents: tuple[str, ...] = ()
    updated_at: datetime | None = None
    updated_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ai_share": self.ai_share,
            "ai_off_channels": list(self.ai_off_channels),
            "ai_off_intents": list(self.ai_off_intents),
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "updated_by": self.updated_by,
        }

    def switches(self) -> dict[str, Any]:
        """What an audit row compares before and after (not who or when)."""
        return {
            "ai_share": self.ai_share,
            "ai_off_channels": list(self.ai_off_channels),
            "ai_off_intents": list(self.ai_off_intents),
        }


def bucket_of(customer_id: str) -> int:
    """The customer's fixed place in 0..BUCKETS-1 (SHA-256: the same on every worker)."""
    digest = hashlib.sha256(f"kefu-rollout:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def side_for(customer_id: str, ai_share: int) -> Side:
    """The side a new conversation of this customer starts on at this share."""
    return Side.AI if bucket_of(customer_id) < ai_share * BUCKETS // 100 else Side.PEOPLE


class AiOff(StrEnum):
    """Why a turn goes to people instead of the bot (the handoff reason recorded)."""

    ROLLOUT = "rollout"  # the customer is on the people side of the rollout
    SWITCHED_OFF = "ai_switched_off"  # the AI is off for this channel or intent


def ai_off_reason(config: RolloutConfig, side: Side, channel: str, intent: str) -> AiOff | None:
    """None when the bot may answer this turn; else why a person must."""
    if side is Side.PEOPLE:
        return AiOff.ROLLOUT
    if channel in config.ai_off_channels or intent in config.ai_off_intents:
        return AiOff.SWITCHED_OFF
    return None


def changed(
    config: RolloutConfig,
    body: Any,
    *,
    channels: frozenset[str],
    intents: frozenset[str],
) -> RolloutConfig:
    """The config after an admin's change; fields left out keep their value (422 on bad input)."""
    if not isinstance(body, dict) or not body:
        raise InvalidRollout('the body must be {"ai_share": 0-100, ...}')
    unknown = set(body) - {"ai_share", "ai_off_channels", "ai_off_intents"}
    if unknown:
        raise InvalidRollout(f"unknown fields: {', '.join(sorted(unknown))}")
    new = config
    if "ai_share" in body:
        share = body["ai_share"]
        # bool is an int in Python; "true" as a share is a client mistake, not 1%
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            raise InvalidRollout("ai_share must be a whole number from 0 to 100")
        new = replace(new, ai_share=share)
    if "ai_off_channels" in body:
        new = replace(
            new, ai_off_channels=_names(body["ai_off_channels"], "ai_off_channels", channels)
        )
    if "ai_off_intents" in body:
        new = replace(new, ai_off_intents=_names(body["ai_off_intents"], "ai_off_intents", intents))
    return new


def _names(value: Any, name: str, allowed: frozenset[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRollout(f"{name} must be a list of names")
    wrong = sorted(set(value) - allowed)
    if wrong:
        raise InvalidRollout(
            f"{name}: unknown {', '.join(wrong)}; known: {', '.join(sorted(allowed))}"
        )
    return tuple(sorted(set(value)))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    before: dict[str, Any]
    after: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "before": self.before,
            "after": self.after,
        }


class AiGate(Protocol):
    """What the dialogue asks before the bot answers a turn (kefu.store.rollout_repo implements)."""

    def config(self) -> RolloutConfig:
        """The share and switches in force (shared by every worker)."""
        ...

    def record_side(
        self,
        conversation_id: str,
        customer_id: str,
        side: Side,
        config: RolloutConfig,
        now: datetime,
    ) -> None:
        """Keep a gray-release conversation's side for the two sides' comparison."""
        ...
