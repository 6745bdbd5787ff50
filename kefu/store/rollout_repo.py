"""The AI rollout's settings, audit and per-conversation sides (tables in ``tables.ops``).

The table is the source of truth; the shared state holds a copy every worker reads on each turn
(one Redis GET in production), so a switch flipped on one worker is in force on all of them at
once. A worker whose shared state lost the copy (Redis restarted) reloads it from the table.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kefu.rollout.policy import (
    AuditEntry,
    RolloutConfig,
    Side,
)
from kefu.runtime.shared import SharedState
from kefu.store.db import Database
from kefu.store.tables.ops import ConversationSideRow, RolloutAuditRow, RolloutConfigRow

log = logging.getLogger("kefu.store.rollout")

CONFIG_KEY = "rollout:config"
# a switch flipped on one worker holds on every other within this many seconds
LOCAL_TTL_S = 1.0


def _encode(config: RolloutConfig) -> str:
    return json.dumps(config.to_dict(), separators=(",", ":"))


def _decode(text: str) -> RolloutConfig:
    data = json.loads(text)
    at = data.get("updated_at")
    return RolloutConfig(
        ai_share=int(data["ai_share"]),
        ai_off_channels=tuple(data.get("ai_off_channels") or ()),
        ai_off_intents=tuple(data.get("ai_off_intents") or ()),
        updated_at=datetime.fromisoformat(at) if at else None,
        updated_by=data.get("updated_by"),
    )


class SqlRollout:
    """Implements ``kefu.rollout.policy.AiGate`` for the dialogue, and the admin's changes."""

    def __init__(self, db: Database, state: SharedState, local_ttl_s: float = LOCAL_TTL_S) -> None:
        self.db = db
        self.state = state
        self.local_ttl_s = local_ttl_s
        self._local: tuple[float, RolloutConfig] | None = None

    # ---- the switches ----------------------------------------------------------------------
    def config(self) -> RolloutConfig:
        """The switches every turn asks for: from this worker's copy while it is younger than
        ``local_ttl_s`` (a change reaches every worker within that), else the shared state."""
        local, now = self._local, time.monotonic()
        if local is not None and now - local[0] < self.local_ttl_s:
            return local[1]
        config = self._shared()
        self._local = (now, config)
        return config

    def _shared(self) -> RolloutConfig:
        cached = self.state.get(CONFIG_KEY)
        if cached is not None:
            try:
                return _decode(cached)
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable rollout config in shared state; reloading")
        config = self._load()
        self.state.set(CONFIG_KEY, _encode(config))
        return config

    def _load(self) -> RolloutConfig:
        with self.db.session() as s:
            row = s.get(RolloutConfigRow, 1)
            if row is None:
                return RolloutConfig()
            return RolloutConfig(
                ai_share=row.ai_share,
                ai_off_channels=tuple(row.ai_off_channels),
                ai_off_intents=tuple(row.ai_off_intents),
                updated_at=row.updated_at,
                updated_by=row.updated_by,
            )

    def change(self, new: RolloutConfig, actor: str, at: datetime) -> RolloutConfig:
        """Store the new switches with an audit row, then publish them to every worker."""
        with self.db.session() as s:
            row = s.get(RolloutConfigRow, 1, with_for_update=True)
            if row is None:
                row = RolloutConfigRow(id=1, ai_share=100, ai_off_channels=[], ai_off_intents=[])
                s.add(row)
            before = {
                "ai_share": row.ai_share,
                "ai_off_channels": list(row.ai_off_channels or []),
                "ai_off_intents": list(row.ai_off_intents or []),
            }
            row.ai_share = new.ai_share
            row.ai_off_channels = list(new.ai_off_channels)
            row.ai_off_intents = list(new.ai_off_intents)
            row.updated_at = at
            row.updated_by = actor
            s.add(RolloutAuditRow(at=at, actor=actor, before=before, after=new.switches()))
        stored = RolloutConfig(
            new.ai_share, new.ai_off_channels, new.ai_off_intents, updated_at=at, updated_by=actor
        )
        self.state.set(CONFIG_KEY, _encode(stored))
        self._local = (time.monotonic(), stored)
        return stored

    def audit(self, limit: int = 100) -> list[AuditEntry]:
        with self.db.session() as s:
            rows = s.scalars(
                select(RolloutAuditRow)
                .order_by(RolloutAuditRow.at.desc(), RolloutAuditRow.id.desc())
                .limit(limit)
            )
            return [AuditEntry(r.at, r.actor, dict(r.before), dict(r.after)) for r in rows]

    # ---- sides -----------------------------------------------------------------------------
    def side_of(self, conversation_id: str) -> Side | None:
        with self.db.session() as s:
            row = s.get(ConversationSideRow, conversation_id)
            return Side(row.side) if row is not None else None

    def record_side(
        self,
        conversation_id: str,
        customer_id: str,
        side: Side,
        config: RolloutConfig,
        now: datetime,
    ) -> None:
        try:
            with self.db.session() as s:
                s.add(
                    ConversationSideRow(
                        conversation_id=conversation_id,
                        customer_id=customer_id,
                        side=side.value,
                        ai_share=config.ai_share,
                        at=now,
                    )
                )
        except IntegrityError:  # recorded already (a retried turn): the first record stands
            pass
