"""One WeChat message in, one answer out, within WeChat's five seconds, exactly once.

WeChat waits 5 s for the passive reply and then retries the same MsgId (three tries in all). So:
the first request claims the MsgId (a set-once key for the requests in flight, a receipt row for
good) and runs the turn on its own thread; a retry never runs it again but waits for the first
request's answer. If the turn is not done within the budget the request answers "success" (WeChat
shows nothing), and the reply goes out later through the customer-service message API.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from kefu.channels.lease import StillRunning
from kefu.channels.outbound import Outbox
from kefu.channels.texts import channel_text
from kefu.channels.wechat import WechatMessage, parse_message, text_reply
from kefu.commerce.ports import CommerceError, CommercePort
from kefu.dialogue import Turn, TurnResult
from kefu.domain.errors import ClientError
from kefu.runtime.shared import SharedState
from kefu.store.channel_repo import SqlChannelStore

log = logging.getLogger("kefu.channels")

CHANNEL = "wechat"
EMPTY = "success"  # WeChat's "no passive reply" answer
# a worker holds a lease on the MsgId while its turn runs, renewing it; a retry that finds the
# receipt unanswered and no live lease knows the first worker died and takes the message over
_LEASE_S = 6.0
_RENEW_S = 2.0
_POLL_S = 0.05


class _Race:
    """Who delivers the reply: the waiting request (on time) or the outbox (late)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._gave_up = False
        self.text: str | None = None

    def finish(self, text: str) -> bool:
        """The turn's reply is ready; True when the request will still carry it."""
        with self._lock:
            if self._gave_up:
                return False
            self.text = text
        self._done.set()
        return True

    def wait(self, budget_s: float) -> str | None:
        """The reply if it came within the budget; otherwise the outbox will send it."""
        self._done.wait(budget_s)
        with self._lock:
            if self.text is None:
                self._gave_up = True
            return self.text


class WechatInbound:
    def __init__(
        self,
        run_turn: Callable[[Turn], TurnResult],
        commerce: CommercePort,
        store: SqlChannelStore,
        state: SharedState,
        outbox: Outbox,
        budget_s: float = 4.5,
        backstop: Callable[[str, str], None] | None = None,
    ) -> None:
        self.run_turn = run_turn
        self.commerce = commerce
        self.store = store
        self.state = state
        self.outbox = outbox
        self.budget_s = budget_s
        self.backstop = backstop  # schedules the job engine's recovery task for a MsgId

    def handle(self, body: bytes, now: datetime | None = None) -> str:
        """The HTTP answer to a POSTed message: passive reply XML, or "success"."""
        started = time.monotonic()
        now = now or datetime.now(UTC)
        message = parse_message(body)
        if message.msg_type == "event" and message.event != "subscribe":
            return EMPTY  # unsubscribe, menu clicks, location reports: nothing to say
        key = message.dedup_key
        lease = f"wechat:msg:{key}"
        if not self.state.set_once(lease, "1", _LEASE_S):
            return self._answer_retry(message, key, started)  # a live worker has it
        if not self.store.claim_receipt(CHANNEL, key, now, _payload(message, now)):
            receipt = self.store.receipt(CHANNEL, key)
            if receipt is None or receipt.reply_text is not None:
                return self._answer_retry(message, key, started)
            # claimed before, never answered, and nobody holds the lease: that worker died
            # mid-turn; run the message now rather than lose it
            log.warning("wechat message %s: taking over from a worker that stopped", key)
        if self.backstop is not None:
            # should this worker die mid-turn, the job engine runs the message and the reply
            # goes out through the customer-service API
            self.backstop(CHANNEL, key)
        self.store.bind_guest(CHANNEL, message.from_user, f"wechat:{message.from_user[-6:]}", now)
        words = message.readable_text
        if not words.strip():
            canned = channel_text(_canned_key(message), self._lang(message.from_user))
            self.store.settle_receipt(CHANNEL, key, canned)
            return text_reply(message, canned, int(now.timestamp()))
        race = _Race()
        threading.Thread(
            target=self._leased_turn,
            args=(message, words, race, now, lease),
            daemon=True,
            name="wechat-turn",
        ).start()
        reply = race.wait(max(0.0, self.budget_s - (time.monotonic() - started)))
        if not reply:
            return EMPTY  # late (the outbox sends it) or nothing to say (a person has the chat)
        return text_reply(message, reply, int(time.time()))

    def recover(self, key: str) -> None:
        """The job engine's task: run a stored message whose worker died before answering; the
        reply goes out through the outbox (WeChat stopped waiting long ago)."""
        receipt = self.store.receipt(CHANNEL, key)
        if receipt is None or receipt.reply_text is not None or not receipt.payload:
            return
        lease = f"wechat:msg:{key}"
        if not self.state.set_once(lease, "1", _LEASE_S):
            raise StillRunning(key)
        fields = dict(receipt.payload)
        now = datetime.fromisoformat(str(fields.pop("received_at")))
        message = WechatMessage(**fields)
        if not message.readable_text.strip():
            self.store.settle_receipt(CHANNEL, key, "")  # nothing the bot could answer
            return
        log.warning("wechat message %s: answered by the recovery task", key)
        race = _Race()
        race.wait(0)  # nobody is waiting: the reply takes the customer-service API
        self.store.bind_guest(CHANNEL, message.from_user, f"wechat:{message.from_user[-6:]}", now)
        self._leased_turn(message, message.readable_text, race, now, lease)

    def _leased_turn(
        self, message: WechatMessage, words: str, race: _Race, now: datetime, lease: str
    ) -> None:
        done = threading.Event()

        def renew() -> None:
            while not done.wait(_RENEW_S):
                self.state.set(lease, "1", _LEASE_S)

        threading.Thread(target=renew, daemon=True, name="wechat-lease").start()
        try:
            self._turn(message, words, race, now)
        finally:
            done.set()

    def _turn(self, message: WechatMessage, words: str, race: _Race, now: datetime) -> None:
        key = message.dedup_key
        try:
            result = self.run_turn(
                Turn(channel=CHANNEL, text=words, channel_user_id=message.from_user, now=now)
            )
            text = "\n\n".join(r.text for r in result.replies if r.text)
        except ClientError as exc:  # e.g. longer than the shop accepts
            log.info("wechat message %s refused: %s", key, exc.message)
            text = channel_text("wechat.error", self._lang(message.from_user))
        except Exception:
            log.exception("wechat turn for %s failed", key)
            text = channel_text("wechat.error", self._lang(message.from_user))
        on_time = race.finish(text)
        self.store.settle_receipt(CHANNEL, key, text if on_time else "")
        if not on_time and text:
            self.outbox.enqueue(CHANNEL, message.from_user, {"text": text, "late": True}, now)

    def _answer_retry(self, message: WechatMessage, key: str, started: float) -> str:
        """A repeated MsgId: the first request's answer, never a second turn."""
        while True:
            receipt = self.store.receipt(CHANNEL, key)
            if receipt is not None and receipt.reply_text is not None:
                if not receipt.reply_text:
                    return EMPTY  # answered through the outbox
                return text_reply(message, receipt.reply_text, int(time.time()))
            if time.monotonic() - started >= self.budget_s:
                return EMPTY
            time.sleep(_POLL_S)

    def _lang(self, open_id: str) -> str:
        try:
            customer = self.commerce.find_customer_by_identity(CHANNEL, open_id)
        except CommerceError:
            customer = None
        return customer.lang.value if customer is not None else "zh-CN"


def _payload(message: WechatMessage, now: datetime) -> dict[str, Any]:
    """What the recovery task needs to run the message again."""
    return {**asdict(message), "received_at": now.isoformat()}


def _canned_key(message: WechatMessage) -> str:
    if message.msg_type == "event":
        return "wechat.welcome"
    if message.msg_type == "image":
        return "wechat.unsupported_image"
    if message.msg_type == "voice":
        return "wechat.unsupported_voice"
    return "wechat.unsupported"
