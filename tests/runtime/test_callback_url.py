"""Webhook callbacks go to public http(s) addresses only: no SSRF into the shop's network."""

from __future__ import annotations

import json

import httpx
import pytest

from kefu.channels.outbound import CallbackSender, DeliveryFailed
from kefu.channels.webhook import BadWebhookBody, parse_event
from kefu.runtime.callback_url import UnsafeCallback, check_callback_url, resolve_public
from tests.channels.test_outbound import _delivery

INTERNAL = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.8/hook",
    "http://127.0.0.1:8000/api/v1/admin",
    "http://[::1]/x",
    "http://localhost:6379/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0:6379/",
    "http://redis.internal/",
    "http://user:pw@app.example/cb",
    "gopher://app.example/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_callback_urls_are_refused_at_registration(url: str) -> None:
    body = json.dumps({"event_id": "e1", "user_id": "u1", "text": "hi", "callback_url": url})
    with pytest.raises(BadWebhookBody):
        parse_event(body.encode())


def test_a_public_callback_url_is_kept() -> None:
    assert check_callback_url("https://app.example:8443/cb") == ("https", "app.example", 8443)


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"kefu connected to {request.url}")


def _sender(resolve: dict[str, list[str]]) -> CallbackSender:
    client = httpx.Client(transport=httpx.MockTransport(_never))
    return CallbackSender("s", client, resolve=lambda host, port: resolve[host])


@pytest.mark.parametrize(
    ("url", "dns"),
    [
        ("https://rebind.example/cb", ["127.0.0.1"]),  # a public-looking name, a private address
        ("https://metadata.example/", ["169.254.169.254"]),
        ("https://mixed.example/", ["93.184.216.34", "10.1.2.3"]),
        ("https://v6.example/", ["::1"]),
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused_at_send_time(
    url: str, dns: list[str]
) -> None:
    host = url.split("/")[2]
    with pytest.raises(DeliveryFailed) as refused:
        _sender({host: dns}).send(_delivery(url, {"text": "您好"}))
    assert refused.value.permanent  # retrying would only try again


def test_a_callback_stored_before_the_check_is_still_refused_when_sent() -> None:
    # e.g. registered by an older version: the send-time check does not trust the store
    with pytest.raises(DeliveryFailed):
        _sender({}).send(_delivery("http://localhost:6379/", {"text": "x"}))


def test_redirects_are_not_followed() -> None:
    seen: list[httpx.Request] = []

    def platform(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "http://169.254.169.254/"})

    client = httpx.Client(transport=httpx.MockTransport(platform))
    sender = CallbackSender("s", client, resolve=lambda h, p: ["93.184.216.34"])
    with pytest.raises(DeliveryFailed) as refused:
        sender.send(_delivery("https://app.example/cb", {"text": "x"}))
    assert refused.value.permanent
    assert [r.url.host for r in seen] == ["93.184.216.34"]  # one request, to the checked address


def test_resolution_failures_are_refusals_not_crashes() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UnsafeCallback):
        resolve_public("https://gone.example/", broken)


def test_a_network_the_shop_trusts_is_allowed_and_nothing_else() -> None:
    from kefu.runtime.callback_url import allow_networks

    allow_networks("10.8.0.0/16")
    try:
        assert check_callback_url("http://10.8.1.2:9000/cb")[1] == "10.8.1.2"
        with pytest.raises(UnsafeCallback):
            check_callback_url("http://10.9.1.2/cb")
        with pytest.raises(UnsafeCallback):
            check_callback_url("http://169.254.169.254/latest/meta-data")
    finally:
        allow_networks("")
    with pytest.raises(UnsafeCallback):
        check_callback_url("http://10.8.1.2:9000/cb")
