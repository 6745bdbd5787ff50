"""Promotions and coupons, answered by the promotion engine from the live rules."""

from __future__ import annotations

import logging

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.skills import order_status
from kefu.domain.orders import Order, OrderStatus

log = logging.getLogger("kefu.dialogue")

# which topic wins when a question touches several (the more specific first)
_TOPIC_ORDER = (
    "presale",
    "group_buy",
    "flash_sale",
    "compare",
    "stacking",
    "cross_store_eligibility",
    "free_shipping",
    "price",
    "coupon",
)


def choose_topic(ctx: TurnContext, refs: list[str], skus: list[str]) -> str:
    found = set(ctx.services.lexicon.topic("promo_topics", ctx.norm))
    return topic_for(found, ctx.intent, refs, skus)


def topic_for(found: set[str], intent: str, refs: list[str], skus: list[str]) -> str:
    """The topic to answer among those the message's words name (``found``)."""
    if intent == "coupon":
        found = found | {"coupon"}
    for topic in _TOPIC_ORDER:
        if topic not in found:
            continue
        # "stacking" with fewer than two named offers and no product: how offers stack in general
        if topic in ("cross_store_eligibility", "price") and not skus:
            continue
        return topic
    return "campaign_summary"


# deals that live on in an order: its state answers "拼上了没" / "尾款付多少" for this customer
_OPEN_DEALS = (OrderStatus.GROUP_FORMING, OrderStatus.AWAITING_BALANCE)


def own_deal_order(ctx: TurnContext, skus: list[str]) -> Order | None:
    """The customer's open group-buy or presale order for a product the message names, unless
    the message asks about the rules in general."""
    if not skus or (ctx.has("general_question") and not ctx.has("my_order")):
        return None
    return next(
        (o for o in ctx.orders() if o.status in _OPEN_DEALS and set(o.skus) & set(skus)), None
    )


def handle(ctx: TurnContext) -> Outcome:
    promotions = ctx.services.promotions
    if promotions is None:
        answer = ctx.kb_answer(strict=False)
        return Outcome([Reply(answer)]) if answer else Outcome([ctx.say("fallback")], False)
    refs = ctx.services.lexicon.topic("promo_refs", ctx.norm)
    skus = ctx.mentioned_skus()
    topic = choose_topic(ctx, refs, skus)
    qty = ctx.u.entities.get("quantity")
    try:
        text = promotions.answer(
            topic,
            ctx.lang,
            skus=skus,
            qty=int(qty) if qty else None,
            customer_id=ctx.customer.id,
            rule_refs=refs,
        )
    except Exception:  # an engine failure must not cost the customer an answer
        log.exception("promotion answer failed for topic %s", topic)
        answer = ctx.kb_answer(strict=False)
        return Outcome([Reply(answer)]) if answer else Outcome([ctx.say("fallback")], False)
    templates = ctx.services.templates
    # the promotion texts exist in Chinese and English: a cross-border customer is told so
    replies = [Reply(templates.foreign(ctx.lang, templates.localize(ctx.lang, text)))]
    order = own_deal_order(ctx, skus)
    if order is not None:
        return Outcome(order_status.describe(ctx, order) + replies, order=order)
    return Outcome(replies)
