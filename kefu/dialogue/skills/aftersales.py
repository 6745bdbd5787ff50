"""Returns, refunds and exchanges: eligibility from the delivery time, the 7-day window, the
excluded products, the quality path (photo needed); creates the request and a ticket."""

from __future__ import annotations

from typing import Any

from kefu.commerce.ports import ActionResult, Refusal
from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.orders import OrderPick, PickKind, pick_order, resolve_order
from kefu.dialogue.skills import order_status
from kefu.dialogue.skills.policy_answer import is_general_question
from kefu.dialogue.skills.tickets import already_requested
from kefu.domain.conversations import ReplyKind
from kefu.domain.desk import TicketKind
from kefu.domain.orders import Order, OrderStatus


def product_policy(ctx: TurnContext, skus: list[str]) -> Outcome:
    """A question about products the customer has not ordered: the catalogue's return rule."""
    replies = []
    for sku in skus:
        product = ctx.product(sku)
        if product is None:
            continue
        name = ctx.product_name(sku)
        if product.no_reason_exclusion is not None:
            reason = ctx.render(f"exclusion.{product.no_reason_exclusion.value}")
            replies.append(ctx.say("return.product_excluded", name=name, reason=reason))
        else:
            replies.append(ctx.say("return.product_ok", name=name))
    return Outcome(replies or [ctx.say("return.policy")])


def _refusal(ctx: TurnContext, order: Order, result: ActionResult, exchange: bool) -> Outcome:
    facts: dict[str, Any] = ctx.order_facts(order)
    refusal = result.refusal
    if refusal is Refusal.NOT_DELIVERED and order.status is OrderStatus.PAID and not exchange:
        # not shipped yet: cancelling refunds at once, which is what the customer wants
        ctx.state.pending = {"action": "cancel", "order_id": order.id}
        return Outcome([ctx.say("return.not_shipped", ReplyKind.CLARIFY, **facts)], order=order)
    if refusal is Refusal.NOT_DELIVERED and order.status is OrderStatus.GROUP_FORMING:
        # nothing shipped, nothing to return: the group-buy rules say how the money comes back
        return Outcome(order_status.describe(ctx, order), order=order)
    if refusal is Refusal.ALREADY_REQUESTED:
        kinds = (TicketKind.EXCHANGE,) if exchange else (TicketKind.RETURN, TicketKind.QUALITY)
        known = already_requested(ctx, (*kinds, TicketKind.QUALITY), order)
        if known is not None:
            return Outcome([known], order=order)
    if refusal is Refusal.EXCLUDED_ITEM:
        skus = result.detail.get("skus", [])
        facts["names"] = ctx.render("list_sep").join(ctx.product_name(s) for s in skus)
    if order.delivered_at is not None:
        facts["days"] = max(0, (ctx.now - order.delivered_at).days)
    key = refusal.value if refusal else "wrong_state"
    return Outcome([ctx.say(f"aftersales.{key}", **facts)], order=order)


def if_returned(ctx: TurnContext, pick: OrderPick) -> Outcome:
    """A hypothetical ("if I don't like it, can I send it back?"): the rules it asks about,
    for the products of the order when it names one; nothing is filed."""
    order = pick.order if pick.kind is PickKind.FOUND else None
    skus = pick.skus or (list(order.skus) if order is not None else [])
    outcome = product_policy(ctx, skus)
    if order is not None and not order.status.is_shipped:
        outcome.replies.insert(0, ctx.say("context.return_unshipped", **ctx.order_facts(order)))
        if not any(r.text == ctx.render("return.policy") for r in outcome.replies):
            outcome.replies.append(ctx.say("return.policy"))
    outcome.order = order
    return outcome


def _after_sales(ctx: TurnContext, exchange: bool) -> Outcome:
    quality = ctx.has("quality")
    pick = pick_order(ctx, relevant=lambda o: o.delivered_at is not None)
    if pick.kind is PickKind.OTHER_PRODUCT:
        return product_policy(ctx, pick.skus)
    if ctx.has("hypothetical"):
        return if_returned(ctx, pick)
    if is_general_question(ctx) and pick.kind is not PickKind.FOUND:
        answer = ctx.kb_answer()
        if answer:
            return Outcome([Reply(answer)])
    order = resolve_order(ctx, relevant=lambda o: o.delivered_at is not None)
    if isinstance(order, Outcome):
        return order
    skus = [s for s in ctx.mentioned_skus() if s in order.skus]
    size = ctx.u.entities.get("size")
    if order.delivered_at is not None and not _asked_to_file(ctx):
        return _offer(ctx, order, skus, exchange, quality, size)
    return file_request(ctx, order, skus, exchange, quality, ctx.text[:200], size)


def _asked_to_file(ctx: TurnContext) -> bool:
    """Whether the message asks for the return or exchange itself: a wish ("不想要了，可以退吗",
    "太大了想换") or the action named as a request ("退货", "我要换货", "return it"). A question
    about the rules ("七天无理由退货吗", "坏了能退吗"), a problem told ("发错颜色了", "用了两天就
    坏了") or a message the bot is unsure of gets an offer that waits for a yes instead."""
    if ctx.has("wants_action"):
        return True
    if ctx.has("info_question") or ctx.has("own_ask"):
        return False
    if float(ctx.u.confidence) < ctx.services.policy.action_confidence:
        return False
    return ctx.has("aftersales_request")


def _offer(
    ctx: TurnContext,
    order: Order,
    skus: list[str],
    exchange: bool,
    quality: bool,
    size: str | None,
) -> Outcome:
    """The answer for this order, and the request filed only once the customer says so."""
    assert order.delivered_at is not None
    facts: dict[str, Any] = ctx.order_facts(order)
    facts["days"] = max(0, (ctx.now - order.delivered_at).days)
    kind = "exchange" if exchange else "return"
    if not quality:
        # the no-reason rules; a quality problem has neither: the shop decides on the yes
        excluded = [
            sku
            for sku in skus or list(order.skus)
            if (product := ctx.product(sku)) is not None and product.no_reason_exclusion is not None
        ]
        if excluded:
            outcome = product_policy(ctx, excluded)
            outcome.order = order
            return outcome
        if facts["days"] > ctx.services.policy.no_reason_days:
            return Outcome([ctx.say("aftersales.window_expired", **facts)], order=order)
    ctx.state.pending = {
        "action": kind,
        "order_id": order.id,
        "skus": skus,
        "size": size,
        "reason": ctx.text[:200],
        "quality": quality,
    }
    key = f"{kind}.offer_quality" if quality else f"{kind}.offer"
    return Outcome([ctx.say(key, ReplyKind.CLARIFY, **facts)], order=order)


def file_request(
    ctx: TurnContext,
    order: Order,
    skus: list[str],
    exchange: bool,
    quality: bool,
    reason: str,
    size: str | None,
) -> Outcome:
    """Open the return or exchange in the shop's order system, with its ticket; or say why
    the shop's rules refuse it."""
    commerce = ctx.services.commerce
    if exchange:
        sku = skus[0] if skus else order.items[0].sku
        result = commerce.open_exchange(
            ctx.customer.id, order.id, sku, reason, quality, ctx.now, new_size=size
        )
    else:
        result = commerce.open_return(ctx.customer.id, order.id, skus, reason, quality, ctx.now)
    if not result.ok or result.request is None:
        return _refusal(ctx, order, result, exchange)
    request = result.request
    kind = (
        TicketKind.QUALITY if quality else (TicketKind.EXCHANGE if exchange else TicketKind.RETURN)
    )
    facts: dict[str, Any] = ctx.order_facts(order)
    facts.update(request_id=request.id, amount=str(request.amount or ""))
    ticket = ctx.open_ticket(
        kind,
        order,
        ctx.services.templates.render("zh-CN", "agent.request", **facts, reason=reason),
        {"request_id": request.id, "quality_problem": quality},
    )
    facts["ticket_id"] = ticket or ""
    replies = [
        ctx.say("exchange.created" if exchange else "return.created", ReplyKind.ACTION, **facts)
    ]
    if quality:
        replies.append(ctx.say("aftersales.photo", ReplyKind.ACTION))
    elif not exchange:
        payer = "shop" if request.details.get("shop_pays_return_shipping") else "customer"
        replies.append(ctx.say(f"return.shipping_{payer}"))
    if not exchange:
        replies.append(ctx.say("return.refund_timing"))
    return Outcome(replies, order=order)


def handle_return(ctx: TurnContext) -> Outcome:
    return _after_sales(ctx, exchange=False)


def handle_exchange(ctx: TurnContext) -> Outcome:
    return _after_sales(ctx, exchange=True)
