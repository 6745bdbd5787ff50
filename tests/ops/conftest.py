from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ops.support import alert_receiver


@pytest.fixture
def alert_webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The shop's alert webhook, standing in: its URL and what was posted to it."""
    with alert_receiver() as found:
        yield found
