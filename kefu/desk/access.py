"""Who may read a conversation: what the desk's small collaborators (notes, photos, canned
replies) are given instead of the whole chat desk, which answers it (``ChatDesk.check_access``)."""

from __future__ import annotations

from collections.abc import Callable

from kefu.desk.ports import QueueEntry
from kefu.domain.conversations import Conversation
from kefu.domain.desk import Agent

# the conversation and its seat if ``agent`` may read conversation ``id``; raises Unknown or
# NotAllowed otherwise
CheckAccess = Callable[[Agent, str], tuple[Conversation, QueueEntry]]
