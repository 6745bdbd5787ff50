"""The signed JSON webhook that app, Douyin, e-mail and API integrations post customer messages to.

Request: ``X-Kefu-Timestamp: <epoch s>`` and ``X-Kefu-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"{timestamp}.{raw body}"`` with the platform's secret (``webhook_secrets``, else the shared
``webhook_secret``). Body: ``{"event_id", "user_id", "text", "callback_url"?}``. A timestamp outside
``±webhook_max_skew_s`` is refused as stale, a signature seen before as a replay (see
``webhook_inbound``). A repeated ``event_id`` (a platform retry, signed anew) does not run
the turn again: it is answered 200 with the first result, so retrying is always safe.

Outbound calls to ``callback_url`` are signed the same way, so the platform can check them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass

from kefu.domain.errors import ClientError, Problem
from kefu.runtime.callback_url import UnsafeCallback, check_callback_url

PLATFORMS = ("app", "douyin", "email", "api")
MAX_BODY_BYTES = 64 * 1024
TIMESTAMP_HEADER = "x-kefu-timestamp"
SIGNATURE_HEADER = "x-kefu-signature"


class WebhookRejected(ClientError):
    problem = Problem.UNAUTHENTICATED
    code = "bad_signature"


class StaleWebhook(WebhookRejected):
    code = "stale"


class BadWebhookBody(ClientError):
    problem = Problem.INVALID
    code = "invalid_request"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    event_id: str
    user_id: str
    text: object  # checked by the dialogue, which gives the contract's errors
    callback_url: str | None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now_s: float) -> dict[str, str]:
    """Headers that make ``body`` a valid webhook call (outbound calls and tests)."""
    timestamp = str(int(now_s))
    return {
        "X-Kefu-Timestamp": timestamp,
        "X-Kefu-Signature": signature(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def verify(
    headers: Mapping[str, str], body: bytes, secret: str, max_skew_s: float, now_s: float
) -> None:
    """Raise WebhookRejected unless the call is signed with ``secret`` and fresh."""
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    given = headers.get(SIGNATURE_HEADER, "").strip()
    if not timestamp or not given:
        raise WebhookRejected("X-Kefu-Timestamp and X-Kefu-Signature are required")
    if not hmac.compare_digest(signature(secret, timestamp, body), given.lower()):
        raise WebhookRejected("the signature does not match the body")
    # checked after the signature, so an unsigned caller learns nothing about our clock
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookRejected("X-Kefu-Timestamp must be epoch seconds") from None
    if abs(now_s - sent) > max_skew_s:
        raise StaleWebhook(f"the timestamp is more than {int(max_skew_s)} s away from now")


def _http_url(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 2048:
        raise BadWebhookBody("callback_url must be an http(s) URL")
    try:
        check_callback_url(value)  # public http(s) only; checked again after DNS at send time
    except UnsafeCallback as exc:
        raise BadWebhookBody(str(exc)) from None
    return value


def parse_event(body: bytes) -> WebhookEvent:
    if len(body) > MAX_BODY_BYTES:
        raise BadWebhookBody("the body is too large")
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadWebhookBody("the body must be JSON") from None
    if not isinstance(data, dict):
        raise BadWebhookBody('the body must be {"event_id", "user_id", "text", ...}')
    event_id, user_id = data.get("event_id"), data.get("user_id")
    for name, value in (("event_id", event_id), ("user_id", user_id)):
        if not isinstance(value, str) or not value.strip() or len(value) > 128:
            raise BadWebhookBody(f"{name} must be a non-empty string of at most 128 characters")
    assert isinstance(event_id, str) and isinstance(user_id, str)
    return WebhookEvent(
        event_id=event_id.strip(),
        user_id=user_id.strip(),
        text=data.get("text"),
        callback_url=_http_url(data.get("callback_url")),
    )
