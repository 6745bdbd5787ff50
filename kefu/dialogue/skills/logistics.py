"""Where the parcel is: the latest tracking event, the ETA from the policy, stalled parcels."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills import order_status
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.dialogue.skills.tickets import existing_ticket_reply
from kefu.domain.conversations import ReplyKind
from kefu.domain.desk import TicketKind


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    order = resolve_order(
        ctx, relevant=lambda o: o.shipment is not None and o.shipment.delivered_at is None
    )
    if isinstance(order, Outcome):
        return order
    shipment = order.shipment
    if shipment is None:  # not shipped yet: the order's own state says when it will
        replies = order_status.describe(ctx, order)
        if ctx.has("courier_words"):
            categories = [p.category.value for i in order.items if (p := ctx.product(i.sku))]
            courier = ctx.services.policy.planned_courier(categories)
            replies.insert(
                0,
                ctx.say(
                    "logistics.courier_planned",
                    courier=ctx.render(f"courier.{courier}"),
                    **ctx.order_facts(order),
                ),
            )
        return Outcome(replies, order=order)
    facts = ctx.order_facts(order)
    facts.update(
        courier=ctx.render(f"courier.{shipment.courier.value}"), tracking_no=shipment.tracking_no
    )
    if shipment.delivered_at is not None or order.delivered_at is not None:
        delivered = shipment.delivered_at or order.delivered_at
        return Outcome([ctx.say("logistics.delivered", delivered_at=ctx.time(delivered), **facts)])
    latest = shipment.latest_event
    facts.update(
        event=latest.description if latest else "",
        event_at=ctx.time(latest.at if latest else shipment.shipped_at),
    )
    if shipment.is_stalled(ctx.now):
        existing = ctx.existing_ticket(TicketKind.LOGISTICS, order)
        if existing is not None:
            return Outcome(
                [existing_ticket_reply(ctx, TicketKind.LOGISTICS, order, existing)], order=order
            )
        ticket = ctx.open_ticket(
            TicketKind.LOGISTICS,
            order,
            ctx.services.templates.render("zh-CN", "agent.stalled", **facts),
            {"tracking_no": shipment.tracking_no, "courier": shipment.courier.value},
        )
        replies = [ctx.say("logistics.stalled", ReplyKind.ACTION, ticket_id=ticket or "", **facts)]
        return Outcome(replies, order=order)
    return Outcome([ctx.say("logistics.in_transit", **facts)], order=order)
