"""Signed webhook requests: signature, freshness and body checks."""

from __future__ import annotations

import json

import pytest

from kefu.channels.webhook import (
    BadWebhookBody,
    StaleWebhook,
    WebhookRejected,
    parse_event,
    signed_headers,
    verify,
)
from kefu.domain.errors import Problem

SECRET = "s3cret"
NOW = 1_800_000_000.0
BODY = json.dumps({"event_id": "e1", "user_id": "u1", "text": "在吗"}).encode()


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def test_a_request_signed_with_the_secret_passes() -> None:
    verify(_lower(signed_headers(SECRET, BODY, NOW)), BODY, SECRET, 300, NOW + 10)


def test_a_changed_body_or_another_secret_fails_the_signature() -> None:
    headers = _lower(signed_headers(SECRET, BODY, NOW))
    with pytest.raises(WebhookRejected):
        verify(headers, BODY.replace(b"u1", b"u2"), SECRET, 300, NOW)
    with pytest.raises(WebhookRejected):
        verify(_lower(signed_headers("other", BODY, NOW)), BODY, SECRET, 300, NOW)


def test_missing_headers_are_refused() -> None:
    with pytest.raises(WebhookRejected):
        verify({}, BODY, SECRET, 300, NOW)


@pytest.mark.parametrize("skew_s", [301, -301, 86_400])
def test_a_timestamp_outside_the_window_is_stale(skew_s: int) -> None:
    headers = _lower(signed_headers(SECRET, BODY, NOW - skew_s))
    with pytest.raises(StaleWebhook) as caught:
        verify(headers, BODY, SECRET, 300, NOW)
    assert caught.value.problem is Problem.UNAUTHENTICATED and caught.value.code == "stale"


@pytest.mark.parametrize(
    "body",
    [
        b"nope",
        b"[]",
        json.dumps({"user_id": "u1", "text": "hi"}).encode(),
        json.dumps({"event_id": "e1", "user_id": "", "text": "hi"}).encode(),
        json.dumps({"event_id": "e1", "user_id": "u", "callback_url": "ftp://x"}).encode(),
        json.dumps({"event_id": "e1", "user_id": "u", "callback_url": "javascript:x"}).encode(),
    ],
)
def test_malformed_bodies_are_a_400(body: bytes) -> None:
    with pytest.raises(BadWebhookBody):
        parse_event(body)


def test_a_good_body_keeps_its_callback() -> None:
    event = parse_event(
        json.dumps(
            {"event_id": "e1", "user_id": "u1", "text": "hi", "callback_url": "https://a.b/c"}
        ).encode()
    )
    assert (event.event_id, event.user_id, event.callback_url) == ("e1", "u1", "https://a.b/c")
