"""One signed webhook event in, the contract's reply shape out, the turn run once per event_id.

The event is stored with its receipt before it runs, and a recovery task of the job engine is
scheduled behind it: if the worker dies mid-turn (kill -9, a crash), the task or the platform's
retry finds the receipt unanswered and its lease lapsed, runs the turn, and a reply nobody waited
for goes to the platform's ``callback_url``. A turn that fails answers 202 ``accepted`` and is
retried the same way.

A repeated ``event_id`` (the platform's retry, signed again with a new timestamp) is answered 200
with the first answer, status and body as they were; while the first is still running the repeat
waits for it briefly, then gets 409 ``in_progress``.

Replays: each platform signs with its own secret, the timestamp must be fresh, and a signature is
accepted once: it is remembered in the shared state (Redis with several workers) while its
timestamp is fresh, so a captured request sent again is refused (401 ``replayed``) instead of
handing the first answer, with the customer's data in it, to whoever captured it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kefu.channels.lease import MessageLease, StillRunning
from kefu.channels.webhook import PLATFORMS, SIGNATURE_HEADER, WebhookRejected, parse_event, verify
from kefu.dialogue import Turn, TurnResult
from kefu.domain.errors import ClientError, Problem
from kefu.edge.problems import http_status
from kefu.runtime.shared import InProcessState, SharedState
from kefu.store.channel_repo import SqlChannelStore

log = logging.getLogger("kefu.channels")

_POLL_S = 0.05


class EventInProgress(ClientError):
    problem = Problem.CONFLICT
    code = "in_progress"


class ReplayedWebhook(WebhookRejected):
    code = "replayed"


class UnknownPlatform(ClientError):
    problem = Problem.NOT_FOUND
    code = "not_found"


@dataclass(frozen=True, slots=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


class WebhookInbound:
    def __init__(
        self,
        run_turn: Callable[[Turn], TurnResult],
        store: SqlChannelStore,
        secret: str | Callable[[str], str],
        max_skew_s: float,
        wait_for_first_s: float = 5.0,
        state: SharedState | None = None,
        backstop: Callable[[str, str], None] | None = None,
        late_reply: Callable[[str, str, str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.run_turn = run_turn
        self.store = store
        # one secret per platform; a plain string is every platform's secret
        self.secret_for: Callable[[str], str] = (
            secret if callable(secret) else (lambda _platform: secret)
        )
        self.max_skew_s = max_skew_s
        self.wait_for_first_s = wait_for_first_s
        self.state: SharedState = state or InProcessState()
        # schedules the job engine's recovery task for (platform, event_id)
        self.backstop = backstop
        # sends an answer nobody waited for to the platform's callback_url
        self.late_reply = late_reply

    def handle(
        self,
        platform: str,
        headers: Mapping[str, str],
        body: bytes,
        now: datetime | None = None,
    ) -> WebhookAnswer:
        now = now or datetime.now(UTC)
        if platform not in PLATFORMS:
            raise UnknownPlatform(f"platform must be one of {', '.join(PLATFORMS)}")
        verify(headers, body, self.secret_for(platform), self.max_skew_s, now.timestamp())
        event = parse_event(body)
        self._first_use_of_signature(platform, headers)
        payload = {
            "user_id": event.user_id,
            "text": event.text,
            "callback_url": event.callback_url,
            "at": now.isoformat(),
        }
        if not self.store.claim_receipt(platform, event.event_id, now, payload):
            return self._first_answer(platform, event.event_id)
        # stored first, then a task that runs it again should this worker die mid-turn
        if self.backstop is not None:
            self.backstop(platform, event.event_id)
        return self._answer_now(platform, event.event_id)

    def _answer_now(self, platform: str, event_id: str) -> WebhookAnswer:
        """Run the message in this request; if that fails the recovery task answers later."""
        try:
            answer = self.process(platform, event_id, waiting=True)
        except StillRunning:
            answer = None
        except Exception:
            log.exception(
                "webhook event %s/%s failed; the job engine retries it", platform, event_id
            )
            answer = None
        return answer or WebhookAnswer(202, {"status": "accepted", "event_id": event_id})

    def process(self, platform: str, event_id: str, waiting: bool = False) -> WebhookAnswer | None:
        """Run one stored event exactly once: the request's fast path and the recovery task.
        None when it was answered already; StillRunning when a live worker has it. An answer
        nobody waits for goes to the platform's callback."""
        lease = MessageLease(self.state, f"webhook:event:{platform}:{event_id}")
        if not lease.acquire():
            raise StillRunning(f"{platform}/{event_id}")
        with lease:
            receipt = self.store.receipt(platform, event_id)
            if receipt is None or receipt.reply_text is not None or not receipt.payload:
                return None
            event = receipt.payload
            user_id, text = str(event["user_id"]), event.get("text")
            at = datetime.fromisoformat(str(event["at"]))
            try:
                self.store.bind_guest(platform, user_id, f"{platform}:{user_id[-8:]}", at)
                if event.get("callback_url"):
                    self.store.remember_callback(platform, user_id, event["callback_url"], at)
                result = self.run_turn(
                    Turn(channel=platform, text=text, channel_user_id=user_id, now=at)
                )
                answer = WebhookAnswer(200, result.to_wire())
            except ClientError as exc:
                if exc.problem is Problem.RATE_LIMITED:
                    # rate limited: nothing ran; the platform's retry must run it, not replay this
                    self.store.forget_receipt(platform, event_id)
                    return WebhookAnswer(429, _error(exc.code, exc.message))
                answer = WebhookAnswer(http_status(exc), _error(exc.code, exc.message))
            record = {"status": answer.status, "body": answer.body}
            self.store.settle_receipt(platform, event_id, json.dumps(record, ensure_ascii=False))
        if not waiting and self.late_reply is not None and event.get("callback_url"):
            self.late_reply(platform, user_id, str(event["callback_url"]), record)
        return answer

    def recover(self, platform: str, event_id: str) -> None:
        """The job engine's task: answer an event whose first worker died (no-op otherwise)."""
        self.process(platform, event_id, waiting=False)

    def _first_use_of_signature(self, platform: str, headers: Mapping[str, str]) -> None:
        if self.state is None:
            return
        given = headers.get(SIGNATURE_HEADER, "").strip().lower()
        # remembered a little longer than a timestamp stays fresh (either side of now)
        ttl_s = self.max_skew_s * 2 + 60
        if not self.state.set_once(f"webhook:sig:{platform}:{given}", "1", ttl_s):
            raise ReplayedWebhook("this signed request was already received; sign a retry anew")

    def _first_answer(self, platform: str, event_id: str) -> WebhookAnswer:
        deadline = time.monotonic() + self.wait_for_first_s
        lease = MessageLease(self.state, f"webhook:event:{platform}:{event_id}")
        took_over = False
        while True:
            receipt = self.store.receipt(platform, event_id)
            if receipt is not None and receipt.reply_text:
                record = json.loads(receipt.reply_text)
                return WebhookAnswer(int(record["status"]), record["body"], replayed=True)
            if receipt is None:  # the first run crashed and let go: this one may run it
                raise EventInProgress("the first delivery of this event failed; retry it")
            if receipt.payload and not took_over and not lease.is_held():
                # stored, unanswered, and nobody holds it: its worker died; answer it now (once:
                # a turn that fails again is the recovery task's to retry, with back-off)
                log.warning(
                    "webhook event %s/%s: taking over from a stopped worker", platform, event_id
                )
                took_over = True
                answer = self._answer_now(platform, event_id)
                if answer.status != 202:
                    return answer
            if time.monotonic() >= deadline:
                raise EventInProgress("this event is still being handled")
            time.sleep(_POLL_S)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
