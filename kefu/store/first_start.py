"""A production start that is safe: no demo data, no agent with a published password."""

from __future__ import annotations

from kefu.config import Mode, Settings
from kefu.desk.credentials import UnsafeStart, agents_with_passwords
from kefu.store.db import Database
from kefu.store.desk_repo import SqlAgents, demo_passwords


def ensure_safe_start(db: Database, settings: Settings) -> None:
    """Production refuses to start while any agent can log in with a demo password (the demo
    supervisor could read every customer and create admins)."""
    if settings.mode is not Mode.PRODUCTION:
        return
    exposed = agents_with_passwords(SqlAgents(db).password_hashes(), demo_passwords())
    if exposed:
        raise UnsafeStart(
            f"agents {', '.join(sorted(exposed))} still have the published demo password: "
            "set new ones with `kefu admin password AGENT_ID` (or remove those agents) "
            "before starting in production mode"
        )
