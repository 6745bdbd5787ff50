"""Builds the running service from settings: database, shared state and the core components.

The API and the CLI both start kefu through ``Kefu.start`` so they see the same system.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    settings: Settings
    db: Database
    state: SharedState
    commerce: CommercePort
    # core components, attached by ``start`` (typed loosely here to keep start-up order simple)
    components: dict[str, Any] = field(default_factory=dict)

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
        kefu = cls(settings=settings, db=db, state=state, commerce=commerce)
        # --- components: each area attaches itself here ---
        kefu.components["promotions"] = PromotionService(SqlRuleStore(db), commerce)
        kefu.components["knowledge"] = build_knowledge_service(db, state, settings.model_cache_dir)
        kefu.components["desk"] = make_desk(db, commerce, state, kefu.components)
        # the shop's own sensitive words join the shipped lexicons in every worker's filter
        kefu.components["sensitive_words"] = words = SqlSensitiveWords(db)
        kefu.components["dialogue"] = Dialogue(
            SqlConversations(db),
            commerce,
            components=kefu.components,  # NLU, knowledge, promotions, desk: looked up per turn
            nlu_factory=lambda: shared_nlu(commerce.list_products(), settings.model_cache_dir),
            max_message_chars=settings.max_message_chars,
            safety=SafetyFilter(extra=words.snapshot),
        )
        return kefu

    def close(self) -> None:
        self.state.close()
        self.db.dispose()
