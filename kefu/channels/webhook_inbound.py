"""One signed webhook event in, the contract's reply shape out, the turn run once per event_id.

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

from kefu.channels.webhook import PLATFORMS, SIGNATURE_HEADER, WebhookRejected, parse_event, verify
from kefu.dialogue import Turn, TurnResult
from kefu.domain.errors import ClientError
from kefu.runtime.shared import SharedState
from kefu.store.channel_repo import SqlChannelStore

log = logging.getLogger("kefu.channels")

_POLL_S = 0.05


class EventInProgress(ClientError):
    status_code = 409
    code = "in_progress"


class ReplayedWebhook(WebhookRejected):
    code = "replayed"


class UnknownPlatform(ClientError):
    status_code = 404
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
    ) -> None:
        self.run_turn = run_turn
        self.store = store
        # one secret per platform; a plain string is every platform's secret
        self.secret_for: Callable[[str], str] = (
            secret if callable(secret) else (lambda _platform: secret)
        )
        self.max_skew_s = max_skew_s
        self.wait_for_first_s = wait_for_first_s
        self.state = state

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
        if not self.store.claim_receipt(platform, event.event_id, now):
            return self._first_answer(platform, event.event_id)
        try:
            self.store.bind_guest(platform, event.user_id, f"{platform}:{event.user_id[-8:]}", now)
            if event.callback_url:
                self.store.remember_callback(platform, event.user_id, event.callback_url, now)
            result = self.run_turn(
                Turn(channel=platform, text=event.text, channel_user_id=event.user_id, now=now)
            )
            answer = WebhookAnswer(200, result.to_wire())
        except ClientError as exc:
            answer = WebhookAnswer(exc.status_code, _error(exc.code, exc.message))
        except BaseException:
            # nothing was answered: let the platform's retry run it again
            self.store.forget_receipt(platform, event.event_id)
            raise
        record = {"status": answer.status, "body": answer.body}
        self.store.settle_receipt(platform, event.event_id, json.dumps(record, ensure_ascii=False))
        return answer

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
        while True:
            receipt = self.store.receipt(platform, event_id)
            if receipt is not None and receipt.reply_text:
                record = json.loads(receipt.reply_text)
                return WebhookAnswer(int(record["status"]), record["body"], replayed=True)
            if receipt is None:  # the first run crashed and let go: this one may run it
                raise EventInProgress("the first delivery of this event failed; retry it")
            if time.monotonic() >= deadline:
                raise EventInProgress("this event is still being handled")
            time.sleep(_POLL_S)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
