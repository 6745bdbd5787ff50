"""What a skill sees of one turn, and what it gives back."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kefu.commerce.ports import CommercePort
from kefu.dialogue.lexicon import Lexicon
from kefu.dialogue.locale import MONEY_FACTS, format_money, is_local
from kefu.dialogue.policy import HandoffPolicy
from kefu.dialogue.ports import Promotions, Understanding
from kefu.dialogue.state import DialogueState
from kefu.dialogue.texts import Templates
from kefu.domain.catalog import Product
from kefu.domain.conversations import Conversation, ReplyKind
from kefu.domain.customers import Customer
from kefu.domain.desk import TicketKind
from kefu.domain.handoff import HandoffReason, TicketRequest
from kefu.domain.orders import Order
from kefu.domain.ports import DeskPort
from kefu.knowledge.ports import KnowledgeBase

log = logging.getLogger("kefu.dialogue")


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    kind: ReplyKind = ReplyKind.ANSWER


@dataclass
class Outcome:
    """A skill's answer: replies, whether the need was met, and whether a person must take over."""

    replies: list[Reply] = field(default_factory=list)
    resolved: bool = True
    handoff: HandoffReason | None = None
    order: Order | None = None
    disputed: bool = False


@dataclass
class Services:
    commerce: CommercePort
    templates: Templates
    lexicon: Lexicon
    policy: HandoffPolicy
    knowledge: KnowledgeBase | None = None
    promotions: Promotions | None = None
    desk: DeskPort | None = None


@dataclass
class TurnContext:
    services: Services
    customer: Customer
    conversation: Conversation
    state: DialogueState
    u: Understanding
    lang: str
    now: datetime
    intent: str
    _orders: list[Order] | None = None
    _products: dict[str, Product] | None = None
    # every fact a template was filled with this turn: what an optional rewrite of the answer
    # is held to (kefu.llm)
    _facts: list[Any] = field(default_factory=list)

    # ---- what the customer wrote -------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.u.text

    @property
    def norm(self) -> str:
        """Simplified, lower-case text: what lexicon words are matched against."""
        return (self.u.normalized or self.u.text).lower()

    def has(self, lexicon_name: str) -> bool:
        return self.services.lexicon.has(lexicon_name, self.norm)

    # ---- the shop ----------------------------------------------------------------------------
    def orders(self) -> list[Order]:
        if self._orders is None:
            self._orders = self.services.commerce.list_orders(self.customer.id)
        return self._orders

    def products(self) -> dict[str, Product]:
        if self._products is None:
            self._products = {p.sku: p for p in self.services.commerce.list_products()}
        return self._products

    def product(self, sku: str) -> Product | None:
        return self.products().get(sku)

    def product_name(self, sku: str) -> str:
        product = self.product(sku)
        if product is None:
            return sku
        return self.services.templates.localize(self.lang, product.name(self.lang))

    def mentioned_skus(self) -> list[str]:
        return [s for s in self.u.product_skus if s in self.products()]

    # ---- replies -----------------------------------------------------------------------------
    def render(self, key: str, **facts: Any) -> str:
        self._facts.extend(facts.values())
        return self.services.templates.render(self.lang, key, **facts)

    def facts_used(self) -> list[Any]:
        return list(self._facts)

    def say(self, key: str, kind: ReplyKind = ReplyKind.ANSWER, **facts: Any) -> Reply:
        if not is_local(self.lang, self.customer.currency):
            facts = {k: self._money(v) if k in MONEY_FACTS else v for k, v in facts.items()}
        return Reply(self.services.templates.say(self.lang, key, **facts), kind)

    def _money(self, value: Any) -> Any:
        """A money fact in the shop's currency with the customer's approximate amount."""
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return value  # "" or a word: not an amount
        return format_money(amount, self.lang, self.customer.currency)

    def time(self, at: datetime | None) -> str:
        return self.services.templates.time(self.lang, at, self.customer.timezone)

    def order_items(self, order: Order) -> str:
        sep = self.render("list_sep")
        return sep.join(self.product_name(i.sku) for i in order.items)

    def order_facts(self, order: Order) -> dict[str, Any]:
        return {
            "order_id": order.id,
            "items": self.order_items(order),
            "status": self.render(f"status.{order.status.value}"),
            "total": str(order.goods_total),
        }

    # ---- neighbours --------------------------------------------------------------------------
    def kb_answer(
        self, text: str | None = None, *, strict: bool = True, min_score: float = 0.0
    ) -> str | None:
        """The knowledge base's answer in the customer's language, when it is confident."""
        kb = self.services.knowledge
        if kb is None:
            return None
        try:
            result = kb.search(
                text or self.text,
                self.lang,
                self.conversation.channel,
                self.now,
                customer_id=self.customer.id,
                conversation_id=self.conversation.id,
            )
        except Exception:  # the bot still answers when retrieval fails
            log.exception("knowledge search failed")
            return None
        decision = str(getattr(result, "decision", "fallback"))
        hits = getattr(result, "hits", ())
        if not hits or (decision != "answer" and (strict or decision != "suggest")):
            return None
        if float(getattr(hits[0], "score", 1.0)) < min_score:
            return None
        answer = str(hits[0].answer)
        if not answer:
            return None
        answer = self.services.templates.localize(self.lang, answer)
        if getattr(hits[0], "in_lang", True):
            return answer
        return self.services.templates.foreign(self.lang, answer)

    def curated_answer(self, min_score: float) -> str | None:
        """An answer people approved (an agent's proposal, an admin's edit, an import; not the
        shipped seed) that clearly covers this message, in the customer's language."""
        kb = self.services.knowledge
        if kb is None:
            return None
        try:
            if not kb.has_curated_answers():
                return None  # the usual case, and no search spent on it
            result = kb.search(
                self.text, self.lang, self.conversation.channel, self.now, record=False
            )
        except Exception:  # the skill's own answer stands when retrieval fails
            log.exception("knowledge search failed")
            return None
        hits = getattr(result, "hits", ())
        if not hits or str(getattr(result, "decision", "")) != "answer":
            return None
        top = hits[0]
        if not getattr(top, "curated", False):
            return None
        if float(getattr(top, "score", 0.0)) < min_score or not top.answer:
            return None
        answer = self.services.templates.localize(self.lang, str(top.answer))
        if getattr(top, "in_lang", True):
            return answer
        return self.services.templates.foreign(self.lang, answer)

    def existing_ticket(self, kind: TicketKind, order: Order | None) -> str | None:
        """The open ticket of this kind for the order, so a repeated request refers to it."""
        desk = self.services.desk
        if desk is None or order is None:
            return None
        try:
            return desk.find_open_ticket(self.customer.id, order.id, kind)
        except Exception:  # without the desk the request is simply made again
            log.exception("could not look up open %s tickets", kind.value)
            return None

    def open_ticket(
        self,
        kind: TicketKind,
        order: Order | None,
        description: str,
        fields: dict[str, Any] | None = None,
    ) -> str | None:
        desk = self.services.desk
        if desk is None:
            return None
        try:
            return desk.open_ticket(
                TicketRequest(
                    kind=kind,
                    customer_id=self.customer.id,
                    description=description,
                    at=self.now,
                    order_id=order.id if order else None,
                    conversation_id=self.conversation.id,
                    fields=dict(fields or {}),
                )
            )
        except Exception:  # the customer's request stands even when the desk is down
            log.exception("could not open a %s ticket", kind.value)
            return None
