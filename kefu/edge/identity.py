"""Signed customer identities for the web widget: who the customer is, without a session store.

The shop's own site (which knows the logged-in shopper) asks for a token for its customer and hands
it to the widget; any worker verifies it with the shared secret alone. In production mode the
widget's calls need one; demo mode accepts a plain ``customer_id`` so the demo picker works.

Token: ``c1.<base64url(customer_id)>.<expiry epoch s>.<base64url(HMAC-SHA256)>``, the HMAC over
``c1.<id>.<expiry>`` with a key derived from ``settings.secret_key`` for this purpose only (agent
tokens use another derived key, so one can never pass as the other).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

from starlette.requests import HTTPConnection

from kefu.config import Mode, Settings
from kefu.edge.problems import Unauthorized

_PREFIX = "c1"
DEFAULT_TTL_S = 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"kefu-customer-identity", hashlib.sha256).digest()


def _sign(body: str, secret: str) -> str:
    return _b64(hmac.new(_key(secret), body.encode(), hashlib.sha256).digest())


def issue_customer_token(
    customer_id: str, secret: str, ttl_s: int = DEFAULT_TTL_S, now: float | None = None
) -> str:
    """A token that proves ``customer_id`` until ``now + ttl_s``."""
    expires = int(time.time() if now is None else now) + ttl_s
    body = f"{_PREFIX}.{_b64(customer_id.encode())}.{expires}"
    return f"{body}.{_sign(body, secret)}"


def token_for(settings: Settings, customer_id: str, ttl_s: int = DEFAULT_TTL_S) -> str:
    """CLI-friendly: ``kefu token C1001`` can print this for the shop's site or a test."""
    return issue_customer_token(customer_id, settings.secret_key, ttl_s)


def verify_customer_token(token: str, secret: str, now: float | None = None) -> str:
    """The customer id the token proves; Unauthorized when forged, malformed or expired."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _PREFIX:
        raise Unauthorized("malformed customer token")
    body = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(body, secret), parts[3]):
        raise Unauthorized("invalid customer token")
    try:
        customer_id = _unb64(parts[1]).decode("utf-8")
        expires = int(parts[2])
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Unauthorized("malformed customer token") from None
    if expires <= (time.time() if now is None else now):
        raise Unauthorized("customer token expired", code="token_expired")
    return customer_id


def token_from(conn: HTTPConnection, given: object = None) -> str | None:
    """The token a request carries: ``Authorization: Bearer``, else a body or query ``token``."""
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if isinstance(given, str) and given.strip():
        return given.strip()
    query = conn.query_params.get("token")
    return query.strip() if query and query.strip() else None


def identify_customer(settings: Settings, claimed: object, token: str | None) -> object:
    """The customer id a widget call may act as.

    Production: a valid token is required and, when a ``customer_id`` is also given, must name
    the same customer. Demo: the claimed id is taken as is, but a token that is sent is still
    checked (a client that sends one expects it to count).
    """
    if token is None:
        if settings.mode is Mode.PRODUCTION:
            raise Unauthorized("a signed customer token is required")
        return claimed
    proven = verify_customer_token(token, settings.secret_key)
    if claimed is not None and claimed != proven:
        raise Unauthorized("the token belongs to another customer", code="token_mismatch")
    return proven
