"""One customer turn end to end: who and which conversation, store the message, understand it,
run the skill or the handoff policy, filter and store the replies, persist the state."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kefu.commerce.ports import CommercePort, CommerceUnavailable, CustomerNotFound
from kefu.dialogue import experience
from kefu.dialogue.confirm import handle_pending
from kefu.dialogue.context import Outcome, Reply, Services, TurnContext
from kefu.dialogue.errors import (
    ConversationNotFound,
    IdentityRequired,
    InvalidMessage,
    MessageTooLong,
    UnknownChannel,
    UnknownCustomer,
)
from kefu.dialogue.lexicon import Lexicon
from kefu.dialogue.linking import GuestLinking, Linked
from kefu.dialogue.orders import PickKind, find_reference
from kefu.dialogue.policy import HandoffPolicy
from kefu.dialogue.ports import Guests, Nlu, TurnLlm, TurnLocks, Understanding
from kefu.dialogue.safety import SafetyFilter
from kefu.dialogue.skills import SKILLS
from kefu.dialogue.skills.address import extract_address, extract_phone
from kefu.dialogue.skills.invoice import extract_company, extract_tax_id
from kefu.dialogue.skills.rating import SurveyAnswers, answer_rating
from kefu.dialogue.state import DialogueState
from kefu.dialogue.texts import Templates, has_traditional, script_neutral
from kefu.dialogue.waiting import announce_moves, while_waiting
from kefu.domain.conversations import (
    ConcurrentUpdate,
    Conversation,
    ConversationStatus,
    Message,
    NewMessage,
    ReplyKind,
    Sender,
)
from kefu.domain.customers import Channel, Customer, Lang, NewGuest, is_guest
from kefu.domain.handoff import HandoffReason
from kefu.domain.ports import ConversationStore, DeskPort
from kefu.log_context import about_conversation
from kefu.rollout.policy import AiGate, Side, ai_off_reason, side_for

log = logging.getLogger("kefu.dialogue")

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# letters of any script (kana, hangul, Thai, Arabic, Cyrillic, accented Latin), or one hanzi
_HAS_WORDS = re.compile(r"[^\W\d_]{2,}|[\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# letters and digits together: order ids, tax ids, tracking numbers, models ("X12", "65W")
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*\d[A-Za-z0-9]*(?![A-Za-z0-9])")
_CROSS_BORDER = frozenset(lang.value for lang in Lang) - {"zh-CN", "zh-TW", "en"}
_MARKUP = re.compile(r"<[^<>]{1,300}>")
_PEOPLE = (ConversationStatus.WAITING_AGENT, ConversationStatus.WITH_AGENT)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Turn:
    """A customer message as it arrives from a channel (fields as in the contract)."""

    channel: Any
    text: Any
    customer_id: Any = None
    channel_user_id: Any = None
    conversation_id: Any = None
    now: datetime | None = None
    # an unverified channel identity (production without a signed token) may only be a guest:
    # claiming a linked customer's identity must not open their orders
    guest_only: bool = False
    # ``customer_id`` was proven by the shop's signed token: a guest's ``channel_user_id`` sent
    # with it links the guest to that customer
    identity_proven: bool = False


@dataclass
class TurnResult:
    conversation_id: str
    message_id: str
    replies: list[Reply]
    intent: str
    confidence: float
    entities: dict[str, Any]
    sentiment: str
    handoff: bool
    status: str
    lang: str = "zh-CN"
    reply_messages: list[Message] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """The contract's response body."""
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "replies": [{"text": r.text, "kind": r.kind.value} for r in self.replies],
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "entities": self.entities,
            "sentiment": self.sentiment,
            "handoff": self.handoff,
            "status": self.status,
        }


@dataclass(frozen=True)
class _Fallback:
    """What the bot understood when the NLU could not run: nothing, with no confidence."""

    text: str
    normalized: str
    lang: str = "zh-CN"
    intent: str = "other"
    confidence: float = 0.0
    ranked: tuple[tuple[str, float], ...] = ()
    entities: Mapping[str, Any] = field(default_factory=dict)
    product_skus: tuple[str, ...] = ()
    sentiment: str = "neutral"
    anger: float = 0.0


def _json_entities(entities: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entities.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | tuple):
            out[key] = [v if isinstance(v, str | int | float) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


class Dialogue:
    """The conversation engine over its neighbours, each handed in by the composition root."""

    def __init__(
        self,
        store: ConversationStore,
        commerce: CommercePort,
        *,
        nlu: Nlu | None = None,
        nlu_factory: Callable[[], Nlu] | None = None,
        knowledge: Any = None,
        promotions: Any = None,
        desk: DeskPort | None = None,
        locks: TurnLocks | None = None,
        guests: Guests | None = None,
        templates: Templates | None = None,
        lexicon: Lexicon | None = None,
        policy: HandoffPolicy | None = None,
        safety: SafetyFilter | None = None,
        max_message_chars: int = 2000,
        clock: Callable[[], datetime] = _utcnow,
        ai_gate: AiGate | None = None,
        turn_observer: Callable[[float], None] | None = None,
        surveys: SurveyAnswers | None = None,
        linking: GuestLinking | None = None,
        llm: TurnLlm | None = None,
    ) -> None:
        self.store = store
        self.surveys = surveys  # satisfaction scores given by replying (kefu.notify asks)
        self.commerce = commerce
        self._nlu = nlu
        # the model loads once per process and takes seconds: built on first use unless given
        self._nlu_factory = nlu_factory
        self._nlu_lock = threading.Lock()
        self.knowledge = knowledge
        self.promotions = promotions
        self.desk = desk
        self.locks = locks
        self.guests = guests
        # guests asking about orders become the shop's customer first (None: no linking)
        self.linking = linking
        self.templates = templates or Templates()
        self.lexicon = lexicon or Lexicon()
        self.policy = policy or HandoffPolicy.load()
        self.safety = safety or SafetyFilter()
        self.max_message_chars = max_message_chars
        self.clock = clock
        # the AI rollout: which customers, channels and intents the bot may serve (None: all)
        self.ai_gate = ai_gate
        # told each answered turn's duration in seconds (the kefu_turn_seconds histogram)
        self.turn_observer = turn_observer
        # the shop's language model, when one is configured (None: templates word every answer)
        self.llm = llm

    # ---- neighbours --------------------------------------------------------------------------
    @property
    def nlu(self) -> Nlu:
        if self._nlu is None:
            if self._nlu_factory is None:
                raise RuntimeError("no NLU component configured")
            with self._nlu_lock:
                if self._nlu is None:
                    self._nlu = self._nlu_factory()
        return self._nlu

    @nlu.setter
    def nlu(self, nlu: Nlu) -> None:
        self._nlu = nlu

    def services(self) -> Services:
        return Services(
            commerce=self.commerce,
            templates=self.templates,
            lexicon=self.lexicon,
            policy=self.policy,
            knowledge=self.knowledge,
            promotions=self.promotions,
            desk=self.desk,
        )

    # ---- validation --------------------------------------------------------------------------
    def _text(self, text: Any) -> str:
        if not isinstance(text, str):
            raise InvalidMessage("text must be a string")
        if not text.strip():
            raise InvalidMessage("text must not be empty")
        if len(text) > self.max_message_chars:
            raise MessageTooLong(f"text is longer than {self.max_message_chars} characters")
        # PostgreSQL text cannot hold NUL; dropping it keeps both backends storing the same text
        return text.replace("\x00", "")

    def _channel(self, channel: Any) -> str:
        if not isinstance(channel, str) or channel not in {c.value for c in Channel}:
            raise UnknownChannel(f"channel must be one of {', '.join(c.value for c in Channel)}")
        return channel

    def customer_for(
        self, channel: str, customer_id: Any, channel_user_id: Any, now: datetime | None = None
    ) -> Customer:
        """The customer behind a message: by id, or by the channel identity; an identity no
        customer has becomes a guest on first contact (pre-sales visitors are most of a peak)."""
        return self._find_customer(channel, customer_id, channel_user_id, now).customer

    def _find_customer(
        self, channel: str, customer_id: Any, channel_user_id: Any, now: datetime | None
    ) -> NewGuest:
        """``customer_for``, saying whether this call created the customer (a guest's very first
        message: no conversation to look for)."""
        if customer_id is not None:
            if not isinstance(customer_id, str) or not customer_id.strip():
                raise InvalidMessage("customer_id must be a non-empty string")
            try:
                return NewGuest(self.commerce.get_customer(customer_id.strip()), created=False)
            except CustomerNotFound:
                raise UnknownCustomer("unknown customer") from None
        if channel_user_id is not None:
            if not isinstance(channel_user_id, str) or not channel_user_id.strip():
                raise InvalidMessage("channel_user_id must be a non-empty string")
            user_id = channel_user_id.strip()
            if len(user_id) > 128:
                raise InvalidMessage("channel_user_id must be at most 128 characters")
            found = self.commerce.find_customer_by_identity(channel, user_id)
            if found is not None:
                return NewGuest(found, created=False)
            if self.guests is None:
                raise UnknownCustomer("unknown customer")
            return self.guests.create_guest(
                channel, user_id, f"{channel}:{user_id[-8:]}", now or self.clock()
            )
        raise InvalidMessage("customer_id or channel_user_id is required")

    def conversation_of(self, conversation_id: Any, customer_id: str) -> Conversation:
        """The customer's own conversation; unknown, malformed and foreign ids look the same."""
        if not isinstance(conversation_id, str) or not _CONVERSATION_ID.match(conversation_id):
            raise ConversationNotFound("conversation not found")
        conversation = self.store.get(conversation_id)
        if conversation is None or conversation.customer_id != customer_id:
            raise ConversationNotFound("conversation not found")
        return conversation

    def _open_conversation(
        self, turn: Turn, customer: Customer, channel: str, now: datetime, first_contact: bool
    ) -> Conversation:
        """The conversation this turn continues, or a new one (stored with the turn's messages:
        ``version`` 0 until then)."""
        if first_contact:
            pass  # this very turn created the customer: there is nothing to continue
        elif turn.conversation_id is not None:
            found = self.conversation_of(turn.conversation_id, customer.id)
            if found.status is not ConversationStatus.CLOSED:
                return found
        else:
            latest = self.store.latest_open(customer.id)
            if latest is not None:
                return latest
        return Conversation(
            id=f"c{uuid.uuid4().hex[:20]}",
            customer_id=customer.id,
            channel=channel,
            status=ConversationStatus.BOT,
            lang=customer.lang.value,
            created_at=now,
            updated_at=now,
            state=DialogueState(lang=customer.lang.value).to_dict(),
        )

    # ---- a turn ------------------------------------------------------------------------------
    def validate(self, turn: Turn, now: datetime | None = None) -> tuple[str, str, Customer, bool]:
        """Check a turn (raises a ClientError): its channel, text, customer, and whether this
        was the customer's first contact (only that creates a guest)."""
        channel = self._channel(turn.channel)
        text = self._text(turn.text)
        found = self._find_customer(channel, turn.customer_id, turn.channel_user_id, now)
        customer = found.customer
        if turn.identity_proven and turn.customer_id is not None:
            self._link_signed(channel, customer, turn.channel_user_id, now or self.clock())
        if turn.guest_only and (turn.customer_id is not None or not is_guest(customer.id)):
            raise IdentityRequired("a signed customer token is required for this customer")
        if turn.conversation_id is not None:
            self.conversation_of(turn.conversation_id, customer.id)
        return channel, text, customer, found.created

    def _link_signed(
        self, channel: str, customer: Customer, channel_user_id: Any, now: datetime
    ) -> None:
        """A signed customer writing with a guest's channel identity: the guest is them."""
        if self.linking is None or is_guest(customer.id) or not isinstance(channel_user_id, str):
            return
        user_id = channel_user_id.strip()
        if not user_id or len(user_id) > 128:
            return  # not an identity anyone has: nothing to link
        owner = self.commerce.find_customer_by_identity(channel, user_id)
        # another shop customer's identity is never taken over, token or not
        if owner is not None and is_guest(owner.id):
            self.linking.link_proven(owner.id, customer.id, now)

    def _hold(self, customer_id: str) -> AbstractContextManager[None]:
        return self.locks.hold(customer_id) if self.locks is not None else nullcontext()

    def _understand(self, text: str, now: datetime) -> Understanding:
        # markup pasted into a widget (<img …>, <script>) is stored and shown as typed, but it is
        # no part of what the customer asks: the model reads the words around it
        if "<" in text:
            text = _MARKUP.sub(" ", text).strip() or text
        try:
            return self.nlu.parse(text, now)
        except Exception:  # a message is still stored and answered when the NLU fails
            log.exception("NLU failed")
            return _Fallback(text=text, normalized=text.lower())

    def handle(self, turn: Turn, admit: Callable[[Customer], None] | None = None) -> TurnResult:
        """Answer one customer message. ``admit`` (the edge's per-customer limit) sees the
        customer the turn found and may refuse by raising, before anything of the turn is stored
        (a guest's first contact has created the guest by then)."""
        started = time.perf_counter()
        result = self._handle(turn, admit)
        if self.turn_observer is not None:
            self.turn_observer(time.perf_counter() - started)
        return result

    def _handle(self, turn: Turn, admit: Callable[[Customer], None] | None) -> TurnResult:
        now = turn.now or self.clock()
        channel, text, customer, first_contact = self.validate(turn, now)
        if admit is not None:
            admit(customer)
        # one customer's turns one at a time, in arrival order, on every worker
        with self._hold(customer.id):
            return self._turn(turn, channel, text, customer, now, first_contact)

    def _turn(
        self,
        turn: Turn,
        channel: str,
        text: str,
        customer: Customer,
        now: datetime,
        first_contact: bool,
    ) -> TurnResult:
        conversation = self._open_conversation(turn, customer, channel, now, first_contact)
        with about_conversation(conversation.id):
            return self._turn_in(turn, channel, text, customer, conversation, now)

    def _turn_in(
        self,
        turn: Turn,
        channel: str,
        text: str,
        customer: Customer,
        conversation: Conversation,
        now: datetime,
    ) -> TurnResult:
        u = self._understand(text, now)
        llm_budget = None
        if self.llm is not None and conversation.status not in _PEOPLE:
            llm_budget = self.llm.turn_budget()
            u = self.llm.understand(u, llm_budget)
        said = NewMessage(
            Sender.CUSTOMER,
            text,
            now,
            channel=channel,
            intent=u.intent,
            confidence=float(u.confidence),
            meta={"entities": _json_entities(u.entities), "sentiment": u.sentiment},
        )
        state = DialogueState.from_dict(conversation.state)
        state.remember_sentiment(u.sentiment)
        if conversation.status in _PEOPLE:
            return self._while_with_people(customer, conversation, state, u, said, now, channel)
        lang = self._language(text, u, state)
        state.lang = lang
        conversation.lang = lang
        ctx = TurnContext(self.services(), customer, conversation, state, u, lang, now, u.intent)
        outcome = self._decide(ctx)
        replies = list(outcome.replies)
        if outcome.handoff is not None:
            from kefu.dialogue.handoff import hand_off

            if conversation.version == 0:  # the desk queues a stored conversation
                self.store.create(conversation)
            replies += hand_off(ctx, outcome.handoff, outcome)
        elif self.llm is not None and llm_budget is not None:
            # the answer is decided: only its wording may change (the safety filter runs after)
            replies = self.llm.phrase(ctx, replies, llm_budget)
        state.remember_intent(ctx.intent)
        return self._finish(ctx, replies, said, outcome.handoff is not None, channel)

    def _while_with_people(
        self,
        customer: Customer,
        conversation: Conversation,
        state: DialogueState,
        u: Understanding,
        said: NewMessage,
        now: datetime,
        channel: str,
    ) -> TurnResult:
        """A person has the conversation, or will: with an agent the bot keeps quiet; in the
        queue the customer hears where they stand and may still get routine answers, or leave
        a message instead of waiting (kefu.dialogue.waiting)."""
        replies: list[Reply] = []
        if conversation.status is ConversationStatus.WAITING_AGENT:
            lang = self._language(u.text, u, state)
            state.lang = lang
            ctx = TurnContext(
                self.services(), customer, conversation, state, u, lang, now, u.intent
            )
            replies = [
                Reply(self.safety.clean(r.text), r.kind)
                for r in while_waiting(ctx, lambda intent: SKILLS.get(intent, SKILLS["other"]))
                if r.text
            ]
        conversation.state = state.to_dict()
        conversation.updated_at = now
        stored = self._commit(conversation, said, replies, now, channel, status_changed=False)
        return TurnResult(
            conversation.id,
            stored[0].id,
            replies,
            u.intent,
            float(u.confidence),
            _json_entities(u.entities),
            u.sentiment,
            conversation.status in _PEOPLE,
            conversation.status.value,
            state.lang,
            stored[1:],
        )

    def _language(self, text: str, u: Understanding, state: DialogueState) -> str:
        """The message's language; a message that shows none (an order id, "ok", "好的") keeps
        the conversation's, and so does Chinese that reads the same in both scripts. Codes (tax
        ids, tracking numbers, "X12") are not English words."""
        plain = _CODE.sub(" ", text)
        short = (u.normalized or text).lower()
        if not _HAS_WORDS.search(plain) or self.lexicon.is_yes(short) or self.lexicon.is_no(short):
            return state.lang
        if u.lang not in ("zh-CN", "zh-TW", "en"):
            # a cross-border language is told by its own script or words (kefu.nlu.language)
            return u.lang if u.lang in _CROSS_BORDER else state.lang
        if state.lang == "ja" and u.lang.startswith("zh") and not _LATIN_WORD.search(plain):
            return "ja"  # kanji alone ("返品", "最悪") reads as Chinese; the chat is Japanese
        lang = u.lang
        han = len(_HAN.findall(plain))
        latin = len(_LATIN_WORD.findall(plain))
        if lang == "en" and han >= latin:
            lang = "zh-TW" if has_traditional(plain) else "zh-CN"
        elif lang != "en" and latin >= max(3, han) and not (han == 0 and u.lang == "zh-CN"):
            # English with a product name in Chinese is still English; Latin letters the NLU
            # read as Chinese (pinyin: "kuaidi dao na le") are answered in Chinese
            lang = "en"
        if lang == "zh-CN" and state.lang == "zh-TW" and script_neutral(plain):
            return "zh-TW"
        return lang

    # ---- the decision ------------------------------------------------------------------------
    def _decide(self, ctx: TurnContext) -> Outcome:
        off = self._ai_off(ctx)
        if off is not None:
            return Outcome([], handoff=off)
        policy = self.policy
        state = ctx.state
        u = ctx.u
        rated = answer_rating(ctx, self.surveys)
        if rated is not None:
            return rated
        if ctx.has("urgent"):
            state.urgent = True
        if state.pending:
            confirmed = handle_pending(ctx)
            if confirmed is not None:
                return self._after_skill(ctx, confirmed)
        if experience.is_presence_check(ctx):
            # "在吗 / 有人吗 / 亲" opens a chat; it is not a request for a person
            ctx.intent = "greeting"
            return self._after_skill(ctx, SKILLS["greeting"](ctx))
        if self.linking is not None and is_guest(ctx.customer.id):
            step = self.linking.turn(ctx, policy.order_intents)
            if isinstance(step, Linked):
                return self._answer_after_linking(ctx, step)
            if step is not None:
                return step
        elif state.linking:
            # signed in on the shop's site since the question (production): "我登录好了" gets
            # the answer to it; a new order question is answered itself
            asked, state.linking = state.linking, None
            if ctx.intent not in policy.order_intents and asked.get("text"):
                return self._answer_pending(ctx, str(asked["intent"]), str(asked["text"]))
        continued = self._continuation(ctx)
        if continued is None:
            experience.drop_stale_slots(ctx)
        # an unsure "complaint" that answers the bot or corrects it ("搞错了，是耳机那个") is
        # the conversation going on; anger still reaches a person
        going_on = continued is not None and float(u.confidence) < policy.fragment_confidence
        reason = None if going_on else policy.asked_reason(u.intent)
        if reason is None and not going_on and self._sounds_like_complaint(ctx):
            reason = HandoffReason.COMPLAINT
        if reason is None and policy.is_angry(self._anger(ctx)):
            reason = HandoffReason.ANGER
        if reason is not None:
            replies = []
            if reason in (HandoffReason.COMPLAINT, HandoffReason.ANGER):
                replies.append(ctx.say("complaint.sorry"))
            return Outcome(replies, handoff=reason)
        if continued is not None:
            ctx.intent = continued
            state.low_confidence = 0
        elif policy.is_low_confidence(float(u.confidence)):
            state.low_confidence += 1
            if policy.too_often_unsure(state.low_confidence):
                return Outcome([], resolved=False, handoff=HandoffReason.LOW_CONFIDENCE)
            if u.intent == "other":
                return self._after_skill(ctx, self._clarify(ctx))
        else:
            state.low_confidence = 0
        skill = SKILLS.get(ctx.intent, SKILLS["other"])
        try:
            outcome = skill(ctx)
        except CommerceUnavailable:
            # the shop's own order system did not answer (HTTP adapter): say so, never fail
            log.warning("commerce unavailable for a %s turn", ctx.intent)
            outcome = Outcome([ctx.say("commerce_unavailable")], resolved=False)
        return self._after_skill(ctx, experience.prefer_curated(ctx, outcome))

    def _answer_after_linking(self, ctx: TurnContext, linked: Linked) -> Outcome:
        """The guest proved who they are: link, then answer the order question they asked
        before, now with the customer's orders."""
        assert self.linking is not None
        self.linking.links.link_guest(ctx.customer.id, linked.customer_id, ctx.now)
        # this turn goes on as the customer (the conversation row already points to them)
        ctx.customer = self.commerce.get_customer(linked.customer_id)
        ctx.conversation.customer_id = ctx.customer.id
        return self._answer_pending(ctx, linked.intent, linked.text)

    def _answer_pending(self, ctx: TurnContext, intent: str, text: str) -> Outcome:
        """The order question asked as a guest, answered now with the customer's orders."""
        ctx.intent = intent
        u = self._understand(text, ctx.now) if text.strip() else ctx.u
        asked = TurnContext(
            ctx.services, ctx.customer, ctx.conversation, ctx.state, u, ctx.lang, ctx.now, intent
        )
        try:
            outcome = SKILLS.get(intent, SKILLS["other"])(asked)
        except CommerceUnavailable:
            log.warning("commerce unavailable for a %s turn", intent)
            outcome = Outcome([asked.say("commerce_unavailable")], resolved=False)
        outcome.replies = [ctx.say("link.linked"), *outcome.replies]
        return self._after_skill(asked, outcome)

    def _ai_off(self, ctx: TurnContext) -> HandoffReason | None:
        """Why people, not the bot, take this turn under the rollout (None: the bot may).

        The side is chosen once per conversation, by the customer's stable hash, and kept in the
        conversation's state (saved with the turn, so it costs no extra write); during a gray
        release it is also recorded for the comparison of the two sides."""
        gate = self.ai_gate
        if gate is None:
            return None
        try:
            config = gate.config()
            if ctx.state.side is None:
                side = side_for(ctx.customer.id, config.ai_share)
                ctx.state.side = side.value
                if config.ai_share < 100:
                    if ctx.conversation.version == 0:  # the side row refers to a stored row
                        self.store.create(ctx.conversation)
                    gate.record_side(ctx.conversation.id, ctx.customer.id, side, config, ctx.now)
            off = ai_off_reason(config, Side(ctx.state.side), ctx.conversation.channel, ctx.intent)
        except Exception:  # an unreadable switch must not stop service: the bot answers
            log.exception("rollout gate failed for %s", ctx.conversation.id)
            return None
        return None if off is None else HandoffReason(off.value)

    def _anger(self, ctx: TurnContext) -> float:
        """The NLU's anger, raised by abuse and by exasperated words the model may underrate."""
        anger = float(ctx.u.anger)
        if self.safety.is_abusive(ctx.u.text):
            anger = max(anger, self.policy.abuse_anger)
        if ctx.has("anger_words"):
            anger += self.policy.anger_word_boost
        return anger

    def _sounds_like_complaint(self, ctx: TurnContext) -> bool:
        """A negative message the NLU nearly called a complaint is one: the two labels are close
        neighbours, and a missed complaint costs more than an early person."""
        if ctx.u.sentiment != "negative":
            return False
        ranked = dict(ctx.u.ranked)
        return float(ranked.get("complaint", 0.0)) >= self.policy.complaint_runner_up

    def _clarify(self, ctx: TurnContext) -> Outcome:
        answer = ctx.kb_answer(min_score=self.policy.kb_min_score_out_of_scope)
        if answer:
            return Outcome([Reply(answer)])
        return Outcome([ctx.say("clarify", ReplyKind.CLARIFY)], resolved=False)

    def _after_skill(self, ctx: TurnContext, outcome: Outcome) -> Outcome:
        """Counters and the rules that look at the result: unresolved turns, disputes."""
        policy = self.policy
        state = ctx.state
        # counted as the customer lives it: "还是没解决" or the same reply again is no progress
        resolved = experience.felt_resolved(ctx, outcome)
        state.unresolved = 0 if resolved else state.unresolved + 1
        if outcome.handoff is not None:
            return outcome
        if state.unresolved >= 1 and experience.repeats_last_reply(ctx, outcome):
            experience.vary_the_question(ctx, outcome)
        state.last_reply = experience.reply_signature(outcome)
        # a dispute is pushback, not any negative word: "降价了" alone is a question
        explicit = ctx.has("dispute")
        disputed = (
            outcome.disputed
            or explicit
            or (ctx.u.sentiment == "negative" and self._anger(ctx) >= policy.dispute_anger)
        )
        order = outcome.order
        intent = ctx.intent
        if order is None and explicit:
            # pushback the skill did not read as about an order ("凭什么不管" under product_info)
            ref = find_reference(ctx)
            if ref is not None and ref.kind is PickKind.FOUND and ref.order is not None:
                order, intent = ref.order, "complaint"
        if order is not None and policy.is_high_value_dispute(intent, order.goods_total, disputed):
            outcome.order = order
            outcome.handoff = HandoffReason.HIGH_VALUE_DISPUTE
        elif policy.too_many_unresolved(state.unresolved):
            outcome.handoff = HandoffReason.UNRESOLVED
        elif ctx.has("urgent") and not experience.bot_helped(outcome, resolved):
            # urgent and nothing the bot can do about it now: a person, at once
            outcome.replies = [ctx.say("context.urgent")]
            outcome.handoff = HandoffReason.URGENT
        return outcome

    def _continuation(self, ctx: TurnContext) -> str | None:
        """The earlier intent, when this message answers the bot's question or corrects it."""
        state = ctx.state
        u = ctx.u
        awaiting = state.awaiting or {}
        slot = awaiting.get("slot")
        confident_elsewhere = (
            float(u.confidence) >= self.policy.fragment_confidence
            and u.intent not in ("other", "greeting", "product_info", "stock")
            and u.intent != awaiting.get("intent")
        )
        # a message with an ask of its own ("羽绒服有点大，怎么办") is not an answer to the
        # bot's question, even when it names an order: acting on it would act unasked
        answers = experience.answers_the_bot(ctx, awaiting.get("intent"), confident_elsewhere)
        if slot == "order":
            options = [o for o in ctx.orders() if o.id in (awaiting.get("options") or [])]
            picks = answers or experience.is_bare_pick(ctx)
            if picks and find_reference(ctx, options) is not None:
                return str(awaiting["intent"])
        elif slot == "address":
            if extract_address(ctx, whole_message=True) or extract_phone(ctx):
                return "change_address"
        elif slot == "company" and (extract_company(ctx.text) or extract_tax_id(ctx.text)):
            return "invoice"
        if awaiting and answers:
            return str(awaiting["intent"])
        state.awaiting = None
        last = state.last_intent
        correcting = ctx.has("correction")
        # an action the bot already did is done again only when asked ("还有耳机那单也要")
        carried_action = last in self.policy.action_intents and not (correcting or ctx.has("also"))
        if (
            last in self.policy.order_intents
            and not carried_action
            and (correcting or (answers and len(ctx.text.strip()) <= 20))
        ):
            ref = find_reference(ctx)
            # an order id that is not theirs still continues: the answer is "not found"
            if ref is not None and (
                correcting or ref.order is not None or ref.kind is PickKind.NOT_FOUND
            ):
                return last
        if not confident_elsewhere:
            return experience.bare_code_intent(ctx, last, self.policy.order_intents)
        return None

    # ---- replies and persistence -------------------------------------------------------------
    def _finish(
        self,
        ctx: TurnContext,
        replies: list[Reply],
        said: NewMessage,
        handed_off: bool,
        channel: str,
    ) -> TurnResult:
        clean = [Reply(self.safety.clean(r.text), r.kind) for r in replies if r.text]
        conversation = ctx.conversation
        conversation.state = ctx.state.to_dict()
        conversation.updated_at = ctx.now
        stored = self._commit(conversation, said, clean, ctx.now, channel, handed_off)
        return TurnResult(
            conversation.id,
            stored[0].id,
            clean,
            ctx.intent,
            float(ctx.u.confidence),
            _json_entities(ctx.u.entities),
            ctx.u.sentiment,
            handed_off or conversation.status in _PEOPLE,
            conversation.status.value,
            ctx.lang,
            stored[1:],
        )

    def _commit(
        self,
        conversation: Conversation,
        said: NewMessage,
        replies: list[Reply],
        now: datetime,
        channel: str,
        status_changed: bool,
    ) -> list[Message]:
        """The customer's message, the replies and the state in one unit of work. When the desk
        (an agent accepting, a hand-off in this very turn) changed the row meanwhile, ours is
        reapplied over the fresh row."""
        messages = [said] + [
            NewMessage(Sender.BOT, r.text, now, kind=r.kind.value, channel=channel) for r in replies
        ]
        if conversation.version == 0:
            return self.store.commit_turn(conversation, messages, create=True)
        for _ in range(3):
            try:
                return self.store.commit_turn(conversation, messages)
            except ConcurrentUpdate:
                fresh = self.store.get(conversation.id)
                if fresh is None:
                    raise
                fresh.state = conversation.state
                fresh.lang = conversation.lang
                fresh.updated_at = conversation.updated_at
                if status_changed and fresh.status not in (
                    ConversationStatus.WITH_AGENT,
                    ConversationStatus.CLOSED,
                ):
                    fresh.status = conversation.status
                    fresh.handoff_reason = conversation.handoff_reason
                    fresh.summary = conversation.summary
                    fresh.waiting_since = fresh.waiting_since or conversation.waiting_since
                    fresh.priority = conversation.priority
                    fresh.skill = conversation.skill
                conversation = fresh
        return self.store.commit_turn(conversation, messages)

    # ---- the waiting room between turns --------------------------------------------------------
    def announce_queue_moves(self, now: datetime) -> int:
        """Tell waiting customers whose place in the queue moved meaningfully (periodic job)."""
        if self.desk is None:
            return 0
        return announce_moves(self.store, self.desk, self.templates, self.policy, now)

    # ---- the customer's view of the history --------------------------------------------------
    def history(self, conversation_id: Any, customer_id: Any) -> list[dict[str, Any]]:
        """Customer, bot, agent and system messages in order, as the customer sees them."""
        if not isinstance(customer_id, str) or not customer_id:
            raise InvalidMessage("customer_id is required")
        conversation = self.conversation_of(conversation_id, customer_id)
        return [
            {
                "id": m.id,
                "sender": m.sender.value,
                "text": m.text,
                "at": m.at.isoformat(),
                **({"image": m.meta["image"]} if m.meta and m.meta.get("image") else {}),
            }
            for m in self.store.messages(conversation.id, limit=10_000)
        ]

    def conversations(self, customer_id: Any) -> list[dict[str, Any]]:
        """The customer's conversations, newest first (contract 5)."""
        if not isinstance(customer_id, str) or not customer_id:
            raise InvalidMessage("customer_id is required")
        return [
            {
                "id": c.id,
                "channel": c.channel,
                "status": c.status.value,
                "updated_at": c.updated_at.isoformat(),
            }
            for c in self.store.of_customer(customer_id, limit=100)
        ]
