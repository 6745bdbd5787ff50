"""Where a refund stands: return received, refund issued within 24h, 1-3 business days to arrive."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.domain.aftersales import RequestKind, RequestStatus
from kefu.domain.orders import Order, OrderStatus

_REFUND_STATES = (OrderStatus.REFUNDING, OrderStatus.REFUNDED, OrderStatus.CANCELLED)


def describe(ctx: TurnContext, order: Order) -> list[Reply]:
    facts = ctx.order_facts(order)
    if order.status is OrderStatus.REFUNDED:
        return [ctx.say("refund.done", amount=str(order.refund_amount or ""), **facts)]
    if order.return_received_at is not None:
        return [
            ctx.say(
                "refund.received",
                received_at=ctx.time(order.return_received_at),
                amount=str(order.refund_amount or order.goods_total),
                **facts,
            )
        ]
    requests = ctx.services.commerce.list_requests(ctx.customer.id, order.id)
    cancelled = [r for r in requests if r.kind is RequestKind.CANCEL]
    if order.status is OrderStatus.CANCELLED and cancelled:
        return [ctx.say("refund.cancelled", amount=str(cancelled[-1].amount or "0.00"), **facts)]
    returns = [
        r
        for r in requests
        if r.kind is RequestKind.RETURN and r.status in (RequestStatus.OPEN, RequestStatus.APPROVED)
    ]
    if returns or order.status is OrderStatus.REFUNDING:
        return [ctx.say("refund.return_open", **facts)]
    return [ctx.say("refund.none", **facts)]


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    order = resolve_order(ctx, relevant=lambda o: o.status in _REFUND_STATES)
    if isinstance(order, Outcome):
        return order
    return Outcome(describe(ctx, order), order=order)
