"""Agent credentials a production shop must never run with: the published demo passwords, and
new passwords too short to survive a guessing attack."""

from __future__ import annotations

from collections.abc import Iterable

from kefu.desk.errors import Invalid
from kefu.desk.passwords import verify_password

MIN_PASSWORD_CHARS = 12


class UnsafeStart(RuntimeError):
    """Production refuses to start: what is unsafe and how to fix it is in the message."""


def agents_with_passwords(
    stored: Iterable[tuple[str, str | None]], known: Iterable[str]
) -> list[str]:
    """Ids of the agents whose stored hash matches one of the ``known`` (published) passwords."""
    known = sorted(set(known))
    return [
        agent_id
        for agent_id, password_hash in stored
        if password_hash and any(verify_password(password_hash, p) for p in known)
    ]


def check_new_password(password: str, known: Iterable[str]) -> None:
    """A password an admin may set: long enough and not one of the published ones."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    if password in set(known) or len(set(password)) < 5:
        raise Invalid("this password is published or trivial; choose another")
