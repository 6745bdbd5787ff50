"""Builds the running service from settings: database, shared state and the core services.

The API and the CLI both start kefu through ``Kefu.start`` so they see the same system.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kefu.commerce.embedded import EmbeddedCommerce
from kefu.commerce.emitting import EmittingCommerce
from kefu.commerce.events import ORDER_EVENTS_CHANNEL
from kefu.commerce.http import HttpCommerce
from kefu.commerce.ports import CommercePort
from kefu.config import Mode, Settings, get_settings
from kefu.dialogue import Dialogue
from kefu.dialogue.linking import GuestLinking
from kefu.dialogue.policy import HandoffPolicy
from kefu.dialogue.safety import SafetyFilter
from kefu.domain.catalog import Product
from kefu.domain.message_events import AnnouncedConversations, MessageEvents
from kefu.jobs import Host as JobHost
from kefu.jobs import Jobs, start_jobs
from kefu.llm import LlmAssist, build_llm
from kefu.nlu import NluPipeline
from kefu.nlu.cache import CachedNlu
from kefu.notify.service import Notifier
from kefu.promotions.service import PromotionService
from kefu.runtime.callback_url import allow_networks
from kefu.runtime.load import Load
from kefu.runtime.locks import TurnLocks, make_turn_locks
from kefu.runtime.shared import SharedState, make_shared_state
from kefu.runtime.turn_timing import TurnTimer
from kefu.store.audit_repo import SqlAuditLog
from kefu.store.channel_repo import SqlChannelStore
from kefu.store.commerce_repo import SqlOrderBook
from kefu.store.conversation_repo import SqlConversations
from kefu.store.db import Database
from kefu.store.desk_repo import make_desk
from kefu.store.encrypted import use_keyring
from kefu.store.first_start import ensure_safe_start
from kefu.store.knowledge_repo import build_knowledge_service
from kefu.store.notice_repo import SqlNotices
from kefu.store.order_event_repo import SqlOrderEvents
from kefu.store.privacy_repo import SqlPersonalData
from kefu.store.promotions_repo import SqlRuleStore
from kefu.store.rollout_repo import SqlRollout
from kefu.store.safety_repo import SqlSensitiveWords
from kefu.store.seed import prepare_database
from kefu.texts.zone import use_shop_zone

if TYPE_CHECKING:  # the channels start on first use and import this module
    from kefu.channels.hub import Channels
    from kefu.desk.service import Desk
    from kefu.knowledge.service import KnowledgeService

log = logging.getLogger("kefu.wiring")

_nlu_memo: dict[tuple[str, tuple[str, ...], str], NluPipeline] = {}
_nlu_lock = threading.Lock()


def shared_nlu(
    products: Sequence[Product], cache_dir: Path | None, timezone: str | None = None
) -> NluPipeline:
    """One NLU pipeline per catalogue, model directory and shop zone in a process.

    The pipeline is read-only once built, so every ``Kefu`` in the process (workers' threads, the
    CLI's per-scenario shops, tests) can share it instead of loading the model again.
    """
    # what the segmenter and gazetteer read from the catalogue (not stock or price)
    words = tuple(
        sorted(f"{p.sku}|{p.name_zh}|{p.name_en}|{'/'.join(p.aliases)}|{p.sizes}" for p in products)
    )
    timezone = timezone or get_settings().shop_timezone
    key = (str(cache_dir), words, timezone)
    with _nlu_lock:
        if key not in _nlu_memo:
            _nlu_memo[key] = NluPipeline.load(products, cache_dir, timezone)
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
    turn_locks: TurnLocks
    load: Load
    jobs: Jobs[JobHost]
    rollout: SqlRollout
    turn_timer: TurnTimer
    order_events: SqlOrderEvents
    notices: Notifier
    audit: SqlAuditLog
    personal_data: SqlPersonalData
    # told of every stored message after it commits (the channels subscribe)
    message_events: MessageEvents
    # channels (pub/sub wake-ups, outbound delivery) start on first use: see channels.hub
    channels: Channels | None = None
    # the shop's language model, when KEFU_LLM_BASE_URL is set (kefu.llm)
    llm: LlmAssist | None = None

    @classmethod
    def start(cls, settings: Settings | None = None) -> Kefu:
        settings = settings or get_settings()
        # the shop's zone for times formatted deep in texts and imports (kefu.texts.zone)
        use_shop_zone(settings.shop_timezone)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # personal data columns encrypt and decrypt with these keys (before the seed writes any)
        use_keyring(settings.data_keyring())
        db = Database.from_url(settings.sqlalchemy_url)
        seeded = prepare_database(db, seed=settings.seed_demo)
        if seeded:
            log.info("seeded the demo shop into a new database")
        ensure_safe_start(db, settings)
        allow_networks(settings.callback_allowed_networks)
        state = make_shared_state(settings.redis_url)
        order_events = SqlOrderEvents(db)

        def emit(event: dict[str, Any]) -> None:
            # changes made in kefu join the shop's event stream: logged, then announced; the
            # change itself is done, so a failure here must not fail the customer's turn
            try:
                order_events.record(event, datetime.now(UTC))
                state.publish(ORDER_EVENTS_CHANNEL, json.dumps(event, ensure_ascii=False))
            except Exception:
                log.exception("could not emit order event %s", event.get("type"))

        commerce: CommercePort = EmittingCommerce(EmbeddedCommerce(SqlOrderBook(db)), emit)
        if settings.commerce_url:  # the shop's order system stays the source of truth
            commerce = HttpCommerce(
                settings.commerce_url,
                settings.commerce_api_key,
                timeout_s=settings.commerce_timeout_s,
            )
        promotions = PromotionService(SqlRuleStore(db), commerce)
        load = Load(settings.turn_budget_ms / 1000, settings.max_inflight_turns)
        knowledge = build_knowledge_service(
            db, state, settings.model_cache_dir, overloaded=load.overloaded
        )
        # the shop's own sensitive words join the shipped lexicons in every worker's filter,
        # for the bot's replies and the agents' alike
        words = SqlSensitiveWords(db)
        safety = SafetyFilter(extra=words.snapshot)
        # every writer of messages (the dialogue, the desk, the notices) writes through the one
        # announced store: what is stored reaches the chat sockets and outbound channels
        message_events = MessageEvents()
        conversations = AnnouncedConversations(SqlConversations(db), message_events)
        desk = make_desk(
            db, conversations, commerce, state, knowledge, clean_text=safety.clean, marks=state
        )
        turn_locks = make_turn_locks(settings.redis_url)
        rollout = SqlRollout(db, state)
        turn_timer = TurnTimer(state)
        guests = SqlChannelStore(db)
        policy = HandoffPolicy.load()
        llm = build_llm(settings, state, load.overloaded, policy.low_confidence)
        dialogue = Dialogue(
            conversations,
            commerce,
            nlu_factory=lambda: CachedNlu(
                shared_nlu(
                    commerce.list_products(), settings.model_cache_dir, settings.shop_timezone
                )
            ),
            knowledge=knowledge,
            promotions=promotions,
            desk=desk,
            locks=turn_locks,
            guests=guests,
            max_message_chars=settings.max_message_chars,
            safety=safety,
            ai_gate=rollout,
            turn_observer=turn_timer.observe,
            surveys=desk.surveys,
            # the code is shown in the reply only in demo mode (there is no SMS gateway)
            linking=GuestLinking(guests, state, show_code=settings.mode is Mode.DEMO),
            policy=policy,
            llm=llm,
        )
        # order events from the shop and the notices they call for (kefu.notify)
        notices = Notifier(SqlNotices(db), conversations, commerce, surveys=desk.surveys)
        kefu = cls(
            settings=settings,
            db=db,
            state=state,
            commerce=commerce,
            promotions=promotions,
            knowledge=knowledge,
            desk=desk,
            sensitive_words=words,
            dialogue=dialogue,
            turn_locks=turn_locks,
            load=load,
            jobs=start_jobs(settings, state, db),
            rollout=rollout,
            turn_timer=turn_timer,
            order_events=order_events,
            notices=notices,
            audit=SqlAuditLog(db),
            personal_data=SqlPersonalData(db),
            message_events=message_events,
            llm=llm,
        )
        kefu.jobs.bind(kefu)
        return kefu

    def close(self) -> None:
        self.jobs.close()
        if self.channels is not None:
            self.channels.close()
            self.channels = None
        if self.llm is not None:
            self.llm.close()
        self.turn_locks.close()
        self.turn_timer.close()
        self.state.close()
        self.db.dispose()
