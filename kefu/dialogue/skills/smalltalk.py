"""Greetings and thanks, payment questions, and a polite refusal of what the shop does not do."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext


def handle_greeting(ctx: TurnContext) -> Outcome:
    if ctx.has("thanks"):
        return Outcome([ctx.say("greeting.thanks")])
    if ctx.has("bye"):
        return Outcome([ctx.say("greeting.bye")])
    return Outcome([ctx.say("greeting.hello")])


def handle_payment(ctx: TurnContext) -> Outcome:
    answer = ctx.kb_answer(strict=False)
    if answer:
        return Outcome([Reply(answer)])
    return Outcome([ctx.say("payment.fallback")], resolved=False)


def handle_other(ctx: TurnContext) -> Outcome:
    # a misread shop question is still answered when the knowledge base is sure of it
    answer = ctx.kb_answer(min_score=ctx.services.policy.kb_min_score_out_of_scope)
    if answer:
        return Outcome([Reply(answer)])
    return Outcome([ctx.say("other.refuse")], resolved=False)
