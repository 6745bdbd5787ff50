"""Limits on every door a customer (or a script) can knock on, shared across workers.

Counted in the shared state (in-process or Redis), so a limit holds across every worker on every
machine. Three kinds:

- per customer, whatever the channel: the key is the verified customer behind the message (or the
  guest's normalized channel identity), so switching channel or padding an id with spaces does not
  start a fresh count;
- per client address, across customers (a script cycling ids); the address comes from
  ``X-Forwarded-For`` only when the peer is one of ``KEFU_TRUSTED_PROXIES``;
- per agent login, by agent and address, with a growing lock after repeated failures, so an
  attacker elsewhere cannot lock the real agent out.

A limited client gets a 429 with ``Retry-After`` and nothing it sent is half-processed.
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Protocol

from starlette.requests import HTTPConnection

from kefu.config import Settings
from kefu.domain.customers import Customer
from kefu.edge.problems import TooManyRequests
from kefu.runtime.shared import SharedState


class Door(Protocol):
    """What the limits read of a running kefu (``kefu.wiring.Kefu`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def state(self) -> SharedState: ...


_MINUTE_S = 60.0
# customer-facing queries that are cheap for us but scrapable (quotes, NLU parse): per address
QUERIES_PER_MINUTE = 120
# agent login: failures an agent+address may have before the lock; the lock doubles each time
LOGIN_FREE_FAILURES = 5
LOGIN_FIRST_LOCK_S = 30.0
LOGIN_MAX_LOCK_S = 15 * 60.0
LOGIN_FAILURE_MEMORY_S = 3600.0
# login attempts per address across agent ids (password spraying)
LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = 30


def _peer(host: str | None) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(host) if host else None
    except ValueError:
        return None


def client_address(conn: HTTPConnection, settings: Settings) -> str:
    """The client's address: the peer, or, behind trusted proxies, the nearest untrusted hop.

    ``X-Forwarded-For`` is read right to left: each proxy appends the address it saw, so only the
    hops our own proxies added can be believed; anything to their left is what the client sent.
    """
    host = conn.client.host if conn.client else None
    trusted = settings.trusted_proxy_networks
    peer = _peer(host)
    if peer is None or not trusted or not any(peer in net for net in trusted):
        return host or "unknown"
    hops = [h.strip() for h in ",".join(conn.headers.getlist("x-forwarded-for")).split(",")]
    for hop in reversed([h for h in hops if h]):
        addr = _peer(hop)
        if addr is None:
            return str(peer)  # a garbled header: fall back to the proxy, never to client text
        if not any(addr in net for net in trusted):
            return str(addr)
    return str(peer)


def normalized_id(value: str) -> str:
    """One spelling per id: width forms, case and surrounding space do not make a new customer."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def _refuse(wait_s: float, what: str) -> TooManyRequests:
    retry = max(1, math.ceil(wait_s))
    return TooManyRequests(f"{what}; try again in {retry} s", retry_after_s=retry)


def check(state: SharedState, key: str, limit: int, window_s: float, what: str) -> None:
    """Count one request for ``key``; 429 with Retry-After once ``limit`` per window is spent."""
    if limit <= 0:
        return
    wait = state.wait_s(key, limit, window_s)
    if wait > 0:
        raise _refuse(wait, what)


def check_address(kefu: Door, conn: HTTPConnection, scope: str, limit: int | None = None) -> None:
    """Per client address for ``scope`` (``KEFU_IP_MESSAGES_PER_MINUTE`` unless given)."""
    per_minute = kefu.settings.ip_messages_per_minute if limit is None else limit
    if kefu.settings.ip_messages_per_minute <= 0:
        return  # 0 switches address limits off everywhere (a load test from one machine)
    address = client_address(conn, kefu.settings)
    check(kefu.state, f"ip:{scope}:{address}", per_minute, _MINUTE_S, "too many requests")


def check_customer(kefu: Door, customer: Customer) -> None:
    """``KEFU_CUSTOMER_MESSAGES_PER_MINUTE`` for the customer behind a message.

    Counted once the turn has found (or, for a guest's first contact, created) the customer: every
    identity of one customer, a linked guest's included, shares one allowance, and no identity
    lookup is spent before the turn, which makes its own. Pass it as ``Dialogue.handle``'s
    ``admit``.
    """
    limit = kefu.settings.customer_messages_per_minute
    who = f"customer:{normalized_id(customer.id)}"
    check(kefu.state, f"messages:{who}", limit, _MINUTE_S, f"at most {limit} messages a minute")


def address_limit(scope: str, per_minute: int = QUERIES_PER_MINUTE) -> Callable[..., None]:
    """A route dependency: at most ``per_minute`` requests per client address for ``scope``."""

    def dependency(conn: HTTPConnection) -> None:
        check_address(conn.app.state.kefu, conn, scope, per_minute)

    return dependency


# ---- agent login ----------------------------------------------------------------------------


def _login_keys(agent_id: str, address: str) -> tuple[str, str]:
    who = f"{normalized_id(agent_id)}:{address}"
    return f"login-fail:{who}", f"login-lock:{who}"


def check_login(kefu: Door, conn: HTTPConnection, agent_id: str) -> str:
    """Before checking a password: refuse a locked agent+address or a spraying address.

    Returns the client address for ``login_failed``/``login_succeeded``.
    """
    address = client_address(conn, kefu.settings)
    check(
        kefu.state,
        f"login-ip:{address}",
        LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE,
        _MINUTE_S,
        "too many login attempts from this address",
    )
    _, lock_key = _login_keys(agent_id, address)
    until = kefu.state.get(lock_key)
    if until is not None:
        wait = float(until) - time.time()
        if wait > 0:
            raise _refuse(wait, "too many wrong passwords for this agent from this address")
    return address


def login_failed(kefu: Door, agent_id: str, address: str) -> None:
    """A wrong password: past the free failures, lock this agent+address for a doubling time."""
    fail_key, lock_key = _login_keys(agent_id, address)
    failures = kefu.state.incr(fail_key, ttl_s=LOGIN_FAILURE_MEMORY_S)
    if failures >= LOGIN_FREE_FAILURES:
        lock_s = min(LOGIN_FIRST_LOCK_S * 2 ** (failures - LOGIN_FREE_FAILURES), LOGIN_MAX_LOCK_S)
        kefu.state.set(lock_key, f"{time.time() + lock_s:.3f}", ttl_s=lock_s)


def login_succeeded(kefu: Door, agent_id: str, address: str) -> None:
    """The right password: forget this agent+address's failures."""
    fail_key, _ = _login_keys(agent_id, address)
    kefu.state.set(fail_key, "0", ttl_s=1)
