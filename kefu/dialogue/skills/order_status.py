"""Where an order stands and when it ships."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills import refund_status
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.domain.orders import Order, OrderStatus

# orders with nothing left to happen: "我的订单呢" is about one still under way
_FINISHED = (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED)


def describe(ctx: TurnContext, order: Order) -> list[Reply]:
    facts = ctx.order_facts(order)
    policy = ctx.services.policy
    status = order.status
    if status in (OrderStatus.REFUNDING, OrderStatus.REFUNDED):
        return refund_status.describe(ctx, order)
    if status is OrderStatus.PAID:
        return [
            ctx.say(
                "order_status.paid",
                paid_at=ctx.time(order.paid_at),
                hours=policy.shipping_hours,
                peak_hours=policy.peak_shipping_hours,
                **facts,
            )
        ]
    if status is OrderStatus.SHIPPED and order.shipment is not None:
        shipment = order.shipment
        latest = shipment.latest_event
        return [
            ctx.say(
                "order_status.shipped",
                shipped_at=ctx.time(shipment.shipped_at),
                courier=ctx.render(f"courier.{shipment.courier.value}"),
                tracking_no=shipment.tracking_no,
                event=latest.description if latest else "",
                event_at=ctx.time(latest.at) if latest else "",
                **facts,
            )
        ]
    if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        return [
            ctx.say("order_status.delivered", delivered_at=ctx.time(order.delivered_at), **facts)
        ]
    if status is OrderStatus.AWAITING_BALANCE:
        return [
            ctx.say(
                "order_status.awaiting_balance",
                balance=str(order.balance_due or ""),
                hours=policy.peak_shipping_hours,
                **facts,
            )
        ]
    if status is OrderStatus.GROUP_FORMING:
        return [
            ctx.say(
                "order_status.group_forming",
                members=order.group_members or 1,
                deadline=ctx.time(order.group_deadline),
                **facts,
            )
        ]
    return [ctx.say("order_status.other", **facts)]


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    order = resolve_order(ctx, relevant=lambda o: o.status not in _FINISHED)
    if isinstance(order, Outcome):
        return order
    return Outcome(describe(ctx, order), order=order)
