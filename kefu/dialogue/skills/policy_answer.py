"""General policy questions ("寄到台湾要几天") asked under an order intent: answered from the
knowledge base instead of looking up one of the customer's orders."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.orders import _explicit_ids


def refers_to_own_order(ctx: TurnContext) -> bool:
    if _explicit_ids(ctx) != (None, None) or ctx.has("my_order"):
        return True
    skus = set(ctx.mentioned_skus())
    return bool(skus) and any(set(o.skus) & skus for o in ctx.orders())


def is_general_question(ctx: TurnContext) -> bool:
    awaiting = ctx.state.awaiting or {}
    if awaiting.get("slot") == "order":
        return False
    return ctx.has("general_question") and not refers_to_own_order(ctx)


def policy_answer(ctx: TurnContext) -> Outcome | None:
    """The knowledge base's answer when the message is a general question, else None."""
    if not is_general_question(ctx):
        return None
    # nothing of theirs to look at ("do you ship to Japan" from a visitor): the knowledge base's
    # best answer serves better than "there are no orders on your account" (one search either
    # way: a second one would log the question as uncovered twice)
    answer = ctx.kb_answer(strict=bool(ctx.orders()))
    return Outcome([Reply(answer)]) if answer else None
