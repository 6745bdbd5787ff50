"""How a turn reads to the customer: whether it answered the bot or asked something new, whether
the bot's reply was any help, whether it is urgent, and which answer should win."""

from __future__ import annotations

import hashlib
import re

from kefu.dialogue.context import Outcome, Reply, TurnContext
from kefu.dialogue.lexicon import squeeze
from kefu.domain.conversations import ReplyKind

_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*\d[A-Za-z0-9]*(?![A-Za-z0-9])")
_WORDS = re.compile(r"[A-Za-z]{2,}|[\u3400-\u9fff]")
_TRACKING = re.compile(r"\b[A-Z]{2}\d{10,14}\b")
_ORDER_ID = re.compile(r"\bE\d{13}\b")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
# "第一个" / "第2单" / "第三个吧"; "the first one" / "2nd please"
_BARE_PICK_CHARS = 4
_BARE_PICK_WORDS = 3
# the slots that belong to one topic: a new topic must not inherit them
TOPIC_SLOTS = ("invoice_company", "company", "tax_id")
# intents never served by an approved answer instead: they are about the person, not a question
_NOT_QUESTIONS = frozenset({"greeting", "human_agent", "complaint"})
# answers computed from the shop's live data (promotion rules, the catalogue and its stock): an
# edited knowledge answer must never change those facts (the admin warns it is shadowed instead)
_FROM_LIVE_DATA = frozenset({"promotion", "coupon", "product_info", "stock", "price_protection"})


def is_presence_check(ctx: TurnContext) -> bool:
    """ "在吗", "有人吗", "亲", "hello?": checking someone is there, nothing more."""
    return ctx.services.lexicon.only("presence_check", ctx.norm)


def answers_the_bot(ctx: TurnContext, awaiting_intent: object, confident_elsewhere: bool) -> bool:
    """The message reads as an answer to the bot's question (or a follow-up of the topic), not
    as a new ask: the NLU agrees with the topic, or it says nothing of its own."""
    if awaiting_intent is not None and ctx.u.intent == awaiting_intent:
        return True
    if ctx.has("own_ask") or ctx.has("hypothetical"):
        return False
    return not confident_elsewhere


def is_bare_pick(ctx: TurnContext) -> bool:
    """ "第一个", "第2单", "the second one", "2": a position among the orders the bot listed and
    nothing else. It answers the bot whatever the classifier makes of it (ordinals carry no
    intent of their own; "第一个" scored exchange 0.6)."""
    if ctx.services.lexicon.ordinal(ctx.text) is None or ctx.has("own_ask"):
        return False
    text = ctx.text.strip().lower()
    if _HAN.search(text):
        return len(squeeze(text)) <= _BARE_PICK_CHARS
    return len(_LATIN_WORD.findall(text)) <= _BARE_PICK_WORDS


def bare_code_intent(
    ctx: TurnContext, last: str | None, order_intents: frozenset[str]
) -> str | None:
    """A pasted tracking number or order id and nothing else: what it means in this chat."""
    text = ctx.text.strip()
    if _WORDS.search(_CODE.sub(" ", text)):
        return None
    upper = text.upper()
    entities = ctx.u.entities
    if entities.get("tracking_no") or _TRACKING.search(upper):
        return "logistics"
    if entities.get("order_id") or _ORDER_ID.search(upper):
        action = ctx.services.policy.action_intents
        if last in order_intents and last not in action:
            return last
        return "order_status"
    return None


def drop_stale_slots(ctx: TurnContext) -> None:
    """A new topic starts clean: the invoice title of an earlier question is not this one's.
    The carried order stays; the skills use it only when it fits the new question."""
    last = ctx.state.last_intent
    if last is not None and ctx.intent != last:
        for key in TOPIC_SLOTS:
            ctx.state.slots.pop(key, None)


def reply_signature(outcome: Outcome) -> str:
    """A short fingerprint of what the bot said (kept in the state, not the text itself)."""
    said = "\n".join(r.text for r in outcome.replies)
    return hashlib.sha1(said.encode("utf-8")).hexdigest()[:16] if said else ""


def repeats_last_reply(ctx: TurnContext, outcome: Outcome) -> bool:
    """The bot is about to ask the same thing it asked last turn."""
    asks = any(r.kind is ReplyKind.CLARIFY for r in outcome.replies) or not outcome.resolved
    signature = reply_signature(outcome)
    return asks and bool(signature) and signature == ctx.state.last_reply


# replies that say nothing about the customer's case: the same one twice is going in circles
GENERIC_REPLIES = (
    "clarify",
    "other.refuse",
    "fallback",
    "product.ask",
    "stock.ask",
    "account.fallback",
    "payment.fallback",
)


def vary_the_question(ctx: TurnContext, outcome: Outcome) -> None:
    """Giving the same generic reply a third time helps nobody: ask for the specifics instead
    (an answer with facts in it, like "not found", stays as it is)."""
    generic = {ctx.render(key) for key in GENERIC_REPLIES}
    if any(r.text in generic for r in outcome.replies):
        outcome.replies = [
            ctx.say("context.clarify_again", ReplyKind.CLARIFY) if r.text in generic else r
            for r in outcome.replies
        ]


def felt_resolved(ctx: TurnContext, outcome: Outcome) -> bool:
    """Resolved as the customer sees it: not when they say it did not help, and not when the
    bot repeats its question."""
    if not outcome.resolved or ctx.has("not_helped"):
        return False
    return not repeats_last_reply(ctx, outcome)


def bot_helped(outcome: Outcome, resolved: bool) -> bool:
    """The bot moved the customer's case this turn (an answer, an action, or asking which
    order), rather than saying it does not understand or cannot."""
    return resolved and bool(outcome.replies)


def prefer_curated(ctx: TurnContext, outcome: Outcome) -> Outcome:
    """An answer people approved for this question beats the skill's generic reply; replies
    about the customer's own order, an action in progress, or facts computed from the shop's live
    rules and catalogue stay the skill's."""
    if (
        outcome.handoff is not None
        or outcome.order is not None
        or ctx.intent in _NOT_QUESTIONS
        or ctx.intent in _FROM_LIVE_DATA
        or ctx.state.pending
        or ctx.state.awaiting
        or any(r.kind in (ReplyKind.ACTION, ReplyKind.CLARIFY) for r in outcome.replies)
    ):
        return outcome
    answer = ctx.curated_answer(ctx.services.policy.curated_min_score)
    if answer is None or any(r.text == answer for r in outcome.replies):
        return outcome
    return Outcome([Reply(answer)], resolved=True)
