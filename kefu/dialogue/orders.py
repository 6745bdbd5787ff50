"""Which of the customer's orders a message is about: by id, tracking number, product words,
'the latest one', an ordinal after a list, or a correction; otherwise ask, listing them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from kefu.commerce.ports import OrderNotFound
from kefu.dialogue.context import Outcome, TurnContext
from kefu.domain.conversations import ReplyKind
from kefu.domain.orders import Order

_ORDER_ID = re.compile(r"E\d{13}", re.IGNORECASE)
_TRACKING = re.compile(r"\b[A-Z]{2}\d{10,14}\b")


class PickKind(StrEnum):
    FOUND = "found"
    ASK = "ask"
    NOT_FOUND = "not_found"  # unknown id or another customer's order: the same answer
    NO_ORDERS = "no_orders"
    OTHER_PRODUCT = "other_product"  # products named that none of the customer's orders holds


@dataclass
class OrderPick:
    kind: PickKind
    order: Order | None = None
    options: list[Order] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)


def _explicit_ids(ctx: TurnContext) -> tuple[str | None, str | None]:
    ents = ctx.u.entities
    order_id = ents.get("order_id")
    tracking = ents.get("tracking_no")
    upper = ctx.text.upper()
    if not order_id and (m := _ORDER_ID.search(upper)):
        order_id = m.group(0)
    if not tracking and not order_id and (m := _TRACKING.search(upper)):
        tracking = m.group(0)
    return (str(order_id) if order_id else None, str(tracking) if tracking else None)


def find_reference(ctx: TurnContext, options: list[Order] | None = None) -> OrderPick | None:
    """What the message itself says about the order, or None when it says nothing."""
    commerce = ctx.services.commerce
    lexicon = ctx.services.lexicon
    order_id, tracking = _explicit_ids(ctx)
    try:
        if order_id:
            return OrderPick(PickKind.FOUND, commerce.get_order(ctx.customer.id, order_id))
        if tracking:
            return OrderPick(
                PickKind.FOUND, commerce.find_order_by_tracking(ctx.customer.id, tracking)
            )
    except OrderNotFound:
        return OrderPick(PickKind.NOT_FOUND)
    orders = ctx.orders()
    pool = options or orders
    correcting = ctx.has("correction")
    if correcting and ctx.state.slots.get("order_id"):
        pool = [o for o in pool if o.id != ctx.state.slots["order_id"]] or pool
    skus = ctx.mentioned_skus()
    if skus:
        matching = [o for o in pool if set(o.skus) & set(skus)]
        if len(matching) == 1:
            return OrderPick(PickKind.FOUND, matching[0], skus=skus)
        if matching:
            return OrderPick(PickKind.ASK, options=matching, skus=skus)
        if not any(set(o.skus) & set(skus) for o in orders):
            return OrderPick(PickKind.OTHER_PRODUCT, skus=skus)
    if options:
        index = lexicon.ordinal(ctx.text)
        if index is not None and index < len(options):
            return OrderPick(PickKind.FOUND, options[index])
    if ctx.has("latest") and pool:
        return OrderPick(PickKind.FOUND, pool[0])
    if correcting:
        if len(pool) == 1:
            return OrderPick(PickKind.FOUND, pool[0])
        return OrderPick(PickKind.ASK, options=pool)
    return None


def pick_order(ctx: TurnContext, relevant: Callable[[Order], bool] | None = None) -> OrderPick:
    """The order this turn is about; carries the one from earlier turns when nothing new is said."""
    awaiting = ctx.state.awaiting or {}
    options: list[Order] | None = None
    if awaiting.get("slot") == "order":
        wanted = awaiting.get("options") or []
        options = [o for o in ctx.orders() if o.id in wanted]
    ref = find_reference(ctx, options)
    if ref is not None:
        return ref
    orders = ctx.orders()
    if not orders:
        return OrderPick(PickKind.NO_ORDERS)
    candidates = [o for o in orders if relevant(o)] if relevant else orders
    carried = ctx.state.slots.get("order_id")
    if carried:
        # the order of the earlier question, when it fits this one (or none does): "到哪了"
        # after an invoice for a delivered order is about the parcel still on its way
        for order in orders:
            if order.id == carried and (order in candidates or not candidates):
                return OrderPick(PickKind.FOUND, order)
    if len(orders) == 1:
        return OrderPick(PickKind.FOUND, orders[0])
    if len(candidates) == 1:
        return OrderPick(PickKind.FOUND, candidates[0])
    return OrderPick(PickKind.ASK, options=candidates or orders)


def ask_which(ctx: TurnContext, options: list[Order]) -> Outcome:
    lines = [
        ctx.render("order_line", n=i + 1, **ctx.order_facts(order))
        for i, order in enumerate(options)
    ]
    ctx.state.awaiting = {
        "intent": ctx.intent,
        "slot": "order",
        "options": [o.id for o in options],
    }
    return Outcome([ctx.say("ask_order", ReplyKind.CLARIFY, list="\n".join(lines))], resolved=True)


def resolve_order(
    ctx: TurnContext, relevant: Callable[[Order], bool] | None = None
) -> Order | Outcome:
    """The order, or the reply to give instead (ask which / not found / no orders)."""
    pick = pick_order(ctx, relevant)
    if pick.kind is PickKind.FOUND and pick.order is not None:
        ctx.state.slots["order_id"] = pick.order.id
        if ctx.state.awaiting and ctx.state.awaiting.get("slot") == "order":
            ctx.state.awaiting = None
        return pick.order
    if pick.kind is PickKind.ASK:
        return ask_which(ctx, pick.options)
    if pick.kind is PickKind.NOT_FOUND:
        return Outcome([ctx.say("order_not_found", ReplyKind.CLARIFY)], resolved=False)
    if pick.kind is PickKind.NO_ORDERS:
        return Outcome([ctx.say("no_orders")], resolved=True)
    # products none of the orders hold: say so and list what there is
    names = ctx.render("list_sep").join(ctx.product_name(s) for s in pick.skus)
    outcome = ask_which(ctx, ctx.orders())
    outcome.replies.insert(0, ctx.say("no_order_with_product", names=names))
    return outcome
