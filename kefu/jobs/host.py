"""What the job engine's tasks use of a running kefu (``kefu.wiring.Kefu`` is one).

Each part a task calls names what it uses in its own protocol (the channels, the ops checks,
privacy requests, the model's desk work); ``Host`` is all of them together with what the tasks
read themselves. A new task that needs more of the kefu adds it here (or to its part's protocol).
"""

from __future__ import annotations

from typing import Protocol

from kefu.channels.hub import Host as ChannelHost
from kefu.config import Settings
from kefu.desk.service import Desk
from kefu.llm.desk import Host as LlmHost
from kefu.notify.service import Notifier
from kefu.ops.host import Host as OpsHost
from kefu.privacy.requests import Host as PrivacyHost
from kefu.store.order_event_repo import SqlOrderEvents


class NoticeHost(ChannelHost, Protocol):
    """What the notice work uses (``kefu.jobs.notices``): the channels deliver what it sends."""

    @property
    def desk(self) -> Desk: ...

    @property
    def order_events(self) -> SqlOrderEvents: ...

    @property
    def notices(self) -> Notifier: ...


class Host(NoticeHost, OpsHost, PrivacyHost, LlmHost, Protocol):
    """What every task of ``kefu.jobs.tasks`` may use."""

    # privacy names these two narrowly (stores, desk and settings import it); here, the kefu's own
    @property
    def settings(self) -> Settings: ...

    @property
    def desk(self) -> Desk: ...
