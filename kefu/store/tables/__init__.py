"""All tables; importing this package registers every table on ``Base.metadata``."""

from kefu.store.tables import (
    audit,
    channels,
    commerce,
    conversations,
    desk,
    jobs,
    knowledge,
    notes,
    ops,
    promotions,
    shop,
    uploads,
)
from kefu.store.tables.base import Base

__all__ = [
    "Base",
    "audit",
    "channels",
    "commerce",
    "conversations",
    "desk",
    "jobs",
    "knowledge",
    "notes",
    "ops",
    "promotions",
    "shop",
    "uploads",
]
