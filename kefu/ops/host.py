"""What the checks and plans use of a running kefu (``kefu.wiring.Kefu`` is one), named here so
that the job engine's tasks can call them without the composition root."""

from __future__ import annotations

from typing import Protocol

from kefu.config import Settings
from kefu.desk.service import Desk
from kefu.runtime.shared import SharedState
from kefu.store.db import Database
from kefu.store.rollout_repo import SqlRollout


class AlertHost(Protocol):
    """What raising an alert uses: the feed in the database, pub/sub and the shop's webhook."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def state(self) -> SharedState: ...


class Host(AlertHost, Protocol):
    """What the staffing plans and the wait-time promise check use besides."""

    @property
    def rollout(self) -> SqlRollout: ...

    @property
    def desk(self) -> Desk: ...
