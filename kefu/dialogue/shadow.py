"""Which knowledge answers the bot never gives: questions the bot answers from the live promotion
rules or the catalogue instead. Editing such an answer changes nothing a customer sees, so the
admin warns the operator and shows what the bot says instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kefu.dialogue.skills import promotion

if TYPE_CHECKING:
    from kefu.dialogue.engine import Dialogue

# intents whose skill answers from another source than the knowledge base
_PROMOTION_INTENTS = ("promotion", "coupon")
# the catalogue answers product and stock questions that name a product; others go to the KB
_CATALOGUE_INTENTS = ("product_info", "stock")


@dataclass(frozen=True, slots=True)
class Shadow:
    question: str  # the entry's question (or variant) the bot answers elsewhere
    intent: str
    source: str  # "promotions" | "catalogue"
    bot_answer: str | None  # what the bot says instead, when it can be told without a customer

    def to_dict(self) -> dict[str, Any]:
        return {
            "shadowed": True,
            "question": self.question,
            "intent": self.intent,
            "source": self.source,
            "bot_answer": self.bot_answer,
        }


def shadowing(dialogue: Dialogue, questions: Sequence[str], lang: str) -> Shadow | None:
    """The first of ``questions`` the bot answers from the promotion rules or the catalogue."""
    products = dialogue.commerce.list_products()
    known = {p.sku for p in products}
    for question in questions:
        text = question.strip()
        if not text:
            continue
        u = dialogue.nlu.parse(text)
        skus = [s for s in u.product_skus if s in known]
        norm = (u.normalized or u.text).lower()
        if u.intent in _PROMOTION_INTENTS and dialogue.promotions is not None:
            refs = list(dialogue.lexicon.topic("promo_refs", norm))
            found = set(dialogue.lexicon.topic("promo_topics", norm))
            topic = promotion.topic_for(found, u.intent, refs, skus)
            said = dialogue.promotions.answer(topic, lang, skus=skus, rule_refs=refs)
            answer = dialogue.templates.localize(lang, said)
            return Shadow(text, u.intent, "promotions", answer)
        if u.intent in _CATALOGUE_INTENTS and skus:
            return Shadow(text, u.intent, "catalogue", None)
    return None
