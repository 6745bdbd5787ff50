"""Asking again for something already under way refers to its ticket instead of opening another."""

from __future__ import annotations

from kefu.dialogue.context import Reply, TurnContext
from kefu.domain.conversations import ReplyKind
from kefu.domain.desk import TicketKind
from kefu.domain.orders import Order


def existing_ticket_reply(
    ctx: TurnContext, kind: TicketKind, order: Order, ticket_id: str
) -> Reply:
    """ "已在处理，工单号…": the request stands, nothing new is filed."""
    return ctx.say(
        "ticket.existing",
        ReplyKind.ANSWER,
        what=ctx.render(f"ticket.what.{kind.value}"),
        ticket_id=ticket_id,
        **ctx.order_facts(order),
    )


def already_requested(
    ctx: TurnContext, kinds: tuple[TicketKind, ...], order: Order
) -> Reply | None:
    """The reply naming the open ticket of one of ``kinds`` for the order, if there is one."""
    for kind in kinds:
        ticket_id = ctx.existing_ticket(kind, order)
        if ticket_id is not None:
            return existing_ticket_reply(ctx, kind, order, ticket_id)
    return None
