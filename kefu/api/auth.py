"""Agent tokens: HMAC-signed, expiring, carrying the agent id, role and expiry.

Signed rather than stored: any worker on any machine verifies a token with the shared secret
alone, with no database or Redis round trip per request. The price is that a token cannot be
revoked before it expires; every request still loads the agent, so a deleted agent is refused
at once and the role used is the one in the database now.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from kefu.api.deps import get_kefu
from kefu.desk.service import Desk
from kefu.domain.desk import Agent, AgentRole
from kefu.edge.problems import Forbidden, Unauthorized
from kefu.wiring import Kefu

_PREFIX = "v1"


@dataclass(frozen=True, slots=True)
class Claims:
    agent_id: str
    role: str
    expires_at: int  # epoch seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str) -> bytes:
    # a purpose-bound key: the same secret signs other things (customer identities)
    return hmac.new(secret.encode(), b"kefu-agent-token", hashlib.sha256).digest()


def issue_token(agent_id: str, role: str, secret: str, ttl_s: int, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    payload = json.dumps(
        {"sub": agent_id, "role": role, "exp": issued + ttl_s, "iat": issued},
        separators=(",", ":"),
    ).encode()
    body = f"{_PREFIX}.{_b64(payload)}"
    signature = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


def verify_token(token: str, secret: str, now: float | None = None) -> Claims:
    """The token's claims; Unauthorized when forged, malformed or expired."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise Unauthorized("malformed token")
    body = f"{parts[0]}.{parts[1]}"
    expected = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(parts[2])
        data = json.loads(_unb64(parts[1]))
    except (ValueError, json.JSONDecodeError):
        raise Unauthorized("malformed token") from None
    if not hmac.compare_digest(expected, given):
        raise Unauthorized("invalid token")
    try:
        claims = Claims(
            agent_id=str(data["sub"]), role=str(data["role"]), expires_at=int(data["exp"])
        )
    except (KeyError, TypeError, ValueError):
        raise Unauthorized("malformed token") from None
    if claims.expires_at <= (time.time() if now is None else now):
        raise Unauthorized("token expired")
    return claims


async def get_desk(kefu: Kefu = Depends(get_kefu)) -> Desk:
    desk: Desk = kefu.desk
    return desk


def current_agent(request: Request, kefu: Kefu = Depends(get_kefu)) -> Agent:
    """The agent behind the request's bearer token (401 without a valid one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("a bearer token is required")
    claims = verify_token(token.strip(), kefu.settings.secret_key)
    desk: Desk = kefu.desk
    agent = desk.agents.get(claims.agent_id)
    if agent is None:
        raise Unauthorized("unknown agent")
    return agent


def require_role(*roles: AgentRole) -> Callable[..., Agent]:
    """A dependency admitting only agents with one of ``roles`` (401 without a token, 403 with
    another role). It leaves the agent's id on ``request.state.admin_id`` so routes that only
    take the guard as a router-level dependency can still record who acted."""
    allowed = frozenset(roles)
    names = " or ".join(r.value for r in roles)

    def guard(request: Request, agent: Agent = Depends(current_agent)) -> Agent:
        if agent.role not in allowed:
            raise Forbidden(f"{names} only")
        request.state.admin_id = agent.id
        return agent

    return guard


# the shop's back office (knowledge base, promotions, words, agents): supervisors and admins
current_admin = require_role(AgentRole.SUPERVISOR, AgentRole.ADMIN)
