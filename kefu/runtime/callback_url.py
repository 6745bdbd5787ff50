"""Where kefu may POST a platform's callbacks: http(s) to public addresses only (no SSRF).

A ``callback_url`` comes from the platform's request body, so it is untrusted: pointed at
169.254.169.254 (cloud metadata), 10.x, 127.x, ::1 or localhost:6379 it would make kefu post agent
replies into the shop's own network. It is checked twice:

- at registration, by its text: scheme, no credentials, no internal names or private literals;
- at send time, after DNS resolution: every address the name resolves to must be public, and the
  request goes to the address that was checked (a name that re-resolves to 127.0.0.1 between the
  check and the connect gains nothing). Redirects are never followed.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]

_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")


class UnsafeCallback(ValueError):
    """The URL may not be called: the message says why."""


# private networks the shop trusts as callback targets (its own platform inside its network):
# KEFU_CALLBACK_ALLOWED_NETWORKS, installed by Kefu.start; empty means public addresses only
_allowed: tuple[IPv4Network | IPv6Network, ...] = ()


def allow_networks(cidrs: str) -> None:
    """Trust these comma-separated networks as callback targets besides public addresses."""
    global _allowed
    _allowed = tuple(ip_network(c.strip(), strict=False) for c in cidrs.split(",") if c.strip())


def _permitted(address: IPv4Address | IPv6Address) -> bool:
    return is_public(address) or any(address in net for net in _allowed)


def is_public(address: IPv4Address | IPv6Address) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, CGNAT, ...)."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


def check_callback_url(url: str) -> tuple[str, str, int]:
    """Refuse a URL that cannot be a public http(s) endpoint; its scheme, host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeCallback("callback_url is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeCallback("callback_url must be an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise UnsafeCallback("callback_url may not carry credentials")
    host = parts.hostname.rstrip(".").lower()
    literal = _literal(host)
    if literal is not None and not _permitted(literal):
        raise UnsafeCallback("callback_url must point at a public address")
    if literal is None and (
        host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host
    ):
        raise UnsafeCallback("callback_url must name a public host")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve_public(url: str, resolve: Resolver = system_resolver) -> str:
    """The one public address to connect to for ``url``; refuses when any resolved one is not."""
    _, host, port = check_callback_url(url)
    literal = _literal(host)
    if literal is not None:
        return str(literal)
    try:
        found = [ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
    except (OSError, ValueError) as exc:
        raise UnsafeCallback(f"callback host does not resolve: {exc}") from None
    if not found:
        raise UnsafeCallback("callback host does not resolve")
    # all, not any: a name with one private record among public ones is a rebinding tool
    if not all(_permitted(a) for a in found):
        raise UnsafeCallback("callback host resolves to a private address")
    return str(found[0])
