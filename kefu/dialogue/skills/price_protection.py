"""Price protection: 15 days after payment; not for flash-sale, group-buy or presale prices."""

from __future__ import annotations

from datetime import timedelta

from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.dialogue.skills.tickets import already_requested
from kefu.domain.conversations import ReplyKind
from kefu.domain.desk import TicketKind

WINDOW = timedelta(days=15)


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general

    def recent(order: object) -> bool:
        paid = getattr(order, "paid_at", None) or getattr(order, "deposit_paid_at", None)
        return paid is not None and ctx.now - paid <= WINDOW

    order = resolve_order(ctx, relevant=recent)
    if isinstance(order, Outcome):
        return order
    known = already_requested(ctx, (TicketKind.PRICE_PROTECTION,), order)
    if known is not None:
        return Outcome([known], order=order)
    skus = [s for s in ctx.mentioned_skus() if s in order.skus] or [order.items[0].sku]
    facts = ctx.order_facts(order)
    facts["name"] = ctx.product_name(skus[0])
    result = ctx.services.commerce.request_price_protection(
        ctx.customer.id, order.id, skus[0], ctx.now
    )
    if not result.ok or result.request is None:
        key = result.refusal.value if result.refusal else "wrong_state"
        promo = str(result.detail.get("promotion", "")).split("-")[0].lower()
        facts["deal"] = ctx.render(f"deal.{promo}") if promo else ""
        facts.update(paid=result.detail.get("paid", ""), current=result.detail.get("current", ""))
        return Outcome([ctx.say(f"price_protection.{key}", **facts)], order=order)
    facts["amount"] = str(result.request.amount or "")
    ticket = ctx.open_ticket(
        TicketKind.PRICE_PROTECTION,
        order,
        ctx.services.templates.render("zh-CN", "agent.price_protection", **facts),
        {"request_id": result.request.id, "sku": skus[0], "amount": facts["amount"]},
    )
    facts["ticket_id"] = ticket or ""
    return Outcome([ctx.say("price_protection.approved", ReplyKind.ACTION, **facts)], order=order)
