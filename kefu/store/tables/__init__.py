"""All tables; importing this package registers every table on ``Base.metadata``."""

from kefu.store.tables import (
    channels,
    commerce,
    conversations,
    desk,
    knowledge,
    promotions,
    uploads,
)
from kefu.store.tables.base import Base

__all__ = [
    "Base",
    "channels",
    "commerce",
    "conversations",
    "desk",
    "knowledge",
    "promotions",
    "uploads",
]
