"""Account questions: membership level (from the profile), points, login (knowledge base)."""

from __future__ import annotations

from kefu.dialogue.context import Outcome, Reply, TurnContext


def handle(ctx: TurnContext) -> Outcome:
    replies = []
    if ctx.has("level_words"):
        level = ctx.render(f"vip.{ctx.customer.vip.value}")
        replies.append(ctx.say("account.level", level=level))
    answer = ctx.kb_answer(strict=False)
    if answer:
        replies.append(Reply(answer))
    if not replies:
        return Outcome([ctx.say("account.fallback")], resolved=False)
    return Outcome(replies)
