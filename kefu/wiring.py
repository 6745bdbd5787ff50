"""Builds the running service from settings: database, shared state and the core services.

The API and the CLI both start kefu through ``Kefu.start`` so they see the same system.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kefu.commerce.embedded import EmbeddedCommerce
from kefu.commerce.port import CommercePort
from kefu.config import Settings, get_settings
from kefu.dialogue import Dialogue
from kefu.dialogue.safety import SafetyFilter
from kefu.domain.catalog import Product
from kefu.nlu import NluPipeline
from kefu.promotions.service import PromotionService
from kefu.runtime.shared import SharedState, make_shared_state
from kefu.store.commerce_repo import SqlOrderBook
from kefu.store.conversation_repo import SqlConversations
from kefu.store.db import Database
from kefu.store.desk_repo import make_desk
from kefu.store.knowledge_repo import build_knowledge_service
from kefu.store.promotions_repo import SqlRuleStore
from kefu.store.safety_repo import SqlSensitiveWords
from kefu.store.seed import prepare_database

if TYPE_CHECKING:  # the channels start on first use and import this module
    from kefu.channels.hub import Channels
    from kefu.desk.service import Desk
    from kefu.knowledge.service import KnowledgeService

log = logging.getLogger("kefu.wiring")

_nlu_memo: dict[tuple[str, tuple[str, ...]], NluPipeline] = {}
_nlu_lock = threading.Lock()


def shared_nlu(products: Sequence[Product], cache_dir: Path | None) -> NluPipeline:
    """One NLU pipeline per catalogue and model directory in a process.

    The pipeline is read-only once built, so every ``Kefu`` in the process (workers' threads, the
    CLI's per-scenario shops, tests) can share it instead of loading the model again.
    """
    # what the segmenter and gazetteer read from the catalogue (not stock or price)
    words = tuple(
        sorted(f"{p.sku}|{p.name_zh}|{p.name_en}|{'/'.join(p.aliases)}|{p.sizes}" for p in products)
    )
    key = (str(cache_dir), words)
    with _nlu_lock:
        if key not in _nlu_memo:
            _nlu_memo[key] = NluPipeline.load(products, cache_dir)
        return _nlu_memo[key]


@dataclass
class Kefu:
    """The composition root: every service of one running kefu, typed and built in one place."""

    settings: Settings
    db: Database
    state: SharedState
    commerce: CommercePort
    promotions: PromotionService
    knowledge: KnowledgeService
    desk: Desk
    sensitive_words: SqlSensitiveWords
    dialogue: Dialogue
    # channels (pub/sub wake-ups, outbound delivery) start on first use: see channels.hub
    channels: Channels | None = None

    @classmethod
    def start(cls, settings: Settings | None = None) -> Kefu:
        settings = settings or get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database.from_url(settings.sqlalchemy_url)
        seeded = prepare_database(db, seed=settings.seed_demo)
        if seeded:
            log.info("seeded the demo shop into a new database")
        state = make_shared_state(settings.redis_url)
        commerce = EmbeddedCommerce(SqlOrderBook(db))
        promotions = PromotionService(SqlRuleStore(db), commerce)
        knowledge = build_knowledge_service(db, state, settings.model_cache_dir)
        desk = make_desk(db, commerce, state, knowledge, marks=state)
        # the shop's own sensitive words join the shipped lexicons in every worker's filter
        words = SqlSensitiveWords(db)
        dialogue = Dialogue(
            SqlConversations(db),
            commerce,
            nlu_factory=lambda: shared_nlu(commerce.list_products(), settings.model_cache_dir),
            knowledge=knowledge,
            promotions=promotions,
            desk=desk,
            max_message_chars=settings.max_message_chars,
            safety=SafetyFilter(extra=words.snapshot),
        )
        return cls(
            settings=settings,
            db=db,
            state=state,
            commerce=commerce,
            promotions=promotions,
            knowledge=knowledge,
            desk=desk,
            sensitive_words=words,
            dialogue=dialogue,
        )

    def close(self) -> None:
        if self.channels is not None:
            self.channels.close()
            self.channels = None
        self.state.close()
        self.db.dispose()
