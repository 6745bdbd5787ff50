"""Messages kefu sends on its own initiative (agent replies, late bot replies, notices) to channels
that cannot hold a socket open: stored first in ``outbound_deliveries``, then sent, and retried
with exponential backoff until the channel takes them or they are given up.

Each delivery is a task of the job engine (``kefu.jobs``): tried at once, retried after growing
delays, and recorded as a dead letter when given up; ``deliver_due(now)`` is the periodic sweep
that picks up anything a crashed worker left behind.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from kefu.channels.webhook import signed_headers
from kefu.runtime.callback_url import Resolver, UnsafeCallback, resolve_public, system_resolver
from kefu.runtime.shared import SharedState
from kefu.store.channel_repo import PENDING, Delivery, SqlChannelStore

log = logging.getLogger("kefu.channels")


class DeliveryFailed(Exception):
    """The channel did not take the message; ``permanent`` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class OutboundSender(Protocol):
    def send(self, delivery: Delivery) -> None:
        """Hand the delivery to the channel; raise DeliveryFailed when it was not taken."""
        ...


@dataclass
class RecordingSender:
    """Keeps what would have been sent: tests, and demo mode with no WeChat account set up."""

    sent: list[Delivery] = field(default_factory=list)
    fail_times: int = 0  # fail this many attempts first (retry tests)

    def send(self, delivery: Delivery) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise DeliveryFailed("recording sender told to fail")
        self.sent.append(delivery)


class WechatCustomerServiceSender:
    """WeChat's customer-service message API (客服消息): text to an OpenID within 48 hours of
    the customer's last message. The access token is shared by every worker through the state."""

    API = "https://api.weixin.qq.com/cgi-bin"
    # errcodes that mean "this token is no good": fetch a new one and retry later
    _TOKEN_ERRORS = frozenset({40001, 40014, 42001})
    # the customer is out of the 48-hour window or unfollowed: retrying will not help
    _PERMANENT = frozenset({43004, 45015, 45047, 40003})

    def __init__(
        self, app_id: str, app_secret: str, state: SharedState, client: httpx.Client
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.state = state
        self.client = client

    def _token_key(self) -> str:
        return f"wechat:access_token:{self.app_id}"

    def _access_token(self) -> str:
        cached = self.state.get(self._token_key())
        if cached:
            return cached
        params = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self.app_secret,
        }
        data = self._call("GET", f"{self.API}/token", params=params)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise DeliveryFailed(f"no access token: {data.get('errcode')} {data.get('errmsg')}")
        # renew a few minutes early: a token that expires mid-send costs a retry
        expires = float(data.get("expires_in", 7200))
        self.state.set(self._token_key(), token, ttl_s=max(60.0, expires - 300))
        return token

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.client.request(method, url, **kwargs)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise DeliveryFailed(f"WeChat API unreachable: {exc}") from None
        if not isinstance(data, dict):
            raise DeliveryFailed("WeChat API answered something other than JSON")
        return data

    def send(self, delivery: Delivery) -> None:
        token = self._access_token()
        body = {
            "touser": delivery.target,
            "msgtype": "text",
            "text": {"content": str(delivery.payload.get("text", ""))},
        }
        data = self._call(
            "POST",
            f"{self.API}/message/custom/send",
            params={"access_token": token},
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
        )
        code = int(data.get("errcode", 0) or 0)
        if code == 0:
            return
        if code in self._TOKEN_ERRORS:
            self.state.set(self._token_key(), "", ttl_s=1)
        raise DeliveryFailed(
            f"WeChat errcode {code}: {data.get('errmsg')}", permanent=code in self._PERMANENT
        )


class WechatTemplateSender(WechatCustomerServiceSender):
    """WeChat template messages (模板消息) for service notices outside the 48-hour window: the
    shop's approved template, with the notice text in its ``first`` field and the order number in
    ``keyword1``. Same access token as the customer-service API."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        template_id: str,
        state: SharedState,
        client: httpx.Client,
    ) -> None:
        super().__init__(app_id, app_secret, state, client)
        self.template_id = template_id

    def send(self, delivery: Delivery) -> None:
        token = self._access_token()
        payload = delivery.payload
        body = {
            "touser": delivery.target,
            "template_id": self.template_id,
            "data": {
                "first": {"value": str(payload.get("text", ""))},
                "keyword1": {"value": str(payload.get("order_id") or "")},
            },
        }
        data = self._call(
            "POST",
            f"{self.API}/message/template/send",
            params={"access_token": token},
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
        )
        code = int(data.get("errcode", 0) or 0)
        if code == 0:
            return
        if code in self._TOKEN_ERRORS:
            self.state.set(self._token_key(), "", ttl_s=1)
        raise DeliveryFailed(
            f"WeChat errcode {code}: {data.get('errmsg')}", permanent=code in self._PERMANENT
        )


class CallbackSender:
    """POSTs the delivery's payload to the webhook platform's ``callback_url``, signed.

    Only to public addresses: the name is resolved and checked here, at send time, and the
    request goes to the checked address (see ``callback_url``); redirects are not followed."""

    def __init__(
        self, secret: str, client: httpx.Client, resolve: Resolver = system_resolver
    ) -> None:
        self.secret = secret
        self.client = client
        self.resolve = resolve

    def send(self, delivery: Delivery) -> None:
        try:
            address = resolve_public(delivery.target, self.resolve)
        except UnsafeCallback as exc:
            raise DeliveryFailed(f"callback refused: {exc}", permanent=True) from None
        url, extensions = _pinned(delivery.target, address)
        body = json.dumps(
            {"delivery_id": delivery.id, **delivery.payload}, ensure_ascii=False
        ).encode()
        host = urlsplit(delivery.target).netloc.rsplit("@", 1)[-1]
        try:
            response = self.client.post(
                url,
                content=body,
                headers={**signed_headers(self.secret, body, time.time()), "Host": host},
                extensions=extensions,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"callback unreachable: {exc}") from None
        if 300 <= response.status_code < 400:
            # a redirect could lead into the private network: never followed, never retried
            raise DeliveryFailed(f"callback redirected ({response.status_code})", permanent=True)
        if response.status_code >= 300:
            # 4xx other than throttling means the platform will never take it
            permanent = 400 <= response.status_code < 500 and response.status_code not in (
                408,
                429,
            )
            raise DeliveryFailed(f"callback answered {response.status_code}", permanent=permanent)


def _pinned(url: str, address: str) -> tuple[str, dict[str, Any]]:
    """``url`` with its host replaced by the checked ``address``; TLS still verifies the name."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit(parts._replace(netloc=netloc))
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return pinned, extensions


@dataclass(frozen=True)
class RetryPolicy:
    first_delay_s: float = 5.0
    max_delay_s: float = 3600.0
    max_attempts: int = 8
    lease_s: float = 60.0  # how long one attempt may take before another worker retries it

    def delay_after(self, attempts: int) -> float:
        return float(min(self.max_delay_s, self.first_delay_s * 2 ** max(0, attempts - 1)))


def _utcnow() -> datetime:
    return datetime.now(UTC)


# what a delivery run tells its caller
SENT_NOW = "sent"
RETRYING = "retrying"
GIVEN_UP = "failed"
BEHIND = "behind"  # an earlier message to the same customer goes first


class Outbox:
    """Deliveries in lanes: one lane per customer on a channel (``channel`` + ``target``), sent
    in the order they were stored, never two of a lane at once, so a customer never reads an
    agent's second message before the first.

    ``schedule(delivery_id, delay_s)`` hands a delivery to the job engine (``kefu.jobs``);
    without one (tests, ``kefu jobs``) ``deliver_due`` does the sending.
    """

    def __init__(
        self,
        store: SqlChannelStore,
        senders: Mapping[str, OutboundSender],
        policy: RetryPolicy | None = None,
        clock: Callable[[], datetime] = _utcnow,
        schedule: Callable[[str, float], None] | None = None,
        on_given_up: Callable[[Delivery, str], None] | None = None,
    ) -> None:
        self.store = store
        self.senders = dict(senders)
        self.policy = policy or RetryPolicy()
        self.clock = clock
        self.schedule = schedule
        self.on_given_up = on_given_up

    def enqueue(self, channel: str, target: str, payload: dict[str, Any], now: datetime) -> str:
        """Store the delivery, then hand it to the job engine to send as soon as its lane lets."""
        delivery_id = self.store.enqueue(channel, target, payload, now)
        if self.schedule is not None:
            self.schedule(delivery_id, 0.0)
        return delivery_id

    def deliver(self, delivery_id: str, now: datetime | None = None) -> str | None:
        """One delivery task: send it if it heads its lane and is due, then pass the lane on to
        the next message. None when there is nothing to do (sent already, or not due)."""
        now = now or self.clock()
        delivery = self.store.get(delivery_id)
        if delivery is None or delivery.status != PENDING:
            return None
        head = self.store.lane_head(delivery.channel, delivery.target)
        if head is not None and head.id != delivery.id:
            # the earlier one's own task (or the sweep) hands the lane on when it is done
            return BEHIND
        wait_s = (delivery.next_attempt_at - now).total_seconds()
        if wait_s > 0:
            # early (another machine's clock, the scheduler's tick): come back when it is due
            if self.schedule is not None:
                self.schedule(delivery.id, max(0.5, wait_s))
            return None
        outcome = self.attempt(delivery, now)
        if outcome == RETRYING and self.schedule is not None:
            self.schedule(delivery.id, self.policy.delay_after(delivery.attempts + 1))
        elif outcome in (SENT_NOW, GIVEN_UP):
            self._hand_on(delivery, now)
        return outcome

    def _hand_on(self, delivery: Delivery, now: datetime) -> None:
        following = self.store.lane_head(delivery.channel, delivery.target)
        if following is not None and self.schedule is not None:
            wait_s = (following.next_attempt_at - now).total_seconds()
            self.schedule(following.id, max(0.0, wait_s))

    def deliver_due(self, now: datetime, limit: int = 100) -> dict[str, int]:
        """Send every due delivery that heads its lane (the sweep behind the tasks, and the
        ``kefu jobs`` command); counts of sent, retrying and given-up ones."""
        counts = {SENT_NOW: 0, RETRYING: 0, GIVEN_UP: 0}
        for delivery in self.store.due(now, limit):
            outcome = self.deliver(delivery.id, now)
            if outcome in counts:
                counts[outcome] += 1
        return counts

    def attempt(self, delivery: Delivery, now: datetime) -> str | None:
        """One try; None when another worker holds it or it is not due."""
        if not self.store.claim(delivery, now, self.policy.lease_s):
            return None
        attempts = delivery.attempts + 1
        sender = self.senders.get(delivery.channel)
        try:
            if sender is None:
                raise DeliveryFailed(f"no sender for channel {delivery.channel}")
            sender.send(delivery)
        except DeliveryFailed as exc:
            give_up = exc.permanent or attempts >= self.policy.max_attempts
            retry_at = (
                None if give_up else now + timedelta(seconds=self.policy.delay_after(attempts))
            )
            self.store.mark_failed(delivery.id, str(exc), retry_at)
            log.warning("delivery %s attempt %d failed: %s", delivery.id, attempts, exc)
            if give_up and self.on_given_up is not None:
                self.on_given_up(replace(delivery, attempts=attempts), str(exc))
            return GIVEN_UP if give_up else RETRYING
        except Exception as exc:  # a bug in a sender: keep the delivery, retry it later
            log.exception("delivery %s crashed", delivery.id)
            retry_at = now + timedelta(seconds=self.policy.delay_after(attempts))
            self.store.mark_failed(delivery.id, f"internal error: {type(exc).__name__}", retry_at)
            return RETRYING
        self.store.mark_sent(delivery.id)
        return SENT_NOW

    def close(self) -> None:
        """Nothing to stop: the job engine owns the sending threads."""
