"""Cancel an order: confirm first; unpaid, paid-unshipped and shipped follow the shop's rules."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, TurnContext
from kefu.dialogue.orders import resolve_order
from kefu.dialogue.skills.policy_answer import policy_answer
from kefu.domain.conversations import ReplyKind
from kefu.domain.orders import OrderStatus

_CONFIRM_KEYS = {
    OrderStatus.UNPAID: "cancel.confirm_unpaid",
    OrderStatus.PAID: "cancel.confirm_paid",
    OrderStatus.GROUP_FORMING: "cancel.confirm_paid",
    OrderStatus.AWAITING_BALANCE: "cancel.confirm_deposit",
}


def handle(ctx: TurnContext) -> Outcome:
    general = policy_answer(ctx)
    if general is not None:
        return general
    order = resolve_order(ctx, relevant=lambda o: o.status in _CONFIRM_KEYS)
    if isinstance(order, Outcome):
        return order
    facts = ctx.order_facts(order)
    if order.delivered_at is not None or order.status is OrderStatus.COMPLETED:
        # signed for: nothing left to refuse at the door; a return is the way back
        return Outcome([ctx.say("cancel.delivered", **facts)], order=order)
    if order.status.is_shipped:
        return Outcome([ctx.say("cancel.shipped", **facts)], order=order)
    if order.status is OrderStatus.CANCELLED:
        return Outcome([ctx.say("cancel.already", **facts)], order=order)
    key = _CONFIRM_KEYS.get(order.status)
    if key is None:
        return Outcome([ctx.say("cancel.wrong_state", **facts)], order=order)
    ctx.state.pending = {"action": "cancel", "order_id": order.id}
    return Outcome([ctx.say(key, ReplyKind.CLARIFY, **facts)], order=order)
